"""Webhook subscriptions: who wants which events pushed, and what was tried.

Delivering them is `webhook_delivery`'s job; this module only changes what the
worker reads. Every write names its actor in the audit log.
"""

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.models import WebhookDelivery, WebhookSubscription
from mdmhub.db.repositories import events as events_repo
from mdmhub.db.repositories import webhooks as webhooks_repo
from mdmhub.domain.actors import Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.events import EventType
from mdmhub.errors import ConflictError, InvalidInputError, NotFoundError
from mdmhub.services import audit

MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    secret: str
    """Shown to its creator once; afterwards it only signs deliveries."""


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > MAX_URL_LENGTH:
        raise InvalidInputError(
            f"a webhook url must be an http or https URL with a host, up to {MAX_URL_LENGTH} "
            f"characters, not {url[:100]!r}",
            field="url",
        )


def _check_cursor(session: Session, cursor: int, field: str) -> None:
    """A cursor past the end of the feed would silently skip the events still to come."""
    end = events_repo.last_id(session)
    if not 0 <= cursor <= end:
        raise InvalidInputError(
            f"{field} must be between 0 and the newest event id ({end})", field=field
        )


def create(
    session: Session,
    actor: Actor,
    *,
    url: str,
    event_types: Sequence[EventType] = (),
    entities: Sequence[EntityType] = (),
    from_cursor: int | None = None,
) -> NewSubscription:
    """A new subscription starts at the end of the feed, unless `from_cursor` says where."""
    _check_url(url)
    if from_cursor is not None:
        _check_cursor(session, from_cursor, "from_cursor")
    secret = secrets.token_urlsafe(32)
    subscription = webhooks_repo.add(
        session,
        WebhookSubscription(
            id=f"whk_{uuid.uuid4().hex}",
            url=url,
            secret=secret,
            event_types=sorted({t.value for t in event_types}),
            entities=sorted({e.value for e in entities}),
            active=True,
            cursor=events_repo.last_id(session) if from_cursor is None else from_cursor,
            failures=0,
            next_attempt_at=None,
            created_by=actor.name,
            created_at=utcnow(),
        ),
    )
    audit.record(
        session,
        actor,
        "webhook.create",
        target=subscription.id,
        detail={
            "url": url,
            "event_types": subscription.event_types,
            "entities": subscription.entities,
            "cursor": subscription.cursor,
        },
    )
    return NewSubscription(subscription, secret)


def get(session: Session, subscription_id: str) -> WebhookSubscription:
    subscription = webhooks_repo.get(session, subscription_id)
    if subscription is None:
        raise NotFoundError(f"no webhook {subscription_id}", field="webhook_id")
    return subscription


def get_all(session: Session) -> list[WebhookSubscription]:
    return webhooks_repo.get_all(session)


def deactivate(session: Session, actor: Actor, subscription_id: str) -> WebhookSubscription:
    """The subscription stays, with its delivery log; nothing more is sent to it."""
    subscription = get(session, subscription_id)
    if subscription.active:
        subscription.active = False
        session.flush()
        audit.record(session, actor, "webhook.deactivate", target=subscription_id)
    return subscription


def replay(session: Session, actor: Actor, subscription_id: str, after: int) -> WebhookSubscription:
    """Deliver again every event after `after`, from now on, and forget past failures."""
    subscription = get(session, subscription_id)
    if not subscription.active:
        raise ConflictError(f"webhook {subscription_id} is deactivated", field="webhook_id")
    _check_cursor(session, after, "after")
    previous = subscription.cursor
    subscription.cursor = after
    subscription.failures = 0
    subscription.next_attempt_at = None
    session.flush()
    audit.record(
        session,
        actor,
        "webhook.replay",
        target=subscription_id,
        detail={"after": after, "previous_cursor": previous},
    )
    return subscription


def deliveries(session: Session, subscription_id: str, limit: int) -> Sequence[WebhookDelivery]:
    get(session, subscription_id)
    return webhooks_repo.deliveries(session, subscription_id, limit)
