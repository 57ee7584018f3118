"""Who is asking: every write names its actor in the audit log and the golden history."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SOURCE = "source"
    """A source system: writes and reads back its own records only."""
    AGENT = "agent"
    """Searches and reads customers."""
    STEWARD = "steward"
    """Works the review queue, merges, splits, overrides."""
    ADMIN = "admin"
    """Configures the hub: sources, keys, models, webhooks; reads the audit log."""


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: Role
    api_key_id: str | None = None
    source: str | None = None
    """The one source a `source` actor may act for."""
    sees_sensitive: bool = False

    def acts_for(self, source: str) -> bool:
        """A source key acts for its own source only; every other role for any source."""
        return self.role is not Role.SOURCE or self.source == source

    def holds_one_of(self, roles: Iterable[Role]) -> bool:
        """Admins may do everything."""
        return self.role is Role.ADMIN or self.role in roles


SYSTEM = Actor("system", Role.ADMIN)
"""The hub itself, and the command line run by whoever holds the database."""
