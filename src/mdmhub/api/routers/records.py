"""Source systems upsert, read back and delete their records.

A source key acts only for its own source (see `services.source_records`): another
source's record is a 403 to write, a per-record refusal in a batch, and a 404 to read.
"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from mdmhub.api.answers import one_or_batch
from mdmhub.api.deps import (
    ENTITY_RESPONSES,
    EntityDep,
    SessionDep,
    SourceWriterDep,
    WriteSessionDep,
)
from mdmhub.api.schemas import (
    BatchIn,
    BatchOut,
    ErrorOut,
    RecordResultOut,
    SourceRecordOut,
    UpsertBody,
)
from mdmhub.api.upsert_groups import UpsertGroupsDep
from mdmhub.services import source_records

router = APIRouter(prefix="/v1/{entity}/records", tags=["records"], responses=ENTITY_RESPONSES)


@router.post(
    "",
    response_model=RecordResultOut | BatchOut,
    responses={422: {"model": ErrorOut, "description": "The record was refused; nothing changed."}},
    summary="Upsert one record, or a batch of up to 1,000",
)
async def upsert(
    actor: SourceWriterDep, body: UpsertBody, entity: EntityDep, groups: UpsertGroupsDep
) -> RecordResultOut | BatchOut | JSONResponse:
    """One record answers with its result (422 when refused); a batch answers per record.
    Requests that wait for the writer together are written in one transaction."""
    if isinstance(body, BatchIn):
        records = body.records
    else:
        source_records.check_may_write(actor, body.source)
        records = [body]
    inputs = [r.to_input() for r in records]
    report = await groups.upsert(actor, entity, inputs)
    return one_or_batch(
        [RecordResultOut.of(r) for r in report.results],
        isinstance(body, BatchIn),
        lambda accepted, refused, results: BatchOut(
            accepted=accepted, refused=refused, results=results
        ),
    )


@router.get("/{source}/{source_id}", response_model=SourceRecordOut)
def read(
    actor: SourceWriterDep, entity: EntityDep, source: str, source_id: str, session: SessionDep
) -> SourceRecordOut:
    record = source_records.get(session, actor, entity, source, source_id)
    return SourceRecordOut.model_validate(record)


@router.delete("/{source}/{source_id}", response_model=RecordResultOut)
def tombstone(
    actor: SourceWriterDep,
    entity: EntityDep,
    source: str,
    source_id: str,
    session: WriteSessionDep,
) -> RecordResultOut:
    """A tombstone: the record leaves matching and its golden record; its history stays."""
    return RecordResultOut.of(source_records.delete(session, actor, entity, source, source_id))
