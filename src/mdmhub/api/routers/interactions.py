"""Interactions from any source: purchases, complaints, requests, calls …"""

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Discriminator, Tag

from mdmhub.api.answers import one_or_batch
from mdmhub.api.deps import (
    AUTH_RESPONSES,
    SessionDep,
    SettingsDep,
    SourceWriterDep,
    in_write_transaction,
)
from mdmhub.api.schemas import (
    ErrorOut,
    InteractionBatchIn,
    InteractionBatchOut,
    InteractionIn,
    InteractionOut,
    InteractionResultOut,
    ProblemOut,
)
from mdmhub.services import interactions, source_records
from mdmhub.services.interactions import InteractionResult

router = APIRouter(responses=AUTH_RESPONSES, prefix="/v1/interactions", tags=["interactions"])


def _body_kind(value: Any) -> str:
    return "batch" if isinstance(value, dict) and "interactions" in value else "one"


Body = Annotated[
    Annotated[InteractionIn, Tag("one")] | Annotated[InteractionBatchIn, Tag("batch")],
    Discriminator(_body_kind),
]


def _out(result: InteractionResult) -> InteractionResultOut:
    return InteractionResultOut(
        index=result.index,
        source=result.source,
        interaction_id=result.interaction_id,
        status="refused" if result.problems else "accepted",
        outcome=result.outcome.value if result.outcome else None,
        golden_id=result.golden_id,
        errors=[ProblemOut(field=p.field, message=p.message) for p in result.problems],
    )


@router.post(
    "",
    response_model=InteractionResultOut | InteractionBatchOut,
    responses={422: {"model": ErrorOut, "description": "refused; nothing changed"}},
    summary="Record one interaction, or a batch of up to 1,000 (idempotent by source and id)",
)
async def upsert(
    actor: SourceWriterDep, body: Body, settings: SettingsDep
) -> InteractionResultOut | InteractionBatchOut | JSONResponse:
    """The customer is named by the source's record id; the answer says which golden customer
    that is now (null until the customer record arrives)."""
    batch = isinstance(body, InteractionBatchIn)
    if not isinstance(body, InteractionBatchIn):
        source_records.check_may_write(actor, body.source)
    items = body.interactions if isinstance(body, InteractionBatchIn) else [body]
    inputs = [i.to_input() for i in items]
    stored = await in_write_transaction(
        settings, lambda session: interactions.upsert(session, inputs, actor)
    )
    results = [_out(r) for r in stored]
    return one_or_batch(
        results,
        batch,
        lambda accepted, refused, all_: InteractionBatchOut(
            accepted=accepted, refused=refused, results=all_
        ),
    )


@router.get(
    "/{source}/{interaction_id}",
    response_model=InteractionOut,
    responses={404: {"model": ErrorOut}},
    summary="Read an interaction back",
)
def read(
    actor: SourceWriterDep,
    source: str,
    interaction_id: str,
    session: SessionDep,
) -> InteractionOut:
    found, golden_id = interactions.get(session, actor, source, interaction_id)
    return InteractionOut.model_validate(found).model_copy(update={"golden_id": golden_id})
