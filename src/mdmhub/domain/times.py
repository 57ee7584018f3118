"""Times as the hub keeps them: aware, in UTC."""

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """A time without a zone is taken as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
