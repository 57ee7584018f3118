"""Queries on customer interactions, resolved to golden customers through the crosswalk."""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from mdmhub.db.models import Interaction
from mdmhub.db.repositories.bulk import chunks, insert_rows


def hashes(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(source, interaction id) -> content hash of the stored interactions among `keys`."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, interaction_id in keys:
        by_source[source].append(interaction_id)
    found: dict[tuple[str, str], str] = {}
    for source, ids in by_source.items():
        for chunk in chunks(sorted(set(ids))):
            rows = session.execute(
                select(Interaction.interaction_id, Interaction.content_hash).where(
                    Interaction.source == source, Interaction.interaction_id.in_(chunk)
                )
            )
            found.update(((source, i), h) for i, h in rows)
    return found


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(session, Interaction, rows)


def update_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows carry `source` and `interaction_id` plus every column to set."""
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


def timeline(
    session: Session,
    customers: Sequence[tuple[str, str]],
    types: Sequence[str],
    channels: Sequence[str],
    offset: int,
    limit: int,
) -> tuple[int, Sequence[Interaction]]:
    """Newest first, with how many match the filters in all."""
    if not customers:
        return 0, []
    condition = _of_customers(customers)
    if types:
        condition = and_(condition, Interaction.type.in_(types))
    if channels:
        condition = and_(condition, Interaction.channel.in_(channels))
    total = session.scalar(select(func.count()).select_from(Interaction).where(condition)) or 0
    page = session.scalars(
        select(Interaction)
        .where(condition)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return total, page


@dataclass(frozen=True, slots=True)
class Case:
    type: str
    status: str | None
    occurred_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None


def service_cases(
    session: Session, customers: Sequence[tuple[str, str]], types: Collection[str]
) -> list[Case]:
    if not customers:
        return []
    rows = session.execute(
        select(
            Interaction.type,
            Interaction.status,
            Interaction.occurred_at,
            Interaction.due_at,
            Interaction.resolved_at,
        ).where(_of_customers(customers), Interaction.type.in_(sorted(types)))
    )
    return [Case(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class Activity:
    count: int
    first: datetime | None
    last: datetime | None


def activity(
    session: Session, customers: Sequence[tuple[str, str]], types: Collection[str] = ()
) -> Activity:
    """How many interactions (of `types`, or all), the first and the last."""
    if not customers:
        return Activity(0, None, None)
    condition = _of_customers(customers)
    if types:
        condition = and_(condition, Interaction.type.in_(sorted(types)))
    row = session.execute(
        select(
            func.count(), func.min(Interaction.occurred_at), func.max(Interaction.occurred_at)
        ).where(condition)
    ).one()
    return Activity(row[0], *(_utc(value) for value in row[1:]))


def _utc(value: datetime | None) -> datetime | None:
    """Aggregates bypass the column type, so SQLite hands back naive (UTC) times."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def spent(
    session: Session, customers: Sequence[tuple[str, str]], purchase: str
) -> dict[str, Decimal]:
    """Total amount of purchases per currency."""
    if not customers:
        return {}
    rows = session.execute(
        select(Interaction.currency, func.sum(Interaction.amount))
        .where(
            _of_customers(customers),
            Interaction.type == purchase,
            Interaction.currency.is_not(None),
        )
        .group_by(Interaction.currency)
    )
    return {str(currency): Decimal(str(total)) for currency, total in rows if total is not None}


def products_bought(
    session: Session, customers: Sequence[tuple[str, str]], purchase: str
) -> list[tuple[str, str]]:
    """(source, source id) of the products named by the customer's purchases."""
    if not customers:
        return []
    rows = session.execute(
        select(Interaction.product_source, Interaction.product_source_id)
        .where(
            _of_customers(customers),
            Interaction.type == purchase,
            Interaction.product_source_id.is_not(None),
        )
        .distinct()
    )
    return [(source, source_id) for source, source_id in rows if source and source_id]
