"""Upserting and deleting source records: validate, match, link, recompute golden records.

One call is one unit of work on the caller's session: it flushes, the edge
commits. A refused record changes nothing; the others of its batch go on.
"""

import hashlib
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from mdmhub.db.repositories import cannot_links
from mdmhub.db.repositories import customer_views as customer_views_repo
from mdmhub.db.repositories import golden as golden_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import sources as sources_repo
from mdmhub.domain.actors import SYSTEM, Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.golden import GoldenStatus
from mdmhub.domain.records import Outcome, Problem, RecordInput, RecordResult, check_record
from mdmhub.domain.relationships import check_links
from mdmhub.engine.blocking import blocking_keys
from mdmhub.engine.clustering import NEW_CLUSTER_PREFIX, Clustering, Decision
from mdmhub.engine.pipeline import IncomingRecord, StoredCandidate, resolve
from mdmhub.engine.standardize.records import standardize
from mdmhub.engine.survivorship import Member
from mdmhub.errors import NotFoundError
from mdmhub.services import golden_records, review_queue
from mdmhub.services.golden_records import Change
from mdmhub.services.match_context import MatchContext

LINK_METHODS = {Decision.LINKED: "auto", Decision.NEW: "new", Decision.KEPT: "kept"}


def link_method(decision: Decision, pinned: bool) -> str:
    return records_repo.STEWARD_LINK if pinned else LINK_METHODS[decision]


@dataclass
class BatchReport:
    results: list[RecordResult]
    capped_keys: dict[str, int] = field(default_factory=dict)


def content_hash(record: RecordInput) -> str:
    """Attributes, and links when there are any (so records without links hash as before)."""
    content: dict[str, Any] = record.attributes
    if record.links:
        content = {"attributes": record.attributes, "links": [k.as_dict() for k in record.links]}
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass
class _Pending:
    """An accepted record that is new or changed, on its way through matching."""

    index: int
    record: RecordInput
    digest: str
    features: dict[str, str]
    stored: records_repo.StoredRecord | None
    previous: str | None
    """The golden record it stays in unless its evidence says otherwise (see `_previous`)."""

    @property
    def pinned(self) -> bool:
        return (
            self.previous is not None
            and self.stored is not None
            and self.stored.link_method == records_repo.STEWARD_LINK
        )


def _previous(stored: records_repo.StoredRecord | None, merged_away: set[str]) -> str | None:
    """The golden record a record stays in unless its evidence says otherwise: where it is,
    or, for a deleted record sent again, where it was, steward placement included. Only when
    that id was merged away in the meantime (its other records went elsewhere) is the record
    matched afresh: the redirect says where those records went, not where this one belongs."""
    if stored is None or stored.golden_id in merged_away:
        return None
    return stored.golden_id


def refusals(
    entity: EntityType, record: RecordInput, known_sources: Collection[str]
) -> list[Problem]:
    """Why a record would be refused on its own (a batch also refuses a record it holds
    twice); training for a load leaves out the same records as the load."""
    problems = check_record(record) + check_links(entity, record.links)
    if record.source not in known_sources:
        problems.append(Problem("source", f"unknown source {record.source!r}; register it first"))
    return problems


def upsert_records(
    session: Session,
    entity: EntityType,
    records: list[RecordInput],
    context: MatchContext,
    actor: Actor = SYSTEM,
) -> BatchReport:
    change = Change.now(entity, "ingest", actor)
    results: list[RecordResult | None] = [None] * len(records)
    known_sources = sources_repo.trust_by_name(session, {r.source for r in records})
    seen: set[tuple[str, str]] = set()
    accepted: list[tuple[int, RecordInput]] = []
    for index, record in enumerate(records):
        problems = refusals(entity, record, known_sources)
        if (record.source, record.source_id) in seen:
            problems.append(Problem("source_id", "appears more than once in this batch"))
        seen.add((record.source, record.source_id))
        if problems:
            results[index] = RecordResult(index, record.source, record.source_id, problems=problems)
        else:
            accepted.append((index, record))

    stored = records_repo.find_by_source_ids(
        session, entity.value, [(r.source, r.source_id) for _, r in accepted]
    )
    merged_away = {
        golden_id
        for golden_id, state in golden_repo.states(
            session, sorted({r.golden_id for r in stored.values() if r.deleted})
        ).items()
        if state.status == GoldenStatus.MERGED
    }
    pending: list[_Pending] = []
    for index, record in accepted:
        digest = content_hash(record)
        previous = stored.get((record.source, record.source_id))
        if previous and previous.content_hash == digest and not previous.deleted:
            results[index] = RecordResult(
                index,
                record.source,
                record.source_id,
                Outcome.UNCHANGED,
                previous.golden_id,
                previous.version,
            )
        else:
            features = standardize(entity, record.attributes, context.phone_region, context.extras)
            pending.append(
                _Pending(
                    index, record, digest, features, previous, _previous(previous, merged_away)
                )
            )

    report = BatchReport(results=[])
    if pending:
        report = _match_and_write(session, change, pending, context, known_sources, results)
    report.results = [r for r in results if r is not None]
    return report


