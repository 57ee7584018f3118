"""The change feed: every golden-record change, in order, from a cursor the reader keeps."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from mdmhub.api.deps import AUTH_RESPONSES, MAX_ID, AgentDep, SessionDep
from mdmhub.api.masking import for_actor
from mdmhub.api.schemas import EventOut, FeedOut
from mdmhub.domain.entities import EntityType
from mdmhub.domain.events import EventType
from mdmhub.services import events

router = APIRouter(prefix="/v1/events", tags=["change feed"], responses=AUTH_RESPONSES)


@router.get("", response_model=FeedOut, summary="Read the change feed after a cursor")
def feed(
    actor: AgentDep,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="The last event id already read")] = 0,
    limit: Annotated[int, Query(ge=1, le=events.MAX_PAGE)] = 100,
    entity: Annotated[EntityType | None, Query(description="Only this entity's events")] = None,
    type_: Annotated[EventType | None, Query(alias="type", description="Only this type")] = None,
) -> FeedOut | JSONResponse:
    """Events in id order. A reader keeps `next_cursor` and passes it as `after`: an
    event, once a later one was read, never appears behind it."""
    page = events.page(session, after, limit, entity, type_)
    body = FeedOut(
        events=[EventOut(**events.document(e)) for e in page.events], next_cursor=page.next_cursor
    )
    return for_actor(actor, body)
