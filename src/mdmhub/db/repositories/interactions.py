"""Queries on customer interactions, resolved to golden customers through the crosswalk."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from mdmhub.db.models import Interaction
from mdmhub.db.repositories import bulk, customer_views
from mdmhub.db.repositories.bulk import chunks, insert_rows
from mdmhub.db.repositories.rows import select_rows
from mdmhub.db.repositories.value_lists import by_unique_key


def hashes(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(source, interaction id) -> content hash of the stored interactions among `keys`."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, interaction_id in keys:
        by_source[source].append(interaction_id)
    found: dict[tuple[str, str], str] = {}
    statement = _HASHES[session.get_bind().dialect.name]
    for source, ids in by_source.items():
        for chunk in chunks(sorted(set(ids))):
            rows = select_rows(session, statement, {"source": source, "ids": list(chunk)})
            found.update(((source, row.interaction_id), row.content_hash) for row in rows)
    return found


_HASHES = by_unique_key(
    (Interaction.interaction_id, Interaction.content_hash),
    (Interaction.source == bindparam("source"),),
    Interaction.interaction_id,
    "ids",
)


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(session, Interaction, rows)
    _mark_customers(session, rows)


def _mark_customers(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    customer_views.mark_customers_of(
        session, [(r["customer_source"], r["customer_source_id"]) for r in rows]
    )


def update_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows carry `source` and `interaction_id` plus every column to set (an interaction may
    move to another customer: both their views go stale)."""
    previous = [
        (stored.customer_source, stored.customer_source_id)
        for row in rows
        if (stored := get(session, row["source"], row["interaction_id"])) is not None
    ]
    customer_views.mark_customers_of(session, previous)
    _mark_customers(session, rows)
    for row in rows:
        session.execute(
            update(Interaction)
            .where(
                Interaction.source == row["source"],
                Interaction.interaction_id == row["interaction_id"],
            )
            .values({k: v for k, v in row.items() if k not in ("source", "interaction_id")})
        )


def get(session: Session, source: str, interaction_id: str) -> Interaction | None:
    return session.scalar(
        select(Interaction).where(
            Interaction.source == source, Interaction.interaction_id == interaction_id
        )
    )


def _of_customers(keys: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    """Interactions naming any of these customer records (a few: a golden record's members)."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, source_id in keys:
        by_source[source].append(source_id)
    return or_(
        *(
            and_(Interaction.customer_source == source, Interaction.customer_source_id.in_(ids))
            for source, ids in sorted(by_source.items())
        )
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """What the 360 view needs of every interaction of a customer, without its text."""

    id: int
    type: str
    channel: str | None
    occurred_at: datetime
    amount: Decimal | None
    currency: str | None
    product_source: str | None
    product_source_id: str | None
    status: str | None
    due_at: datetime | None
    resolved_at: datetime | None


_SUMMARY_COLUMNS = (
    Interaction.id,
    Interaction.type,
    Interaction.channel,
    Interaction.occurred_at,
    Interaction.amount,
    Interaction.currency,
    Interaction.product_source,
    Interaction.product_source_id,
    Interaction.status,
    Interaction.due_at,
    Interaction.resolved_at,
)


def summaries(session: Session, customers: Sequence[tuple[str, str]]) -> list[Summary]:
    """Every interaction of these customer records in one query: the timeline, its filters
    and every indicator are worked out from these few columns."""
    if not customers:
        return []
    rows = session.execute(select(*_SUMMARY_COLUMNS).where(_of_customers(customers)))
    return [Summary(*row) for row in rows]


def by_ids(session: Session, ids: Sequence[int]) -> dict[int, Interaction]:
    return bulk.by_ids(session, Interaction, ids)
