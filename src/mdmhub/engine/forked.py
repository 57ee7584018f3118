"""Work in a forked child process that sends its results back through a pipe, so that a
load or a training keeps both cores busy.

Forked, not spawned: the child starts with this process's memory (the records, the
features, the model), so nothing is pickled on the way in; only what it sends comes back.
Fork copies no thread but the caller's, so a lock another thread holds at the fork (a
progress spinner's, say) stays held in the child: a child must only compute and send.
"""

import multiprocessing
from collections.abc import Callable
from functools import partial
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

T = TypeVar("T")


class ForkedChild:
    """A child process running `work(sender)`, and this process's end of its pipe.

    The child closes its copy of the pipe's reading end, so that when this process dies
    (killed, or its machine's memory ran out) the child's next send fails and it ends too:
    until then it holds copies of this process's database connections, and PostgreSQL
    would keep a dead writer's transaction, and its writer's lock, open."""

    def __init__(self, work: Callable[[Connection], None]) -> None:
        context = multiprocessing.get_context("fork")
        self._receiver, self._sender = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(work,), daemon=True)

    def _run(self, work: Callable[[Connection], None]) -> None:
        self._receiver.close()
        work(self._sender)

    def start(self) -> None:
        self._process.start()
        self._sender.close()

    def receive(self) -> Any:
        """What the child sent next; EOFError once it has ended."""
        return self._receiver.recv()

    def exit_code(self) -> int | None:
        """Waits for the child to end."""
        self._process.join()
        return self._process.exitcode

    def stop(self) -> None:
        """Ends the child if it still runs (its caller stopped early, say)."""
        self._receiver.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


class WithChild:
    """Starts its `_child` on entering, and stops it on leaving: a caller that stops early
    (an error, say) ends the child."""

    _child: ForkedChild | None = None

    def __enter__(self) -> Self:
        if self._child is not None:
            self._child.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._child is not None:
            self._child.stop()


def _send_result(compute: Callable[[], T], sender: Connection) -> None:
    try:
        value = compute()
    except BaseException:  # the parent computes it again, and raises the error there
        return
    sender.send(value)


class Beside(WithChild, Generic[T]):
    """`compute()` started in a forked child on entering; `result()` waits for it.

    Where fork does not exist, when `fork` is false (a run too small to pay for one), or
    when the child fails, `result()` computes it here: the result is the same either way."""

    def __init__(self, compute: Callable[[], T], *, fork: bool = True) -> None:
        self._compute = compute
        self._child = (
            ForkedChild(partial(_send_result, compute))
            if fork and "fork" in multiprocessing.get_all_start_methods()
            else None
        )

    def __enter__(self) -> Self:
        try:
            return super().__enter__()
        except OSError:  # no fork now (too many processes, too little memory)
            self._child = None
            return self

    def result(self) -> T:
        if self._child is None:
            return self._compute()
        try:
            value: T = self._child.receive()
        except (EOFError, OSError):  # the child failed: its error, if any, is raised here
            value = self._compute()
        return value
