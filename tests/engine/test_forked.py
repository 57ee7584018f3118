import os
import time
from pathlib import Path

import pytest

from mdmhub.engine.forked import Beside, ForkedChild


def test_the_computation_runs_in_another_process() -> None:
    with Beside(os.getpid) as beside:
        assert beside.result() != os.getpid()


def test_without_fork_the_computation_runs_here_when_asked_for() -> None:
    with Beside(os.getpid, fork=False) as beside:
        assert beside.result() == os.getpid()


def test_a_child_that_dies_leaves_the_computation_to_this_process() -> None:
    here = os.getpid()

    def compute() -> str:
        if os.getpid() != here:
            os._exit(1)
        return "computed here"

    with Beside(compute) as beside:
        assert beside.result() == "computed here"


def test_the_computation_s_error_is_raised_here() -> None:
    def compute() -> None:
        raise ValueError("no such level")

    with Beside(compute) as beside, pytest.raises(ValueError, match="no such level"):
        beside.result()


def test_leaving_before_the_result_ends_the_child(tmp_path: Path) -> None:
    started = tmp_path / "child"

    def compute() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(60)

    with pytest.raises(RuntimeError), Beside(compute):
        while not started.exists() or not started.read_text():
            time.sleep(0.01)
        raise RuntimeError("the caller failed")

    with pytest.raises(ProcessLookupError):
        os.kill(int(started.read_text()), 0)


def test_a_child_sends_what_it_computes_then_this_process_sees_its_end() -> None:
    child = ForkedChild(lambda sender: sender.send("matched"))
    child.start()
    try:
        assert child.receive() == "matched"
        with pytest.raises(EOFError):
            child.receive()
        assert child.exit_code() == 0
    finally:
        child.stop()
