"""Queries on the outbox of golden-record change events."""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mdmhub.db.models import Event
from mdmhub.db.repositories.bulk import insert_rows

EVENT_ORDER_LOCK = 0x6D646D68_6576656E
"""The PostgreSQL advisory lock key that serialises event writers ("mdmh" "even")."""


def add_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append events; on PostgreSQL, first take the event-order lock until the commit.

    Feed readers page by id (`id > cursor`) and never look back, so an event must
    not become visible after one with a higher id. A PostgreSQL sequence hands out
    ids at insert time, not at commit: without the lock, transaction A could take
    id 10, B id 11, B commit, a reader see 11 and move its cursor past 10, and A
    commit 10 behind it - lost to that reader for good. Holding one transaction-level
    advisory lock from the first event insert to the commit makes event-writing
    transactions take ids and commit one after another. The lock is re-entrant
    within a transaction and released by commit or rollback. SQLite needs nothing:
    a write transaction already holds the only write lock until it commits.
    """
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_ORDER_LOCK})
    insert_rows(session, Event, rows)


def last_id(session: Session) -> int:
    """The id of the newest event, 0 for an empty outbox: where a new reader starts."""
    return session.scalar(select(func.max(Event.id))) or 0


def page(
    session: Session,
    after: int,
    limit: int,
    *,
    entities: Collection[str] = (),
    types: Collection[str] = (),
    up_to: int | None = None,
) -> Sequence[Event]:
    """Events after `after` in id order; empty filters let everything through."""
    query = select(Event).where(Event.id > after)
    if entities:
        query = query.where(Event.entity.in_(sorted(entities)))
    if types:
        query = query.where(Event.type.in_(sorted(types)))
    if up_to is not None:
        query = query.where(Event.id <= up_to)
    return session.scalars(query.order_by(Event.id).limit(limit)).all()
