"""The kinds of golden-record change the outbox carries, as feed readers and webhooks see them."""

from enum import StrEnum


class EventType(StrEnum):
    CREATED = "golden.created"
    """Payload: `version` and `attributes` (attribute -> value), the whole new record."""
    UPDATED = "golden.updated"
    """Payload: `version` and `attributes`, the whole record after the change."""
    MERGED = "golden.merged"
    """Payload: `retired` (this event's golden id) and the `survivor` it now redirects to."""
    SPLIT = "golden.split"
    """Payload: `into`, the golden records that took members from this one."""
    DELETED = "golden.deleted"
    """Every member was tombstoned."""