@dataclass(frozen=True)
class MatchedNew:
    """Records the hub does not hold, matched outside the transaction (a first load's
    worker, `services/first_load.py`), named as `_write_matched` takes them."""

    records: list[RecordInput]
    indexes: list[int]
    """Each record's index in its request or chunk, for its result."""
    features: list[dict[str, str]]
    digests: list[str]
    keys: list[list[str]]
    clustering: Clustering
    candidate_ids: list[int]


def store_matched(
    session: Session, entity: EntityType, matched: MatchedNew, actor: Actor = SYSTEM
) -> tuple[list[RecordResult], list[int]]:
    """Store new records matched elsewhere as `upsert_records` stores what it matched;
    returns their results and stored ids, in order."""
    change = Change.now(entity, "ingest", actor)
    trust = sources_repo.trust_by_name(session, {r.source for r in matched.records})
    pending = [
        _Pending(index, record, digest, features, None, None)
        for index, record, digest, features in zip(
            matched.indexes, matched.records, matched.digests, matched.features, strict=True
        )
    ]
    return _write_matched(
        session, change, pending, matched.keys, matched.clustering, matched.candidate_ids, trust
    )


def _match_and_write(
    session: Session,
    change: Change,
    pending: list[_Pending],
    context: MatchContext,
    trust: Mapping[str, float],
    results: list[RecordResult | None],
) -> BatchReport:
    """Match the batch against its candidates, then store records and golden records."""
    entity, model = change.entity, context.model
    keys = [blocking_keys(model.blocking_rules, p.features) for p in pending]
    updated_ids = {p.stored.id for p in pending if p.stored}
    candidates, capped = records_repo.candidates(
        session, entity.value, {k for ks in keys for k in ks}, updated_ids, context.block_size_cap
    )
    clusters = {c.golden_id for c in candidates} | {p.previous for p in pending if p.previous}
    resolution = resolve(
        model,
        [StoredCandidate(c.features, c.golden_id, c.shared_keys) for c in candidates],
        [
            IncomingRecord(
                p.features,
                p.previous,
                [k for k in record_keys if k not in capped],
                pinned=p.pinned,
            )
            for p, record_keys in zip(pending, keys, strict=True)
        ],
        context.block_size_cap,
        cannot_links.among(session, clusters),
    )
    written, _ = _write_matched(
        session, change, pending, keys, resolution.clustering, [c.id for c in candidates], trust
    )
    for item, result in zip(pending, written, strict=True):
        results[item.index] = result
    return BatchReport(results=[], capped_keys=capped)


def _write_matched(
    session: Session,
    change: Change,
    pending: list[_Pending],
    keys: list[list[str]],
    clustering: Clustering,
    candidate_ids: list[int],
    trust: Mapping[str, float],
) -> tuple[list[RecordResult], list[int]]:
    """Store a matched batch: its records, the golden records it gives birth to, merges or
    changes, and its review tasks. `clustering` names clusters by golden id, or `new:…`
    for clusters born in the batch; its review pairs count `candidate_ids` first, then the
    batch. Returns each record's result and stored id, in batch order."""
    entity = change.entity
    new_ids = {
        a.cluster: golden_records.new_golden_id(entity)
        for a in clustering.assignments
        if a.cluster.startswith(NEW_CLUSTER_PREFIX)
    }
    golden_of = [new_ids.get(a.cluster, a.cluster) for a in clustering.assignments]
    born = _born(pending, golden_of, set(new_ids.values()), trust, change.at)
    golden_records.create(session, change, born)
    record_ids, emptied_into = _write_records(session, change, pending, keys, clustering, golden_of)
    review_queue.open_possible_matches(
        session,
        change,
        candidate_ids + record_ids,
        [(r.left, r.right, r.probability) for r in clustering.reviews],
    )
    merges = {  # a cluster born in this batch has no golden record to retire
        retired: new_ids.get(survivor, survivor)
        for retired, survivor in clustering.merges.items()
        if not retired.startswith(NEW_CLUSTER_PREFIX)
    }
    golden_records.merge(session, change, merges)
    emptied_into = {old: merges.get(new, new) for old, new in emptied_into.items()}
    affected = (set(golden_of) - born.keys()) | emptied_into.keys()
    retired = golden_records.refresh(session, change, affected - set(merges), emptied_into)
    merged_clusters = set(merges.values()) | {emptied_into[old] for old in retired}
    written = []
    for item, golden_id in zip(pending, golden_of, strict=True):
        moved = item.stored is None or item.stored.golden_id != golden_id
        if golden_id in merged_clusters and moved:
            outcome = Outcome.MERGED
        else:
            outcome = Outcome.CREATED if item.stored is None else Outcome.UPDATED
        version = item.stored.version + 1 if item.stored else 1
        written.append(
            RecordResult(
                item.index, item.record.source, item.record.source_id, outcome, golden_id, version
            )
        )
    return written, record_ids


