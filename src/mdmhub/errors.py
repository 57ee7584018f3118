"""Domain errors carry their HTTP status so the API layer maps them without a lookup table."""


class MdmError(Exception):
    status_code = 400

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
