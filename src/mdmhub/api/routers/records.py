"""Source systems upsert, read back and delete their records."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from mdmhub.api.answers import one_or_batch
from mdmhub.api.deps import EntityDep, MatchContextDep, SessionDep, WriteSessionDep
from mdmhub.api.schemas import (
    BatchIn,
    BatchOut,
    ErrorOut,
    RecordResultOut,
    SourceRecordOut,
    UpsertBody,
)
from mdmhub.services import golden_view, ingest

router = APIRouter(prefix="/v1/{entity}/records", tags=["records"])


@router.post(
    "",
    response_model=RecordResultOut | BatchOut,
    responses={422: {"model": ErrorOut, "description": "The record was refused; nothing changed."}},
    summary="Upsert one record, or a batch of up to 1,000",
)
def upsert(
    body: UpsertBody,
    entity: EntityDep,
    session: WriteSessionDep,
    context: MatchContextDep,
) -> RecordResultOut | BatchOut | JSONResponse:
    """One record answers with its result (422 when refused); a batch answers per record."""
    records = body.records if isinstance(body, BatchIn) else [body]
    report = ingest.upsert_records(session, entity, [r.to_input() for r in records], context)
    return one_or_batch(
        [RecordResultOut.of(r) for r in report.results],
        isinstance(body, BatchIn),
        lambda accepted, refused, results: BatchOut(
            accepted=accepted, refused=refused, results=results
        ),
    )


@router.get("/{source}/{source_id}", response_model=SourceRecordOut)
def read(entity: EntityDep, source: str, source_id: str, session: SessionDep) -> SourceRecordOut:
    record = golden_view.get_source_record(session, entity, source, source_id)
    return SourceRecordOut.model_validate(record)


@router.delete("/{source}/{source_id}", response_model=RecordResultOut)
def tombstone(
    entity: EntityDep, source: str, source_id: str, session: WriteSessionDep
) -> RecordResultOut:
    """A tombstone: the record leaves matching and its golden record; its history stays."""
    return RecordResultOut.of(ingest.delete_record(session, entity, source, source_id))
