"""Domain errors carry their HTTP status so the API layer maps them without a lookup table."""

from collections.abc import Mapping
from typing import ClassVar


class MdmError(Exception):
    status_code = 400
    headers: ClassVar[Mapping[str, str]] = {}

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(MdmError):
    status_code = 404


class ConflictError(MdmError):
    status_code = 409


class InvalidInputError(MdmError):
    status_code = 422


class UnauthenticatedError(MdmError):
    """No usable API key. HTTP requires a 401 to name the scheme the client should use."""

    status_code = 401
    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class ForbiddenError(MdmError):
    status_code = 403
