"""Queries on webhook subscriptions and their delivery log.

The delivery worker changes a subscription only through `claim`, `advance`,
`fail` and `release`, each conditional on the cursor it read: an admin's replay,
or another worker, that moved the cursor meanwhile makes them match no row
instead of being overwritten.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Update, or_, select, update
from sqlalchemy.orm import Session

from mdmhub.db.models import WebhookDelivery, WebhookSubscription
from mdmhub.db.repositories.bulk import insert_rows


def get(session: Session, subscription_id: str) -> WebhookSubscription | None:
    return session.get(WebhookSubscription, subscription_id)


def get_all(session: Session) -> list[WebhookSubscription]:
    return list(
        session.scalars(
            select(WebhookSubscription).order_by(
                WebhookSubscription.created_at, WebhookSubscription.id
            )
        )
    )


def add(session: Session, subscription: WebhookSubscription) -> WebhookSubscription:
    session.add(subscription)
    session.flush()
    return subscription


def _where_unchanged(subscription_id: str, cursor: int) -> Update:
    return update(WebhookSubscription).where(
        WebhookSubscription.id == subscription_id,
        WebhookSubscription.cursor == cursor,
        WebhookSubscription.active,
    )


def _changed_one(session: Session, statement: Update) -> bool:
    # No in-memory synchronisation: each worker step reads in a session of its own.
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return cast(CursorResult[Any], result).rowcount == 1


def _is_due(now: datetime) -> ColumnElement[bool]:
    return or_(
        WebhookSubscription.next_attempt_at.is_(None),
        WebhookSubscription.next_attempt_at <= now,
    )


def due(session: Session, now: datetime) -> list[WebhookSubscription]:
    """Active subscriptions not waiting out a backoff or another worker's claim."""
    query = select(WebhookSubscription).where(WebhookSubscription.active, _is_due(now))
    return list(session.scalars(query.order_by(WebhookSubscription.id)))


def claim(
    session: Session, subscription_id: str, cursor: int, now: datetime, until: datetime
) -> bool:
    """Reserve a due subscription for one worker until `until`; False if it is not due
    any more or its cursor moved.

    Only the claimant posts, so two workers (the service's and `mdmhub worker`, or two
    service processes) never send one subscriber's events side by side, out of order.
    A worker that dies leaves its claim to expire at `until`.
    """
    statement = _where_unchanged(subscription_id, cursor).where(_is_due(now))
    return _changed_one(session, statement.values(next_attempt_at=until))


def advance(
    session: Session,
    subscription_id: str,
    cursor: int,
    to: int,
    hold_until: datetime | None,
    *,
    due_at: datetime | None = None,
) -> bool:
    """Move the cursor, clearing the failures; False if it moved meanwhile.

    `hold_until` keeps the worker's claim while it has more to post (None releases it);
    a worker that holds no claim passes `due_at` so it cannot move a claimed cursor.
    """
    statement = _where_unchanged(subscription_id, cursor)
    if due_at is not None:
        statement = statement.where(_is_due(due_at))
    return _changed_one(
        session, statement.values(cursor=to, failures=0, next_attempt_at=hold_until)
    )


def release(session: Session, subscription_id: str, cursor: int) -> None:
    """Give a claim back early (the worker is stopping), so the next one need not wait."""
    _changed_one(session, _where_unchanged(subscription_id, cursor).values(next_attempt_at=None))


def fail(
    session: Session, subscription_id: str, cursor: int, failures: int, retry_at: datetime
) -> bool:
    """Count a failed attempt and hold the subscription until `retry_at`."""
    statement = _where_unchanged(subscription_id, cursor).values(
        failures=failures, next_attempt_at=retry_at
    )
    return _changed_one(session, statement)


def add_delivery(session: Session, row: dict[str, Any]) -> None:
    insert_rows(session, WebhookDelivery, [row])


def deliveries(session: Session, subscription_id: str, limit: int) -> Sequence[WebhookDelivery]:
    """The newest attempts first."""
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()
