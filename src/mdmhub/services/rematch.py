"""Re-clustering every record of an entity after training or a model change,
keeping golden ids stable.

Each new cluster keeps the golden id of the old cluster it shares most members
with (each old id goes to one new cluster at most, biggest overlaps first); a
new cluster that shares no id gets a new one. An old id that no cluster keeps
is retired into the cluster that took most of its members, and reading it
redirects there. Re-running with nothing changed finds the same clusters and
changes nothing.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import sources as sources_repo
from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking import blocking_keys
from mdmhub.engine.pipeline import IncomingRecord, resolve
from mdmhub.engine.survivorship import Member
from mdmhub.services import golden_records
from mdmhub.services.ingest import LINK_METHODS, MatchContext


@dataclass(frozen=True)
class RematchReport:
    records: int
    moved: int
    created: int
    retired: int
    split: int


def _keep_ids(overlap: Counter[tuple[str, str]]) -> dict[str, str]:
    """New cluster label -> the old golden id it keeps, biggest overlaps first."""
    kept: dict[str, str] = {}
    taken: set[str] = set()
    for (label, old), _ in sorted(overlap.items(), key=lambda item: (-item[1], item[0])):
        if label not in kept and old not in taken:
            kept[label] = old
            taken.add(old)
    return kept


def rematch(session: Session, entity: EntityType, context: MatchContext) -> RematchReport:
    now = utcnow()
    records = records_repo.live_records(session, entity.value)
    features = [context.standardize(entity, r.attributes) for r in records]
    keys = [blocking_keys(context.model.blocking_rules, f) for f in features]
    resolution = resolve(
        context.model,
        [],
        [IncomingRecord(f, None, k) for f, k in zip(features, keys, strict=True)],
        context.block_size_cap,
    )
    assignments = resolution.clustering.assignments
    overlap = Counter((a.cluster, r.golden_id) for a, r in zip(assignments, records, strict=True))
    kept = _keep_ids(overlap)
    new_ids = {
        label: golden_records.new_golden_id(entity)
        for label in sorted({a.cluster for a in assignments} - kept.keys())
    }
    golden_of = {**kept, **new_ids}

    trust = sources_repo.trust_by_name(session, {r.source for r in records})
    born: dict[str, list[Member]] = defaultdict(list)
    changes: list[dict[str, Any]] = []
    destinations: dict[str, Counter[str]] = defaultdict(Counter)
    for record, assignment, feature in zip(records, assignments, features, strict=True):
        target = golden_of[assignment.cluster]
        if target in new_ids.values():
            born[target].append(
                Member(record.source, record.source_id, trust[record.source],
                       record.updated_at, record.attributes)
            )  # fmt: skip
        if target != record.golden_id:
            destinations[record.golden_id][target] += 1
        if target != record.golden_id or feature != record.features:
            changes.append(
                {
                    "record_id": record.id,
                    "golden_id": target,
                    "features": feature,
                    "link_method": LINK_METHODS[assignment.decision],
                    "link_score": assignment.score,
                }
            )
    golden_records.create(session, entity, born, now)
    records_repo.update_records(session, changes)
    # Every record's keys are rewritten: the blocking rules themselves may have changed.
    records_repo.replace_all_blocking_keys(
        session, entity.value, {r.id: k for r, k in zip(records, keys, strict=True)}
    )
    kept_ids = set(kept.values())
    retired = {
        old: moved_to.most_common(1)[0][0]
        for old, moved_to in destinations.items()
        if old not in kept_ids
    }
    golden_records.retire(session, entity, retired, now)
    split = {old: sorted(moved_to) for old, moved_to in destinations.items() if old in kept_ids}
    golden_records.record_splits(session, entity, split, now)
    touched = kept_ids & ({t for moved in destinations.values() for t in moved} | set(split))
    golden_records.refresh(session, entity, touched, now)
    return RematchReport(
        records=len(records),
        moved=sum(sum(moved.values()) for moved in destinations.values()),
        created=len(new_ids),
        retired=len(retired),
        split=len(split),
    )
