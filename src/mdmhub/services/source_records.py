"""Source records as an actor may touch them, with every write in the audit log.

A source key acts only for the source it is bound to. Writing for another source is
forbidden: a single upsert or a delete answers 403, a batch refuses those records one by
one and stores the rest. Reading another source's record answers 404, as if it did not
exist. None of these answers depends on whether the other source's record exists, so a
key cannot probe for records, not even by guessing ids.

The REST API and the command line (as `SYSTEM`) share these functions, so both audit.
"""

from collections import Counter
from dataclasses import replace

from sqlalchemy.orm import Session

from mdmhub.db.models import SourceRecord
from mdmhub.domain.actors import Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import Problem, RecordInput, RecordResult
from mdmhub.errors import ForbiddenError
from mdmhub.services import audit, golden_view, ingest, match_models
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
    own = [index for index, record in enumerate(records) if not _foreign(actor, record.source)]
    report = (
        ingest.upsert_records(session, entity, [records[i] for i in own], context, actor)
        if own
        else ingest.BatchReport(results=[])
    )
    refused = [
        RecordResult(
            index, record.source, record.source_id, problems=[Problem("source", _only_own(actor))]
        )
        for index, record in enumerate(records)
        if _foreign(actor, record.source)
    ]
    stored = [replace(result, index=own[result.index]) for result in report.results]
    report.results = sorted(refused + stored, key=lambda result: result.index)
    accepted = [result for result in report.results if result.accepted]
    audit.record(
        session,
        actor,
        "records.upsert",
        entity=entity.value,
        detail={
            "records": len(report.results),
            "accepted": len(accepted),
            "refused": len(report.results) - len(accepted),
            "outcomes": dict(Counter(r.outcome.value for r in accepted if r.outcome)),
        },
    )
    return report


def upsert_with_model_in_force(
    session: Session,
    settings: Settings,
    actor: Actor,
    entity: EntityType,
    records: list[RecordInput],
) -> ingest.BatchReport:
    """`upsert` with the model read in the same transaction: a request's own unit of work
    (a bulk load reads the model once for all its chunks)."""
    return upsert(session, actor, entity, records, match_models.context(session, entity, settings))


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
