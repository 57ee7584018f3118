"""Re-clustering every record of an entity after training or a model change,
keeping golden ids stable.

Each new cluster keeps the golden id of the old cluster it shares most members
with (each old id goes to one new cluster at most, biggest overlaps first); a
new cluster that shares no id gets a new one. An old id that no cluster keeps
is retired into the cluster that took most of its members, and reading it
redirects there. Re-running with nothing changed finds the same clusters and
changes nothing.

Steward decisions hold: records a steward placed stay with the golden record
they were placed in (those clusters keep their ids), and golden records kept
apart are never merged.
"""

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.repositories import cannot_links
from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import sources as sources_repo
from mdmhub.domain.actors import SYSTEM, Actor
from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking import blocking_keys
from mdmhub.engine.clustering import Decision
from mdmhub.engine.pipeline import IncomingRecord, StoredCandidate, resolve
from mdmhub.engine.survivorship import Member
from mdmhub.services import audit, golden_records, review_queue
from mdmhub.services.golden_records import Change
from mdmhub.services.ingest import link_method
from mdmhub.services.match_context import MatchContext


@dataclass(frozen=True)
class RematchReport:
    records: int
    moved: int
    created: int
    retired: int
    split: int


def _keep_ids(overlap: Counter[tuple[str, str]], taken: set[str]) -> dict[str, str]:
    """New cluster label -> the old golden id it keeps, biggest overlaps first."""
    kept: dict[str, str] = {}
    taken = set(taken)
    for (label, old), _ in sorted(overlap.items(), key=lambda item: (-item[1], item[0])):
        if label not in kept and old not in taken:
            kept[label] = old
            taken.add(old)
    return kept


def rematch(
    session: Session, entity: EntityType, context: MatchContext, actor: Actor = SYSTEM
) -> RematchReport:
    change = Change.now(entity, "rematch", actor)
    records = records_repo.live_records(session, entity.value)
    features = [context.standardize(entity, r.attributes) for r in records]
    keys = [blocking_keys(context.model.blocking_rules, f) for f in features]
    pinned = [i for i, r in enumerate(records) if r.link_method == records_repo.STEWARD_LINK]
    free = [i for i, r in enumerate(records) if r.link_method != records_repo.STEWARD_LINK]
    resolution = resolve(
        context.model,
        [StoredCandidate(features[i], records[i].golden_id, keys[i]) for i in pinned],
        [IncomingRecord(features[i], None, keys[i]) for i in free],
        context.block_size_cap,
        cannot_links.of_entity(session, entity.value),
    )
    clustering = resolution.clustering
    labels = [""] * len(records)
    decisions: dict[int, Decision] = {}
    for i in pinned:
        labels[i] = clustering.merges.get(records[i].golden_id, records[i].golden_id)
    for i, assignment in zip(free, clustering.assignments, strict=True):
        labels[i] = assignment.cluster
        decisions[i] = assignment.decision
    placed = {labels[i] for i in pinned}
    overlap = Counter(
        (label, r.golden_id)
        for label, r in zip(labels, records, strict=True)
        if label not in placed
    )
    kept = {label: label for label in placed} | _keep_ids(
        overlap, {records[i].golden_id for i in pinned}
    )
    new_ids = {
        label: golden_records.new_golden_id(entity) for label in sorted(set(labels) - kept.keys())
    }
    golden_of = {**kept, **new_ids}

    trust = sources_repo.trust_by_name(session, {r.source for r in records})
    born: dict[str, list[Member]] = defaultdict(list)
    changes: list[dict[str, Any]] = []
    destinations: dict[str, Counter[str]] = defaultdict(Counter)
    scores = {i: a.score for i, a in zip(free, clustering.assignments, strict=True)}
    for i, (record, feature) in enumerate(zip(records, features, strict=True)):
        target = golden_of[labels[i]]
        if target in new_ids.values():
            born[target].append(
                Member(record.source, record.source_id, trust[record.source],
                       record.updated_at, record.attributes)
            )  # fmt: skip
        if target != record.golden_id:
            destinations[record.golden_id][target] += 1
        if target != record.golden_id or feature != record.features:
            is_pinned = i not in decisions
            changes.append(
                {
                    "record_id": record.id,
                    "golden_id": target,
                    "features": feature,
                    "link_method": link_method(decisions.get(i, Decision.KEPT), is_pinned),
                    "link_score": record.link_score if is_pinned else scores[i],
                }
            )
    golden_records.create(session, change, born)
    records_repo.update_records(session, changes)
    # Every record's keys are rewritten: the blocking rules themselves may have changed.
    records_repo.replace_all_blocking_keys(
        session, entity.value, {r.id: k for r, k in zip(records, keys, strict=True)}
    )
    review_queue.open_possible_matches(
        session,
        change,
        [records[i].id for i in [*pinned, *free]],
        [(r.left, r.right, r.probability) for r in clustering.reviews],
    )
    kept_ids = set(kept.values())
    retired = {
        old: moved_to.most_common(1)[0][0]
        for old, moved_to in destinations.items()
        if old not in kept_ids
    }
    golden_records.retire_emptied(session, change, retired)
    split = {old: sorted(moved_to) for old, moved_to in destinations.items() if old in kept_ids}
    golden_records.record_splits(session, change, split)
    touched = kept_ids & ({t for moved in destinations.values() for t in moved} | set(split))
    golden_records.refresh(session, change, touched)
    report = RematchReport(
        records=len(records),
        moved=sum(sum(moved.values()) for moved in destinations.values()),
        created=len(new_ids),
        retired=len(retired),
        split=len(split),
    )
    audit.record(session, actor, "rematch", entity=entity.value, detail=asdict(report))
    return report
