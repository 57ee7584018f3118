"""What agents read while the customer is on the line: search and the 360° view."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from mdmhub.api.deps import AUTH_RESPONSES, MAX_ID, AgentDep, SettingsDep
from mdmhub.api.schemas import (
    Customer360Out,
    ErrorOut,
    SearchOut,
)
from mdmhub.db.session import transaction
from mdmhub.domain.interactions import InteractionType
from mdmhub.domain.masking import hides_sensitive
from mdmhub.errors import InvalidInputError
from mdmhub.services import customer_360, customer_search, customer_views
from mdmhub.services.customer_360 import Section, TimelineQuery

router = APIRouter(responses=AUTH_RESPONSES, prefix="/v1/customers", tags=["customer 360"])

PAGE = TimelineQuery.limit
Text = Annotated[str | None, Query(max_length=200)]


@router.get(
    "/search",
    response_model=SearchOut,
    responses={422: {"model": ErrorOut}},
    summary="Find customers by name, email, phone, national id, birth date or town",
)
def search(
    actor: AgentDep,
    settings: SettingsDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="anything: an email, a phone in any format, a national id or a name",
        ),
    ] = None,
    name: Text = None,
    email: Text = None,
    phone: Text = None,
    national_id: Text = None,
    birth_date: Text = None,
    city: Text = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Ranked by the match probability of the search with each customer's best record, with
    the explanation of that score. The hits are rendered as they come from the service (they
    have the documented shape), without building the schema's objects: a search is read
    while the customer waits."""
    fields = {
        "full_name": name,
        "email": email,
        "phone": phone,
        "national_id": national_id,
        "birth_date": birth_date,
        "locality": city,
    }
    with transaction(settings.database_url) as session:
        hits = customer_search.search(session, settings, q, fields, limit)
    body = customer_360.render({"hits": hits})
    return Response(
        customer_360.render_masked(body) if hides_sensitive(actor) else body,
        media_type="application/json",
    )


def _sections(include: list[str] | None) -> frozenset[Section]:
    """Sections named by repeated or comma-separated `include=` values; all when none is."""
    names = [name.strip() for value in include or [] for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - {s.value for s in Section})
    if unknown:
        allowed = ", ".join(s.value for s in Section)
        raise InvalidInputError(f"unknown sections {unknown}; use {allowed}", field="include")
    return frozenset(Section(name) for name in names) or frozenset(Section)


@router.get(
    "/{golden_id}/360",
    response_model=Customer360Out,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Everything about one customer in one response; choose sections with include=",
)
async def view_360(
    actor: AgentDep,
    golden_id: str,
    settings: SettingsDep,
    include: Annotated[
        list[str] | None,
        Query(
            description="sections to return, repeated or comma-separated: "
            + ", ".join(s.value for s in Section)
            + "; all by default"
        ),
    ] = None,
    interaction_type: Annotated[list[InteractionType] | None, Query()] = None,
    channel: Annotated[list[str] | None, Query(max_length=30)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="timeline paging")] = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="timeline page size")] = PAGE,
) -> Response:
    """A merged-away id answers with its survivor. The timeline is newest first; the
    indicators are computed over every interaction, whatever the timeline filters. Sections
    not asked for are absent from the answer.

    The default read (no parameters) is answered from the view kept ready when there is a
    fresh one, and built live otherwise: the two answers are the same document. Most ready
    reads never reach this route (`api.ready_360` answers them first); here go those of a
    key this process has not checked lately. The ready answer is one primary-key lookup,
    made on the event loop: cheaper than the hop to a worker thread and back, and than the
    wait for the interpreter lock that the hop adds on a busy server. A live build runs on
    a worker thread."""
    hide = hides_sensitive(actor)
    if (include, interaction_type, channel, offset, limit) == (None, None, None, 0, PAGE):
        ready = customer_views.read_ready(settings.database_url, golden_id, hide)
        if ready is not None:
            return Response(ready, media_type="application/json")
    timeline = TimelineQuery(
        interaction_type or (), [c.strip().lower() for c in channel or []], offset, limit
    )
    body = await run_in_threadpool(
        _live_360, settings.database_url, golden_id, _sections(include), timeline
    )
    return Response(
        customer_360.render_masked(body) if hide else body, media_type="application/json"
    )


def _live_360(
    database_url: str, golden_id: str, sections: frozenset[Section], timeline: TimelineQuery
) -> bytes:
    with transaction(database_url) as session:
        view = customer_360.view(session, golden_id, sections, timeline)
    return customer_360.render(customer_360.document(view))
