"""Loops that run in a thread of the API process, started and stopped with the app: the
webhook deliveries and the customer views kept ready."""

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


def poll(
    stop: threading.Event,
    interval: float,
    work: Callable[[], int],
    what: str,
    share: float = 1.0,
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
        elif share < 1:
            stop.wait((time.monotonic() - started) * (1 - share) / share)


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
