"""Review tasks: what a steward is asked to decide."""

from enum import StrEnum


class ReviewKind(StrEnum):
    POSSIBLE_MATCH = "possible_match"
    """Two records scored in the review band and were kept apart."""
    OVERRIDE_CONFLICT = "override_conflict"
    """A source now says something else than the value a steward pinned."""


class ReviewStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class ReviewDecision(StrEnum):
    MATCH = "match"
    NO_MATCH = "no-match"
    KEEP_OVERRIDE = "keep-override"
    """For an override conflict: the pinned value stays."""
    ACCEPT_SOURCE = "accept-source"
    """For an override conflict: the override is removed, the sources' value wins."""
