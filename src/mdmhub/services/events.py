"""The change feed: the outbox read in id order, from a cursor the reader keeps."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.models import Event
from mdmhub.db.repositories import events as events_repo
from mdmhub.domain.entities import EntityType
from mdmhub.domain.events import EventType

MAX_PAGE = 1000


@dataclass(frozen=True)
class FeedPage:
    events: Sequence[Event]
    next_cursor: int
    """The last event's id, or the cursor asked for when nothing followed it."""


def page(
    session: Session,
    after: int,
    limit: int,
    entity: EntityType | None = None,
    event_type: EventType | None = None,
) -> FeedPage:
    events = events_repo.page(
        session,
        after,
        limit,
        entities=[entity.value] if entity else [],
        types=[event_type.value] if event_type else [],
    )
    return FeedPage(events, events[-1].id if events else after)


def document(event: Event) -> dict[str, Any]:
    """An event as readers see it, the same in the feed and in a webhook body."""
    return {
        "id": event.id,
        "entity": event.entity,
        "golden_id": event.golden_id,
        "type": event.type,
        "payload": event.payload,
        "occurred_at": event.occurred_at,
    }
