"""Golden-record states."""

from enum import StrEnum


class GoldenStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    """Retired into another golden record; reads redirect to `merged_into`."""
    DELETED = "deleted"
    """Every member was tombstoned; the id and its history stay."""
