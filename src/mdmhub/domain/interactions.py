"""Interactions: what happened between a customer and the company, from any source system.

An interaction names its customer by the source's own record id, never by a
golden id: it belongs to whatever golden customer that record belongs to now,
so it follows merges and splits without being rewritten.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum


class InteractionType(StrEnum):
    PURCHASE = "purchase"
    RETURN = "return"
    PAYMENT = "payment"
    DELIVERY = "delivery"
    COMPLAINT = "complaint"
    CLAIM = "claim"
    REQUEST = "request"
    ENQUIRY = "enquiry"
    SUGGESTION = "suggestion"
    CALL = "call"
    CHAT = "chat"
    EMAIL = "email"
    VISIT = "visit"
    OTHER = "other"


SERVICE_CASES = frozenset(
    {InteractionType.COMPLAINT, InteractionType.CLAIM, InteractionType.REQUEST,
     InteractionType.ENQUIRY}
)  # fmt: skip
"""Interactions that open a case someone must resolve, with a due date and a resolution time."""

COMPLAINTS = frozenset({InteractionType.COMPLAINT, InteractionType.CLAIM})
REQUESTS = frozenset({InteractionType.REQUEST, InteractionType.ENQUIRY})

CLOSED_STATUSES = frozenset({"resolved", "closed", "cancelled", "rejected"})
"""A service case in any other status (or none, unless it has a resolution time) is open."""


def as_utc(value: datetime) -> datetime:
    """A time without a zone is taken as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class InteractionInput:
    source: str
    interaction_id: str
    customer_source_id: str
    type: InteractionType
    occurred_at: datetime
    customer_source: str | None = None
    """The source holding the customer record; the interaction's own source by default."""
    channel: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    product_source: str | None = None
    product_source_id: str | None = None
    status: str | None = None
    due_at: datetime | None = None
    resolved_at: datetime | None = None
    text: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
