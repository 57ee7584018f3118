"""A webhook subscriber on loopback, for delivery tests: a real HTTP server in a thread."""

import hashlib
import hmac
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Request:
    headers: dict[str, str]
    body: bytes
    status: int
    """What the receiver answered; 0 when it never answered."""

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    def signature_verifies(self, secret: str) -> bool:
        """What a subscriber does: recompute the HMAC of "<timestamp>.<body>"."""
        message = self.headers["x-mdmhub-timestamp"].encode() + b"." + self.body
        expected = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers["x-mdmhub-signature"])


class Receiver:
    """Answers each POST with the next scripted status (200 once the script is used up)
    and keeps every request, failed ones included."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._script: deque[int] = deque()
        self.during_request: Callable[[], None] | None = None
        """Runs while a request waits for its answer: something happening mid-delivery."""
        self.hang = False
        """Never answer (until the receiver stops): the sender's timeout must fire."""
        self._stopping = threading.Event()
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver._handle(self, body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads the requests, not a log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def answer(self, statuses: Iterable[int]) -> None:
        self._script.extend(statuses)

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        if self.during_request:
            self.during_request()
        if self.hang:
            self._keep(Request(headers, body, 0))
            self._stopping.wait()
            return
        status = self._script.popleft() if self._script else 200
        self._keep(Request(headers, body, status))
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _keep(self, request: Request) -> None:
        with self._arrived:
            self.requests.append(request)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        """Whether `count` requests arrived: for tests that cannot step the worker themselves.
        The timeout only bounds a failing test; nothing is measured."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.requests) >= count, timeout)

    @property
    def accepted(self) -> list[dict[str, Any]]:
        """The events answered 2xx, in arrival order."""
        return [r.event for r in self.requests if 200 <= r.status < 300]

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
