"""Golden records with per-attribute lineage, their member source records, and their past."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from mdmhub.api.deps import ENTITY_RESPONSES, EntityDep, ReaderDep, SessionDep
from mdmhub.api.masking import for_actor
from mdmhub.api.schemas import (
    ErrorOut,
    GoldenHistoryOut,
    GoldenOut,
    GoldenVersionOut,
    SourceRecordOut,
)
from mdmhub.domain.times import as_utc
from mdmhub.services import golden_history, golden_view

router = APIRouter(
    prefix="/v1/{entity}/golden", tags=["golden records"], responses=ENTITY_RESPONSES
)

AsOf = Annotated[
    datetime | None,
    Query(description="ISO 8601 time; read the record as it was then (no zone means UTC)"),
]


@router.get(
    "/{golden_id}",
    response_model=GoldenOut,
    responses={404: {"model": ErrorOut}},
    summary="Read a golden record, now or as it was; a merged-away id answers with its survivor",
)
def read(
    actor: ReaderDep, entity: EntityDep, golden_id: str, session: SessionDep, as_of: AsOf = None
) -> GoldenOut | JSONResponse:
    """A merged-away id is answered with the surviving record (200, not a redirect):
    `id` is the survivor and `requested_id` the id asked for. With `as_of` the id is read
    as it was at that time (no redirect: back then it may not have been merged yet)."""
    if as_of is not None:
        at = as_utc(as_of)
        record, version = golden_history.as_of(session, entity, golden_id, at)
        body = GoldenOut(
            id=golden_id,
            requested_id=golden_id,
            entity=version.entity,
            status=version.status,
            version=version.version,
            attributes=version.attributes,
            members=None,
            created_at=record.created_at,
            updated_at=version.recorded_at,
            as_of=at,
        )
        return for_actor(actor, body)
    view = golden_view.get_golden(session, entity, golden_id)
    record = view.record
    body = GoldenOut(
        id=record.id,
        requested_id=view.requested_id,
        entity=record.entity,
        status=record.status,
        version=record.version,
        attributes=record.attributes,
        members=[SourceRecordOut.model_validate(m) for m in view.members],
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
    return for_actor(actor, body)


@router.get(
    "/{golden_id}/history",
    response_model=GoldenHistoryOut,
    responses={404: {"model": ErrorOut}},
    summary="Every version of a golden record: what changed, which rule or steward, when",
)
def history(
    actor: ReaderDep, entity: EntityDep, golden_id: str, session: SessionDep
) -> GoldenHistoryOut | JSONResponse:
    versions = golden_history.history(session, entity, golden_id)
    body = GoldenHistoryOut(
        golden_id=golden_id,
        versions=[GoldenVersionOut.model_validate(v) for v in versions],
    )
    return for_actor(actor, body)