def _born(
    pending: list[_Pending],
    golden_of: list[str],
    new_ids: set[str],
    trust: Mapping[str, float],
    now: datetime,
) -> dict[str, list[Member]]:
    """Members of the golden records born in this batch: all of them are at hand."""
    born: dict[str, list[Member]] = defaultdict(list)
    for item, golden_id in zip(pending, golden_of, strict=True):
        if golden_id in new_ids:
            record = item.record
            born[golden_id].append(
                Member(
                    record.source, record.source_id, trust[record.source], now, record.attributes
                )
            )
    return born


def _write_records(
    session: Session,
    change: Change,
    pending: list[_Pending],
    keys: list[list[str]],
    clustering: Clustering,
    golden_of: list[str],
) -> tuple[list[int], dict[str, str]]:
    """Insert new records, update changed ones, with a version row and blocking keys each.

    Returns the records' ids (in batch order), and old golden id -> new one for
    updated records that changed golden record.
    """
    now = change.at
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    new_keys: list[list[str]] = []
    updated_keys: dict[int, list[str]] = {}
    emptied_into: dict[str, str] = {}
    for item, record_keys, assignment, golden_id in zip(
        pending, keys, clustering.assignments, golden_of, strict=True
    ):
        row = {
            "attributes": item.record.attributes,
            "features": item.features,
            "content_hash": item.digest,
            "golden_id": golden_id,
            "link_method": records_repo.STEWARD_LINK
            if item.pinned
            else LINK_METHODS[assignment.decision],
            "link_score": assignment.score,
            "deleted": False,
            "updated_at": now,
        }
        if item.stored is None:
            inserts.append(
                {
                    **row,
                    "entity": change.entity.value,
                    "source": item.record.source,
                    "source_id": item.record.source_id,
                    "version": 1,
                    "created_at": now,
                }
            )
            new_keys.append(record_keys)
        else:
            updates.append({**row, "record_id": item.stored.id, "version": item.stored.version + 1})
            updated_keys[item.stored.id] = record_keys
            if not item.stored.deleted and item.previous != golden_id:
                emptied_into[item.stored.golden_id] = golden_id
    new_record_ids = records_repo.insert_records(session, inserts)
    records_repo.update_records(session, updates)
    new_ids = iter(new_record_ids)
    record_ids = [next(new_ids) if p.stored is None else p.stored.id for p in pending]
    records_repo.insert_versions(
        session,
        [
            {
                "record_id": record_id,
                "version": item.stored.version + 1 if item.stored else 1,
                "attributes": item.record.attributes,
                "content_hash": item.digest,
                "deleted": False,
                "recorded_at": now,
                "links": [k.as_dict() for k in item.record.links] or None,
            }
            for item, record_id in zip(pending, record_ids, strict=True)
        ],
    )
    records_repo.replace_blocking_keys(
        session,
        change.entity.value,
        {**dict(zip(new_record_ids, new_keys, strict=True)), **updated_keys},
        sorted(updated_keys),
    )
    records_repo.replace_links(
        session,
        {
            record_id: item.record.links
            for item, record_id in zip(pending, record_ids, strict=True)
            if item.record.links
        },
        sorted(updated_keys),
    )
    return record_ids, emptied_into


def delete_record(
    session: Session, entity: EntityType, source: str, source_id: str, actor: Actor = SYSTEM
) -> RecordResult:
    """Tombstone a record: it leaves matching, its golden record is recomputed, history stays."""
    record = records_repo.get(session, entity.value, source, source_id)
    if record is None:
        raise NotFoundError(f"no {entity.value} record {source}:{source_id}")
    if record.deleted:
        return RecordResult(
            0, source, source_id, Outcome.UNCHANGED, record.golden_id, record.version
        )
    change = Change.now(entity, "delete", actor)
    now = change.at
    record.deleted = True
    record.version += 1
    record.updated_at = now
    session.flush()
    customer_views_repo.mark_records(session, [record.id])
    records_repo.insert_versions(
        session,
        [
            {
                "record_id": record.id,
                "version": record.version,
                "attributes": record.attributes,
                "content_hash": record.content_hash,
                "deleted": True,
                "recorded_at": now,
            }
        ],
    )
    records_repo.replace_blocking_keys(session, entity.value, {}, [record.id])
    golden_records.refresh(session, change, {record.golden_id})
    return RecordResult(0, source, source_id, Outcome.DELETED, record.golden_id, record.version)
