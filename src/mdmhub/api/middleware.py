"""Every request gets an id (echoed as `X-Request-Id`), a bounded body without NUL
characters, and one access log line naming the route template, never the URL (see
mdmhub.logs).

NUL characters are refused at the door: PostgreSQL cannot store them in text, and no
source system means one."""

import itertools
import logging
import os
import re
import time

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mdmhub.api.schemas import ErrorOut
from mdmhub.errors import InvalidInputError, MdmError, PayloadTooLargeError

logger = logging.getLogger("mdmhub.access")


NUL_IN_JSON = re.compile(rb"\x00|(?<!\\)(?:\\\\)*\\u0000")
"""A raw NUL, or a `\\u0000` escape that is not itself escaped (`\\\\u0000` is text)."""
NUL_IN_URL = re.compile(rb"\x00|%00")


def _holds_nul(body: bytes) -> bool:
    """`NUL_IN_JSON` tries its lookbehind at every byte: 8.6 ms for a batch of 1,000 records.
    Two substring searches (0.15 ms) clear almost every body before it runs."""
    return (b"\x00" in body or b"\\u0000" in body) and NUL_IN_JSON.search(body) is not None


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"the request body is larger than {limit} bytes")


def _nul() -> InvalidInputError:
    return InvalidInputError("text must not contain NUL characters (U+0000)")


def _refusal(error: MdmError) -> JSONResponse:
    body = ErrorOut(detail=error.message, field=error.field)
    return JSONResponse(body.model_dump(), status_code=error.status_code)


async def _read_body(receive: Receive, limit: int) -> bytes | MdmError:
    """The whole body (bounded by `limit`), or the refusal it deserves. Read whole because a
    NUL escape may straddle two chunks."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return _too_large(limit)
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    return _nul() if _holds_nul(body) else body


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then listens to the client
    again (a streaming answer waits on it to learn of a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


_PROCESS = os.urandom(8).hex()
_SEQUENCE = itertools.count(1)


def _new_request_id() -> str:
    """Unique across server processes and restarts (a random prefix drawn when the process
    starts) at the cost of a counter: a random UUID a request took a system call each."""
    return f"{_PROCESS}{next(_SEQUENCE):016x}"


class RequestContextMiddleware:
    """A plain ASGI middleware: Starlette's BaseHTTPMiddleware costs a task per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        limit: int = scope["app"].state.max_body_bytes
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode()[:64] or _new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        declared = headers.get(b"content-length", b"").decode()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            url = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
            if declared.isdigit() and int(declared) > limit:
                await _refusal(_too_large(limit))(scope, receive, send_with_id)
            elif NUL_IN_URL.search(url):
                await _refusal(_nul())(scope, receive, send_with_id)
            else:
                body = await _read_body(receive, limit)
                if isinstance(body, MdmError):
                    await _refusal(body)(scope, receive, send_with_id)
                else:
                    await self.app(scope, _replay(body, receive), send_with_id)
        finally:
            route = scope.get("route")
            logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": getattr(route, "path", "<unmatched>"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "api_key_id": scope["state"].get("api_key_id"),
                },
            )
