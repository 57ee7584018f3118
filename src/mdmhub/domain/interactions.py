"""Interactions: what happened between a customer and the company, from any source system.

An interaction names its customer by the source's own record id, never by a
golden id: it belongs to whatever golden customer that record belongs to now,
so it follows merges and splits without being rewritten.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from mdmhub.domain.records import Problem
from mdmhub.domain.times import as_utc


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


MAX_ID_LENGTH = 200
MAX_CHANNEL_LENGTH = 30
MAX_STATUS_LENGTH = 30
MAX_TEXT_LENGTH = 4000
CURRENCY = re.compile(r"^[A-Z]{3}$")


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


def normalised(item: InteractionInput) -> InteractionInput:
    """One spelling for one meaning, whichever way it came in (REST, a file): times in UTC,
    channel and status in lower case, the customer's and the product's source filled in."""
    return replace(
        item,
        occurred_at=as_utc(item.occurred_at),
        due_at=item.due_at and as_utc(item.due_at),
        resolved_at=item.resolved_at and as_utc(item.resolved_at),
        channel=item.channel.strip().lower() if item.channel else None,
        status=item.status.strip().lower() if item.status else None,
        customer_source=item.customer_source or item.source,
        product_source=item.product_source or (item.source if item.product_source_id else None),
    )


def check_interaction(item: InteractionInput) -> list[Problem]:
    """What an interaction must satisfy whichever way it came in."""
    problems = [
        Problem(name, f"needs 1 to {limit} characters")
        for name, value, limit in (
            ("interaction_id", item.interaction_id, MAX_ID_LENGTH),
            ("customer_source_id", item.customer_source_id, MAX_ID_LENGTH),
        )
        if not value.strip() or len(value) > limit
    ]
    problems += [
        Problem(name, f"longer than {limit} characters")
        for name, value, limit in (
            ("product_source_id", item.product_source_id, MAX_ID_LENGTH),
            ("channel", item.channel, MAX_CHANNEL_LENGTH),
            ("status", item.status, MAX_STATUS_LENGTH),
            ("text", item.text, MAX_TEXT_LENGTH),
        )
        if value is not None and len(value) > limit
    ]
    if item.currency is not None and not CURRENCY.match(item.currency):
        problems.append(Problem("currency", "an ISO 4217 code in capitals, like EUR"))
    if (item.amount is None) != (item.currency is None):
        problems.append(Problem("currency", "an amount needs its currency, and only an amount"))
    if item.resolved_at is not None and as_utc(item.resolved_at) < as_utc(item.occurred_at):
        problems.append(Problem("resolved_at", "is before occurred_at"))
    return problems
