"""Recomputing golden records after their members changed, with an event and a history
version per change.

Called by every write use case in the same transaction as the change, so the
outbox and the history never disagree with the golden records they describe.
"""

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.repositories import cannot_links
from mdmhub.db.repositories import events as events_repo
from mdmhub.db.repositories import golden as golden_repo
from mdmhub.db.repositories import overrides as overrides_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import review_tasks as review_tasks_repo
from mdmhub.domain.actors import Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.golden import GoldenStatus
from mdmhub.domain.review import ReviewKind, ReviewStatus
from mdmhub.engine.survivorship import Member, survive

OVERRIDE_RULE = "steward_override"


@dataclass(frozen=True)
class Change:
    """Why golden records change in this unit of work; their history keeps it."""

    entity: EntityType
    operation: str
    actor: Actor
    at: datetime

    @classmethod
    def now(cls, entity: EntityType, operation: str, actor: Actor) -> "Change":
        return cls(entity, operation, actor, utcnow())


def new_golden_id(entity: EntityType) -> str:
    return f"{entity.id_prefix}_{uuid.uuid4().hex}"


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed per attribute, with the lineage of the new value (why it changed)."""
    changes: list[dict[str, Any]] = []
    for attribute in sorted(before.keys() | after.keys()):
        old, new = before.get(attribute), after.get(attribute)
        if old != new:
            changes.append(
                {
                    "attribute": attribute,
                    "before": old["value"] if old else None,
                    "after": new["value"] if new else None,
                    **({k: v for k, v in new.items() if k != "value"} if new else {}),
                }
            )
    return changes


class _Writes:
    """The golden rows, versions and events of one call, written together at the end."""

    def __init__(self, change: Change) -> None:
        self.change = change
        self.versions: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def add(
        self,
        golden_id: str,
        version: int,
        kind: str,
        state: dict[str, Any],
        changes: list[dict[str, Any]],
        payload: dict[str, Any],
    ) -> None:
        change = self.change
        self.versions.append(
            {
                "golden_id": golden_id,
                "entity": change.entity.value,
                "version": version,
                "status": state["status"],
                "merged_into": state.get("merged_into"),
                "attributes": state["attributes"],
                "changes": changes,
                "operation": change.operation,
                "actor": change.actor.name,
                "recorded_at": change.at,
            }
        )
        self.events.append(
            {
                "entity": change.entity.value,
                "golden_id": golden_id,
                "type": kind,
                "payload": {"version": version, **payload},
                "occurred_at": change.at,
            }
        )

    def flush(self, session: Session) -> None:
        golden_repo.add_versions(session, self.versions)
        events_repo.add_events(session, self.events)


def _values(attributes: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    return {"attributes": {a: v["value"] for a, v in attributes.items()}}


def create(
    session: Session, change: Change, members_by_golden: Mapping[str, Sequence[Member]]
) -> None:
    """Golden records for clusters born in this unit of work, whose members are all at hand."""
    rows: list[dict[str, Any]] = []
    writes = _Writes(change)
    for golden_id, members in members_by_golden.items():
        attributes = {a: v.as_dict() for a, v in survive(members).items()}
        row = {
            "id": golden_id,
            "entity": change.entity.value,
            "status": GoldenStatus.ACTIVE,
            "merged_into": None,
            "attributes": attributes,
            "version": 1,
            "created_at": change.at,
            "updated_at": change.at,
        }
        rows.append(row)
        writes.add(golden_id, 1, "golden.created", row, _diff({}, attributes), _values(attributes))
    golden_repo.insert_many(session, rows)
    writes.flush(session)


def merge(session: Session, change: Change, merges: Mapping[str, str]) -> None:
    """Retire each merged-away id: members move to the survivor, the id redirects to it."""
    for retired, survivor in sorted(merges.items()):
        records_repo.relink(session, retired, survivor)
    retire(session, change, merges)


def _carry_over(session: Session, change: Change, retired: Mapping[str, str]) -> set[str]:
    """What stewards decided about a merged-away golden record binds its survivor.

    Returns the survivors that received an override (their values must be recomputed).
    """
    if not retired:
        return set()
    cannot_links.follow_merges(session, retired)
    return overrides_repo.follow_merges(session, retired, change.at)


def retire(session: Session, change: Change, retired: Mapping[str, str]) -> None:
    """Mark ids whose members have all moved as merged into their survivor, with an event."""
    if not retired:
        return
    _carry_over(session, change, retired)
    states = golden_repo.states(session, sorted(retired))
    updates: list[dict[str, Any]] = []
    writes = _Writes(change)
    for old, survivor in sorted(retired.items()):
        state = states[old]
        version = state.version + 1
        row = {
            "id": old,
            "status": GoldenStatus.MERGED,
            "merged_into": survivor,
            "version": version,
            "updated_at": change.at,
        }
        updates.append(row)
        writes.add(
            old,
            version,
            "golden.merged",
            {**row, "attributes": state.attributes},
            [],
            {"survivor": survivor, "retired": old},
        )
    golden_repo.update_many(session, updates)
    writes.flush(session)


def _kept_apart(session: Session, moved: Mapping[str, str]) -> set[str]:
    """Emptied golden records whose members went to one a steward kept them apart from."""
    if not moved:
        return set()
    pairs = set(cannot_links.among(session, set(moved) | set(moved.values())))
    return {old for old, new in moved.items() if cannot_links.ordered(old, new) in pairs}


def retire_emptied(session: Session, change: Change, emptied: Mapping[str, str]) -> None:
    """Golden records whose live members all went elsewhere redirect to where they went,
    unless a steward kept the two apart: then the id is closed as deleted, not redirected."""
    apart = _kept_apart(session, emptied)
    retire(session, change, {old: new for old, new in emptied.items() if old not in apart})
    refresh(session, change, apart)


def record_splits(session: Session, change: Change, splits: Mapping[str, Sequence[str]]) -> None:
    """A `golden.split` event for each golden record that gave members to others."""
    events_repo.add_events(
        session,
        [
            {
                "entity": change.entity.value,
                "golden_id": golden_id,
                "type": "golden.split",
                "payload": {"into": list(into)},
                "occurred_at": change.at,
            }
            for golden_id, into in sorted(splits.items())
        ],
    )


def refresh(
    session: Session,
    change: Change,
    golden_ids: Collection[str],
    emptied_into: Mapping[str, str] | None = None,
) -> set[str]:
    """Recompute each golden record from its live members by survivorship, then its overrides.

    A golden record left with no live member is deleted, unless its last
    member moved to another golden record (`emptied_into`) that no steward kept
    it apart from: then it was, in effect, merged there and its id must
    redirect. Returns the ids so retired.
    """
    ids = sorted(golden_ids)
    if not ids:
        return set()
    states = golden_repo.states(session, ids)
    members_by_golden: dict[str, list[Member]] = defaultdict(list)
    record_ids: dict[tuple[str, str], int] = {}
    for m in records_repo.live_members(session, ids):
        members_by_golden[m.golden_id].append(
            Member(m.source, m.source_id, m.trust, m.updated_at, m.attributes)
        )
        record_ids[(m.source, m.source_id)] = m.id
    overrides = overrides_repo.active(session, ids)
    moved = emptied_into or {}
    apart = _kept_apart(session, {g: moved[g] for g in ids if g in moved})
    retired: set[str] = set()
    updates: list[dict[str, Any]] = []
    writes = _Writes(change)
    conflicts: list[dict[str, Any]] = []
    for golden_id in ids:
        state = states[golden_id]
        if state.status == GoldenStatus.MERGED:
            continue
        members = members_by_golden.get(golden_id)
        if members:
            survived = {a: v.as_dict() for a, v in survive(members).items()}
            pinned = overrides.get(golden_id, {})
            attributes = apply_overrides(survived, pinned)
            conflicts.extend(
                _conflicts(change, golden_id, state.attributes, survived, pinned, record_ids)
            )
            if attributes == state.attributes and state.status == GoldenStatus.ACTIVE:
                continue
            kind = "golden.updated"
            row: dict[str, Any] = {"status": GoldenStatus.ACTIVE, "attributes": attributes}
            payload: dict[str, Any] = _values(attributes)
        elif golden_id in moved and golden_id not in apart:
            kind = "golden.merged"
            row = {"status": GoldenStatus.MERGED, "merged_into": moved[golden_id]}
            payload = {"survivor": moved[golden_id], "retired": golden_id}
            retired.add(golden_id)
        elif state.status != GoldenStatus.DELETED:
            kind = "golden.deleted"
            row = {"status": GoldenStatus.DELETED}
            payload = {}
        else:
            continue
        version = state.version + 1
        updates.append({"id": golden_id, "version": version, "updated_at": change.at, **row})
        after = row.get("attributes", state.attributes)
        writes.add(
            golden_id,
            version,
            kind,
            {"attributes": after, **row},
            _diff(state.attributes, after),
            payload,
        )
    golden_repo.update_many(session, updates)
    writes.flush(session)
    review_tasks_repo.add(session, conflicts)
    received = _carry_over(session, change, {old: moved[old] for old in retired})
    if received:
        refresh(session, change, received)
    return retired


def apply_overrides(
    attributes: Mapping[str, dict[str, str]], pinned: Mapping[str, overrides_repo.ActiveOverride]
) -> dict[str, dict[str, str]]:
    """A pinned value wins; its lineage names the steward, and keeps what the sources say."""
    result = dict(attributes)
    for attribute, override in pinned.items():
        from_sources = attributes.get(attribute)
        result[attribute] = {
            "value": override.value,
            "source": "steward",
            "source_id": override.created_by,
            "rule": OVERRIDE_RULE,
            "reason": override.reason,
            "source_value": from_sources["value"] if from_sources else "",
        }
    return dict(sorted(result.items()))


def _conflicts(
    change: Change,
    golden_id: str,
    before: Mapping[str, Mapping[str, str]],
    survived: Mapping[str, Mapping[str, str]],
    pinned: Mapping[str, overrides_repo.ActiveOverride],
    record_ids: Mapping[tuple[str, str], int],
) -> list[dict[str, Any]]:
    """Review tasks for pinned attributes whose sources now say something new and different."""
    tasks: list[dict[str, Any]] = []
    for attribute, override in pinned.items():
        now = survived.get(attribute)
        previous = before.get(attribute, {})
        said = previous.get("source_value", previous.get("value", ""))
        if now is None or now["value"] in (said, override.value):
            continue
        tasks.append(
            {
                "entity": change.entity.value,
                "kind": ReviewKind.OVERRIDE_CONFLICT,
                "status": ReviewStatus.OPEN,
                "left_record_id": record_ids[(now["source"], now["source_id"])],
                "right_record_id": None,
                "golden_id": golden_id,
                "score": None,
                "detail": {
                    "attribute": attribute,
                    "override": override.value,
                    "source_value": now["value"],
                },
                "pair_key": None,
                "created_at": change.at,
            }
        )
    return tasks
