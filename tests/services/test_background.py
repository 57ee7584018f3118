"""Background loops yield to writers: a resting loop follows the share it may work."""

import threading

import pytest

from mdmhub.services.background import REST_STEP, WriteActivity, rest


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RecordedWaits(threading.Event):
    """An event whose waits return at once and are written down; with `stop_after`, it is
    set by that many waits (a stop arriving in the middle of a rest)."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.stop_after = stop_after

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0.0)
        if self.stop_after is not None and len(self.waits) >= self.stop_after:
            self.set()
        return self.is_set()


def test_a_process_that_never_wrote_is_not_busy_writing() -> None:
    assert not WriteActivity(clock=Clock()).busy()


def test_a_process_is_busy_writing_right_after_a_write() -> None:
    clock = Clock()
    writes = WriteActivity(quiet=1.0, clock=clock)
    writes.wrote()
    clock.now += 0.9

    assert writes.busy()


def test_a_process_is_quiet_once_the_quiet_time_passed_without_a_write() -> None:
    clock = Clock()
    writes = WriteActivity(quiet=1.0, clock=clock)
    writes.wrote()
    clock.now += 1.0

    assert not writes.busy()


def test_a_rest_makes_the_work_its_share_of_the_time() -> None:
    stop = RecordedWaits()

    rest(stop, worked=1.0, share=lambda: 0.2)

    assert sum(stop.waits) == pytest.approx(4.0)
    assert max(stop.waits) <= REST_STEP


def test_a_rest_ends_when_the_share_rises_to_all_the_time() -> None:
    stop = RecordedWaits()
    shares = iter([0.05, 1.0])

    rest(stop, worked=1.0, share=lambda: next(shares))

    assert stop.waits == [REST_STEP]


def test_a_rest_grows_when_the_share_falls() -> None:
    stop = RecordedWaits()
    shares = iter([0.5] + [0.1] * 100)

    rest(stop, worked=1.0, share=lambda: next(shares))

    assert sum(stop.waits) == pytest.approx(9.0)


def test_a_stopped_loop_does_not_rest() -> None:
    stop = RecordedWaits()
    stop.set()

    rest(stop, worked=1.0, share=lambda: 0.2)

    assert stop.waits == []


def test_a_stop_in_the_middle_of_a_rest_ends_it_at_the_next_step() -> None:
    stop = RecordedWaits(stop_after=2)

    rest(stop, worked=1.0, share=lambda: 0.05)

    assert stop.waits == [REST_STEP, REST_STEP]
