"""Domain errors carry their HTTP status so the API layer maps them without a lookup table."""

from collections.abc import Mapping
from typing import ClassVar


class MdmError(Exception):
    status_code = 400
    default_headers: ClassVar[Mapping[str, str]] = {}

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers: dict[str, str] = dict(self.default_headers)


class NotFoundError(MdmError):
    status_code = 404


class ConflictError(MdmError):
    status_code = 409


class InvalidInputError(MdmError):
    status_code = 422


class UnauthenticatedError(MdmError):
    """No usable API key. HTTP requires a 401 to name the scheme the client should use."""

    status_code = 401
    default_headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class ForbiddenError(MdmError):
    status_code = 403


class PayloadTooLargeError(MdmError):
    status_code = 413


class TooManyRequestsError(MdmError):
    """The key spent its request budget; `Retry-After` says when the next one is allowed."""

    status_code = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.headers["Retry-After"] = str(max(1, round(retry_after + 0.5)))
