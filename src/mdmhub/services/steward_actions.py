"""What a steward does to golden records by hand: merge two, split records out, keep two apart.

Every action pins the records it touches (matching never moves them again) and
records its intent as constraints, so no later ingest or re-match undoes it.
"""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from mdmhub.db.models import CannotLink, GoldenRecord, SourceRecord
from mdmhub.db.repositories import cannot_links
from mdmhub.db.repositories import golden as golden_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.domain.golden import GoldenStatus
from mdmhub.engine.survivorship import Member
from mdmhub.errors import ConflictError, InvalidInputError, NotFoundError
from mdmhub.services import audit, golden_records
from mdmhub.services.golden_records import Change


def active_golden(session: Session, change: Change, golden_id: str) -> GoldenRecord:
    """A golden record a steward may act on: it exists, is of this entity, and is active."""
    record = golden_repo.get(session, golden_id)
    if record is None or record.entity != change.entity.value:
        raise NotFoundError(f"no {change.entity.value} golden record {golden_id}")
    if record.status == GoldenStatus.MERGED:
        raise ConflictError(f"golden record {golden_id} was merged into {record.merged_into}")
    if record.status != GoldenStatus.ACTIVE:
        raise ConflictError(f"golden record {golden_id} is {record.status}")
    return record


def merge(
    session: Session, change: Change, survivor: str, retired: str, comment: str | None
) -> None:
    """`retired` joins `survivor`: its members move, its id redirects, its constraints and the
    overrides the survivor does not pin itself follow; a cannot-link between the two is lifted."""
    if survivor == retired:
        raise InvalidInputError("a golden record cannot be merged with itself", field="other")
    active_golden(session, change, survivor)
    active_golden(session, change, retired)
    records_repo.pin_members(session, [survivor, retired])
    golden_records.merge(session, change, {retired: survivor})
    golden_records.refresh(session, change, {survivor})
    audit.record_change(
        session, change, "golden.merge", survivor, {"retired": retired, "comment": comment}
    )


def keep_apart(session: Session, change: Change, left: SourceRecord, right: SourceRecord) -> None:
    """Two records are different things: both stay where they are, their golden records apart."""
    records_repo.pin_records(session, [left.id, right.id])
    _keep_golden_apart(session, change, left.golden_id, right.golden_id, "review")


def _keep_golden_apart(session: Session, change: Change, a: str, b: str, origin: str) -> None:
    first, second = cannot_links.ordered(a, b)
    cannot_links.add(
        session,
        CannotLink(
            entity=change.entity.value,
            golden_a=first,
            golden_b=second,
            origin=origin,
            created_by=change.actor.name,
            created_at=change.at,
        ),
    )


def split(
    session: Session,
    change: Change,
    golden_id: str,
    records: Sequence[tuple[str, str]],
    comment: str | None,
) -> str:
    """Move `records` out of `golden_id` into a new golden record; the two stay apart for good.

    Returns the new golden id.
    """
    active_golden(session, change, golden_id)
    wanted = set(records)
    if not wanted:
        raise InvalidInputError("name at least one record to split out", field="records")
    members = records_repo.live_members(session, [golden_id])
    leaving = [m for m in members if (m.source, m.source_id) in wanted]
    strangers = wanted - {(m.source, m.source_id) for m in leaving}
    if strangers:
        names = ", ".join(f"{s}:{i}" for s, i in sorted(strangers))
        raise InvalidInputError(f"not live members of {golden_id}: {names}", field="records")
    if len(leaving) == len(members):
        raise InvalidInputError("a split must leave at least one record behind", field="records")
    new_id = golden_records.new_golden_id(change.entity)
    golden_records.create(
        session,
        change,
        {
            new_id: [
                Member(m.source, m.source_id, m.trust, m.updated_at, m.attributes) for m in leaving
            ]
        },
    )
    records_repo.pin_members(session, [golden_id])
    records_repo.move(session, [m.id for m in leaving], new_id)
    golden_records.record_splits(session, change, {golden_id: [new_id]})
    golden_records.refresh(session, change, {golden_id})
    # The records that left were kept apart from whatever their old golden record was kept
    # apart from, and now from it too.
    apart_from = {
        link.golden_b if link.golden_a == golden_id else link.golden_a: link
        for link in cannot_links.bound_to(session, golden_id)
    }
    for other, link in sorted(apart_from.items()):
        _keep_golden_apart(session, change, new_id, other, link.origin)
    _keep_golden_apart(session, change, golden_id, new_id, "split")
    audit.record_change(
        session,
        change,
        "golden.split",
        golden_id,
        {
            "into": new_id,
            "records": [f"{s}:{i}" for s, i in sorted(wanted)],
            "comment": comment,
        },
    )
    return new_id
