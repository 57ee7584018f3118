"""Loops that run in a thread of the API process, started and stopped with the app: the
webhook deliveries and the customer views kept ready."""

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


QUIET_SECONDS = 1.0
"""A process that wrote within this long is still busy writing: a client sending batch
after batch leaves gaps of a few hundred milliseconds between them."""
REST_STEP = 0.25
"""Seconds between two looks at the share a resting loop may work: a rest that began in a
burst of writes ends soon after the burst."""


class WriteActivity:
    """When this process last wrote, so that work that can wait yields to writers."""

    def __init__(
        self, quiet: float = QUIET_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._quiet = quiet
        self._clock = clock
        self._last: float | None = None

    def wrote(self) -> None:
        self._last = self._clock()

    def busy(self) -> bool:
        return self._last is not None and self._clock() - self._last < self._quiet


def poll(
    stop: threading.Event,
    interval: float,
    work: Callable[[], int],
    what: str,
    share: Callable[[], float] = lambda: 1.0,
) -> None:
    """Run passes of `work` until `stop` is set, waiting `interval` seconds after a pass that
    found nothing to do (returned 0). A pass that fails (the database is down, say) is
    logged and tried again after the interval: the loop outlives any one error.

    With a `share` below 1, the loop rests after each busy pass so that it works at most
    that share of the time: work that can wait leaves the process to the requests."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            done = work()
        except Exception:
            logger.exception("%s failed", what)
            done = 0
        if not done:
            stop.wait(interval)
        else:
            rest(stop, time.monotonic() - started, share)


def rest(stop: threading.Event, worked: float, share: Callable[[], float]) -> None:
    """Wait until `worked` seconds are at most `share()` of the time since the pass began.
    The share is read again every `REST_STEP`, so the rest follows it as it changes."""
    rested = 0.0
    while not stop.is_set():
        current = share()
        needed = worked * (1 - current) / current if current < 1 else 0.0
        if rested >= needed:
            return
        step = min(REST_STEP, needed - rested)
        stop.wait(step)
        rested += step


class BackgroundWorker:
    def __init__(
        self, name: str, loop: Callable[[threading.Event], None], join_timeout: float
    ) -> None:
        """`loop` runs until the event it is given is set; `join_timeout` is how long a
        stop waits for the work in flight."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=loop, args=(self._stop,), name=name, daemon=True)
        self._join_timeout = join_timeout

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self._join_timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()
