"""Recomputing golden records after their members changed, with an event per change.

Called by every write use case in the same transaction as the change, so the
outbox never disagrees with the golden records it describes.
"""

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.repositories import events as events_repo
from mdmhub.db.repositories import golden as golden_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import sources as sources_repo
from mdmhub.domain.entities import EntityType
from mdmhub.domain.golden import GoldenStatus
from mdmhub.engine.survivorship import Member, survive


def new_golden_id(entity: EntityType) -> str:
    return f"{entity.id_prefix}_{uuid.uuid4().hex}"


def create(
    session: Session,
    entity: EntityType,
    members_by_golden: Mapping[str, Sequence[Member]],
    now: datetime,
) -> None:
    """Golden records for clusters born in this batch, whose members are all at hand."""
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for golden_id, members in members_by_golden.items():
        attributes = {a: v.as_dict() for a, v in survive(members).items()}
        rows.append(
            {
                "id": golden_id,
                "entity": entity.value,
                "status": GoldenStatus.ACTIVE,
                "merged_into": None,
                "attributes": attributes,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        events.append(_event(entity, golden_id, "golden.created", _snapshot(1, attributes), now))
    golden_repo.insert_many(session, rows)
    events_repo.add_events(session, events)


def _snapshot(version: int, attributes: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    return {"version": version, "attributes": {a: v["value"] for a, v in attributes.items()}}


def _event(
    entity: EntityType, golden_id: str, kind: str, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "entity": entity.value,
        "golden_id": golden_id,
        "type": kind,
        "payload": payload,
        "occurred_at": now,
    }


def merge(session: Session, entity: EntityType, merges: Mapping[str, str], now: datetime) -> None:
    """Retire each merged-away id: members move to the survivor, the id redirects to it."""
    for retired, survivor in sorted(merges.items()):
        records_repo.relink(session, retired, survivor)
    retire(session, entity, merges, now)


def retire(session: Session, entity: EntityType, retired: Mapping[str, str], now: datetime) -> None:
    """Mark ids whose members have all moved as merged into their survivor, with an event."""
    if not retired:
        return
    states = golden_repo.states(session, sorted(retired))
    golden_repo.update_many(
        session,
        [
            {
                "id": old,
                "status": GoldenStatus.MERGED,
                "merged_into": survivor,
                "version": states[old].version + 1,
                "updated_at": now,
            }
            for old, survivor in sorted(retired.items())
        ],
    )
    events_repo.add_events(
        session,
        [
            _event(
                entity,
                old,
                "golden.merged",
                {"version": states[old].version + 1, "survivor": survivor, "retired": old},
                now,
            )
            for old, survivor in sorted(retired.items())
        ],
    )


def record_splits(
    session: Session, entity: EntityType, splits: Mapping[str, Sequence[str]], now: datetime
) -> None:
    """A `golden.split` event for each golden record that gave members to others."""
    events_repo.add_events(
        session,
        [
            _event(entity, golden_id, "golden.split", {"into": list(into)}, now)
            for golden_id, into in sorted(splits.items())
        ],
    )


def refresh(
    session: Session,
    entity: EntityType,
    golden_ids: Collection[str],
    now: datetime,
    emptied_into: Mapping[str, str] | None = None,
) -> set[str]:
    """Recompute each golden record from its live members by survivorship.

    A golden record left with no live member is deleted, unless its last
    member moved to another golden record (`emptied_into`): then it was, in
    effect, merged there and its id must redirect. Returns the ids so retired.
    """
    ids = sorted(golden_ids)
    if not ids:
        return set()
    states = golden_repo.states(session, ids)
    members_by_golden: dict[str, list[Member]] = defaultdict(list)
    live = records_repo.live_members(session, ids)
    trust = sources_repo.trust_by_name(session, {m.source for m in live})
    for m in live:
        members_by_golden[m.golden_id].append(
            Member(m.source, m.source_id, trust[m.source], m.updated_at, m.attributes)
        )
    moved = emptied_into or {}
    retired: set[str] = set()
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for golden_id in ids:
        state = states[golden_id]
        if state.status == GoldenStatus.MERGED:
            continue
        members = members_by_golden.get(golden_id)
        if members:
            attributes = {a: v.as_dict() for a, v in survive(members).items()}
            if attributes == state.attributes and state.status == GoldenStatus.ACTIVE:
                continue
            kind = "golden.updated"
            change = {"status": GoldenStatus.ACTIVE, "attributes": attributes}
            payload: dict[str, Any] = _snapshot(state.version + 1, attributes)
        elif golden_id in moved:
            kind = "golden.merged"
            change = {"status": GoldenStatus.MERGED, "merged_into": moved[golden_id]}
            payload = {"survivor": moved[golden_id], "retired": golden_id}
            retired.add(golden_id)
        elif state.status != GoldenStatus.DELETED:
            kind = "golden.deleted"
            change = {"status": GoldenStatus.DELETED}
            payload = {}
        else:
            continue
        version = state.version + 1
        updates.append({"id": golden_id, "version": version, "updated_at": now, **change})
        events.append(_event(entity, golden_id, kind, {"version": version, **payload}, now))
    golden_repo.update_many(session, updates)
    events_repo.add_events(session, events)
    return retired
