"""Source records as an actor may touch them, with every write in the audit log.

A source key acts only for the source it is bound to. Writing for another source is
forbidden: a single upsert or a delete answers 403, a batch refuses those records one by
one and stores the rest. Reading another source's record answers 404, as if it did not
exist. None of these answers depends on whether the other source's record exists, so a
key cannot probe for records, not even by guessing ids.

The REST API and the command line (as `SYSTEM`) share these functions, so both audit.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.models import SourceRecord
from mdmhub.domain.actors import Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import Problem, RecordInput, RecordResult
from mdmhub.errors import ForbiddenError
from mdmhub.services import audit, first_load, golden_view, ingest, match_models
from mdmhub.services.match_context import MatchContext
from mdmhub.settings import Settings


def _foreign(actor: Actor, source: str) -> bool:
    return not actor.acts_for(source)


def _only_own(actor: Actor) -> str:
    return f"this key acts only for source {actor.source!r}"


def check_may_write(actor: Actor, source: str) -> None:
    if _foreign(actor, source):
        raise ForbiddenError(_only_own(actor), field="source")


def upsert(
    session: Session,
    actor: Actor,
    entity: EntityType,
    records: list[RecordInput],
    context: MatchContext,
) -> ingest.BatchReport:
    """`ingest.upsert_records` for this actor: other sources' records are refused."""
    [report] = upsert_requests(session, actor, entity, [records], context)
    return report


def upsert_requests(
    session: Session,
    actor: Actor,
    entity: EntityType,
    requests: Sequence[list[RecordInput]],
    context: MatchContext,
) -> list[ingest.BatchReport]:
    """`upsert` for several requests of one actor in one transaction: their records are
    matched as one batch, and each request is audited and answered on its own. No two
    requests may hold the same record (the batch would refuse the second as a repeat)."""
    own = [
        (request, index)
        for request, records in enumerate(requests)
        for index, record in enumerate(records)
        if not _foreign(actor, record.source)
    ]
    report = (
        ingest.upsert_records(session, entity, [requests[r][i] for r, i in own], context, actor)
        if own
        else ingest.BatchReport(results=[])
    )
    stored: list[list[RecordResult]] = [[] for _ in requests]
    for result in report.results:
        request, index = own[result.index]
        stored[request].append(replace(result, index=index))
    reports = []
    entries: list[dict[str, Any]] = []
    for records, answers in zip(requests, stored, strict=True):
        refused = [
            RecordResult(
                index,
                record.source,
                record.source_id,
                problems=[Problem("source", _only_own(actor))],
            )
            for index, record in enumerate(records)
            if _foreign(actor, record.source)
        ]
        results = sorted(refused + answers, key=lambda result: result.index)
        entries.append(_upsert_entry(actor, entity, results))
        reports.append(ingest.BatchReport(results=results, capped_keys=report.capped_keys))
    audit.record_all(session, entries)
    return reports


def store_first_load_chunk(
    session: Session,
    actor: Actor,
    entity: EntityType,
    load: first_load.FirstLoad,
    chunk: first_load.WorkerChunk,
) -> ingest.BatchReport:
    """A chunk of a first load, matched by its worker: stored and audited as an upsert of
    the same records is."""
    report = load.store(session, chunk, actor)
    audit.record_all(session, [_upsert_entry(actor, entity, report.results)])
    return report


def _upsert_entry(actor: Actor, entity: EntityType, results: list[RecordResult]) -> dict[str, Any]:
    accepted = [result for result in results if result.accepted]
    return audit.entry(
        actor,
        "records.upsert",
        entity=entity.value,
        detail={
            "records": len(results),
            "accepted": len(accepted),
            "refused": len(results) - len(accepted),
            "outcomes": dict(Counter(r.outcome.value for r in accepted if r.outcome)),
        },
    )


def upsert_with_model_in_force(
    session: Session,
    settings: Settings,
    actor: Actor,
    entity: EntityType,
    requests: Sequence[list[RecordInput]],
) -> list[ingest.BatchReport]:
    """`upsert_requests` with the model read in the same transaction: requests' own unit of
    work (a bulk load reads the model once for all its chunks)."""
    context = match_models.context(session, entity, settings)
    return upsert_requests(session, actor, entity, requests, context)


def delete(
    session: Session, actor: Actor, entity: EntityType, source: str, source_id: str
) -> RecordResult:
    check_may_write(actor, source)
    result = ingest.delete_record(session, entity, source, source_id, actor)
    audit.record(
        session,
        actor,
        "records.delete",
        entity=entity.value,
        target=f"{source}:{source_id}",
        detail={
            "outcome": result.outcome.value if result.outcome else None,
            "golden_id": result.golden_id,
        },
    )
    return result


def get(
    session: Session, actor: Actor, entity: EntityType, source: str, source_id: str
) -> SourceRecord:
    if _foreign(actor, source):
        raise golden_view.no_source_record(entity, source, source_id)
    return golden_view.get_source_record(session, entity, source, source_id)
