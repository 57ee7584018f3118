"""Queries on source records, their versions, blocking keys and crosswalk links.

Bulk paths use Core-style executemany statements: a load writes tens of
thousands of rows per chunk, and ORM unit-of-work bookkeeping would dominate.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from mdmhub.db.models import (
    BlockingKey,
    GoldenRecord,
    RecordLink,
    Source,
    SourceRecord,
    SourceRecordVersion,
)
from mdmhub.db.repositories import bulk, customer_views
from mdmhub.db.repositories.bulk import (
    DRIVER_FROM_ROWS,
    chunks,
    insert_rows,
    insert_values,
    new_ids,
)
from mdmhub.db.repositories.rows import select_rows
from mdmhub.db.repositories.value_lists import by_unique_key, one_of
from mdmhub.domain.records import LinkInput

STEWARD_LINK = "steward"
"""The link method of a record a steward placed: matching never moves it."""


@dataclass(frozen=True, slots=True)
class StoredRecord:
    id: int
    source: str
    source_id: str
    version: int
    content_hash: str
    golden_id: str
    deleted: bool
    link_method: str


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    features: dict[str, str]
    golden_id: str
    shared_keys: list[str]


@dataclass(frozen=True, slots=True)
class LiveMember:
    id: int
    golden_id: str
    source: str
    source_id: str
    attributes: dict[str, Any]
    updated_at: datetime
    trust: float
    """Of the member's source, read in the same query (an inner join that drops no record:
    a record's source is a foreign key, and sources are never deleted): survivorship needs
    it, and a query of its own cost a single-record upsert a round trip to the database."""


# Hot statements are built once with list parameters (`one_of`): constructing a
# select() per call cost more than running it for single-record upserts.
_STORED_COLUMNS = (
    SourceRecord.id,
    SourceRecord.source,
    SourceRecord.source_id,
    SourceRecord.version,
    SourceRecord.content_hash,
    SourceRecord.golden_id,
    SourceRecord.deleted,
    SourceRecord.link_method,
)
_FIND_BY_SOURCE_IDS = by_unique_key(
    _STORED_COLUMNS,
    (SourceRecord.entity == bindparam("entity"), SourceRecord.source == bindparam("source")),
    SourceRecord.source_id,
    "ids",
)
_KEY_MEMBERS = select(BlockingKey.key, BlockingKey.record_id).where(
    BlockingKey.entity == bindparam("entity"),
    one_of(BlockingKey.key, "keys"),
)
_KEYS_OF_ENTITY = select(BlockingKey.record_id, BlockingKey.key).where(
    BlockingKey.entity == bindparam("entity")
)
_CANDIDATES = select(SourceRecord.id, SourceRecord.features, SourceRecord.golden_id).where(
    one_of(SourceRecord.id, "ids")
)
_LIVE_MEMBERS = (
    select(
        SourceRecord.id,
        SourceRecord.golden_id,
        SourceRecord.source,
        SourceRecord.source_id,
        SourceRecord.attributes,
        SourceRecord.updated_at,
        Source.trust,
    )
    .join(Source, Source.name == SourceRecord.source)
    .where(one_of(SourceRecord.golden_id, "ids"), SourceRecord.deleted.is_(False))
)


def find_by_source_ids(
    session: Session, entity: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], StoredRecord]:
    ids_by_source: dict[str, list[str]] = defaultdict(list)
    for source, source_id in keys:
        ids_by_source[source].append(source_id)
    found: dict[tuple[str, str], StoredRecord] = {}
    for source, source_ids in ids_by_source.items():
        for chunk in chunks(source_ids):
            rows = select_rows(
                session,
                _FIND_BY_SOURCE_IDS[session.get_bind().dialect.name],
                {"entity": entity, "source": source, "ids": list(chunk)},
            )
            for row in rows:
                found[(row.source, row.source_id)] = StoredRecord(**row._mapping)
    return found


def last_version_id(session: Session) -> int:
    """The id of the newest record version, 0 when there is none: every insert, update and
    delete of a record writes one."""
    return session.scalar(select(func.max(SourceRecordVersion.id))) or 0


def holds_any(session: Session, entity: str) -> bool:
    """Whether the hub holds a record of `entity`, live or deleted."""
    found = session.scalar(select(SourceRecord.id).where(SourceRecord.entity == entity).limit(1))
    return found is not None


def get(session: Session, entity: str, source: str, source_id: str) -> SourceRecord | None:
    return session.scalar(
        select(SourceRecord).where(
            SourceRecord.entity == entity,
            SourceRecord.source == source,
            SourceRecord.source_id == source_id,
        )
    )


def candidates(
    session: Session, entity: str, keys: Iterable[str], exclude: set[int], cap: int
) -> tuple[list[Candidate], dict[str, int]]:
    """Live records sharing a key, with the keys they share.

    Keys held by more than `cap` records are skipped and returned with their size.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for key_chunk in chunks(sorted(set(keys))):
        key_rows = select_rows(session, _KEY_MEMBERS, {"entity": entity, "keys": list(key_chunk)})
        for key, record_id in key_rows:
            members[key].append(record_id)
    capped = {key: len(ids) for key, ids in members.items() if len(ids) > cap}
    shared: dict[int, list[str]] = defaultdict(list)
    for key, ids in members.items():
        if key not in capped:
            for record_id in ids:
                shared[record_id].append(key)
    return candidates_among(session, shared, exclude), capped


def candidates_among(
    session: Session, shared: Mapping[int, list[str]], exclude: set[int]
) -> list[Candidate]:
    """The candidates among these records (id -> keys shared), `exclude` left out."""
    wanted = sorted(shared.keys() - exclude)
    return [
        Candidate(row.id, row.features, row.golden_id, shared[row.id])
        for chunk in chunks(wanted)
        for row in select_rows(session, _CANDIDATES, {"ids": list(chunk)})
    ]


_KEYS_IN_RANGE = (
    select(BlockingKey.key, BlockingKey.record_id)
    .where(
        BlockingKey.entity == bindparam("entity"),
        BlockingKey.key >= bindparam("low"),
        BlockingKey.key < bindparam("high"),
    )
    .limit(bindparam("limit"))
)


def keys_under_prefix(
    session: Session, entity: str, prefix: str, cap: int
) -> dict[int, list[str]] | None:
    """Live records holding a key that starts with `prefix`, with those keys; None when more
    than `cap` records do.

    The keys starting with `prefix` are one range of the key index: it runs from the prefix
    to the prefix with its last character raised by one (keys compare byte by byte on both
    databases, see migration 0006)."""
    high = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    parameters = {"entity": entity, "low": prefix, "high": high, "limit": cap + 1}
    shared: dict[int, list[str]] = defaultdict(list)
    for key, record_id in select_rows(session, _KEYS_IN_RANGE, parameters):
        shared[record_id].append(key)
    return None if len(shared) > cap else shared


_INSERT_RETURNING_IDS = insert(SourceRecord).returning(
    SourceRecord.id, sort_by_parameter_order=True
)
"""Run on the connection, not through the ORM's bulk insert, which cost a tenth of a
single-record upsert on PostgreSQL."""


def insert_records(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert new records; their ids come back in the order of `rows`.

    A few rows use INSERT ... RETURNING. Many rows go in bulk with ids drawn first
    (`bulk.new_ids`): SQLite cannot return ids in parameter order from a multi-row
    insert (SQLAlchemy falls back to a statement per row), and COPY returns none.
    """
    customer_views.mark_goldens(session, [r["golden_id"] for r in rows])
    if len(rows) < DRIVER_FROM_ROWS:
        if not rows:
            return []
        session.flush()
        return list(session.connection().execute(_INSERT_RETURNING_IDS, list(rows)).scalars())
    ids = new_ids(session, SourceRecord, len(rows))
    insert_rows(
        session,
        SourceRecord,
        [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)],
        looked_up=True,
    )
    return ids


def update_records(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows carry `record_id` plus the columns to set (all rows the same columns)."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "record_id"]
    statement = (
        update(SourceRecord.__table__)  # type: ignore[arg-type]
        .where(SourceRecord.__table__.c.id == bindparam("record_id"))
        .values({c: bindparam(c) for c in columns})
    )
    record_ids = [r["record_id"] for r in rows]
    customer_views.mark_records(session, record_ids)
    session.connection().execute(statement, list(rows))
    customer_views.mark_records(session, record_ids)


def insert_versions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(session, SourceRecordVersion, rows)


def replace_blocking_keys(
    session: Session, entity: str, keys_by_record: dict[int, list[str]], replaced: Sequence[int]
) -> None:
    """Drop the keys of `replaced` records, then store `keys_by_record`."""
    for chunk in chunks(replaced):
        session.execute(delete(BlockingKey).where(BlockingKey.record_id.in_(chunk)))
    rows = [
        (record_id, key, entity)
        for record_id, keys in keys_by_record.items()
        for key in dict.fromkeys(keys)
    ]
    insert_values(session, BlockingKey, ("record_id", "key", "entity"), rows, looked_up=True)


def replace_all_blocking_keys(
    session: Session, entity: str, keys_by_record: dict[int, list[str]]
) -> None:
    """Make an entity's stored keys exactly `keys_by_record` (after a model change the rules
    may differ). Only records whose keys differ are rewritten: after a retrain with the same
    rules that is none, and rewriting them all cost more than the re-clustering."""
    stored: dict[int, set[str]] = defaultdict(set)
    rows = select_rows(session, _KEYS_OF_ENTITY, {"entity": entity})
    for record_id, key in rows:
        stored[record_id].add(key)
    changed = {
        record_id: keys
        for record_id, keys in keys_by_record.items()
        if stored.get(record_id, set()) != set(keys)
    }
    replace_blocking_keys(
        session, entity, changed, sorted(changed.keys() | (stored.keys() - keys_by_record.keys()))
    )


def relink(session: Session, retired: str, survivor: str) -> None:
    session.execute(
        update(SourceRecord).where(SourceRecord.golden_id == retired).values(golden_id=survivor)
    )
    customer_views.mark_goldens(session, [retired, survivor])


def live_members(session: Session, golden_ids: Sequence[str]) -> list[LiveMember]:
    members: list[LiveMember] = []
    for chunk in chunks(golden_ids):
        rows = select_rows(session, _LIVE_MEMBERS, {"ids": list(chunk)})
        members.extend(LiveMember(*row) for row in rows)
    return members


def members_of(session: Session, golden_id: str) -> list[SourceRecord]:
    return list(
        session.scalars(
            select(SourceRecord)
            .where(SourceRecord.golden_id == golden_id)
            .order_by(SourceRecord.source, SourceRecord.source_id)
        )
    )


def xref_rows(session: Session, entity: str | None) -> Iterator[tuple[str, str, str, str]]:
    """Live records with their golden ids, streamed (an export may hold millions)."""
    statement = (
        select(
            SourceRecord.entity,
            SourceRecord.source,
            SourceRecord.source_id,
            SourceRecord.golden_id,
        )
        .where(SourceRecord.deleted.is_(False))
        .order_by(SourceRecord.entity, SourceRecord.source, SourceRecord.source_id)
    )
    if entity is not None:
        statement = statement.where(SourceRecord.entity == entity)
    for row in session.execute(statement.execution_options(yield_per=10_000)):
        yield row.entity, row.source, row.source_id, row.golden_id


@dataclass(frozen=True, slots=True)
class LiveRecord:
    id: int
    source: str
    source_id: str
    attributes: dict[str, Any]
    features: dict[str, str]
    golden_id: str
    updated_at: datetime
    link_method: str
    link_score: float


def live_records(session: Session, entity: str) -> list[LiveRecord]:
    """Every live record of an entity, in id order (re-clustering and training read them all)."""
    rows = session.execute(
        select(
            SourceRecord.id,
            SourceRecord.source,
            SourceRecord.source_id,
            SourceRecord.attributes,
            SourceRecord.features,
            SourceRecord.golden_id,
            SourceRecord.updated_at,
            SourceRecord.link_method,
            SourceRecord.link_score,
        )
        .where(SourceRecord.entity == entity, SourceRecord.deleted.is_(False))
        .order_by(SourceRecord.id)
        .execution_options(yield_per=10_000)
    )
    return [LiveRecord(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class RecordContent:
    source: str
    source_id: str
    attributes: dict[str, Any]
    deleted: bool


def contents(session: Session, entity: str) -> list[RecordContent]:
    """Every record of an entity, tombstoned ones too, in id order: where a record sent
    again after its deletion will stand among the live ones."""
    rows = session.execute(
        select(
            SourceRecord.source,
            SourceRecord.source_id,
            SourceRecord.attributes,
            SourceRecord.deleted,
        )
        .where(SourceRecord.entity == entity)
        .order_by(SourceRecord.id)
        .execution_options(yield_per=10_000)
    )
    return [RecordContent(*row) for row in rows]


def by_ids(session: Session, record_ids: Sequence[int]) -> dict[int, SourceRecord]:
    return bulk.by_ids(session, SourceRecord, record_ids)


@dataclass(frozen=True, slots=True)
class MemberOfGolden:
    source: str
    source_id: str
    golden_attributes: dict[str, Any]
    """The golden record's attributes, lineage included (see `GoldenRecord.attributes`)."""


_MEMBERS_WITH_GOLDEN = (
    select(SourceRecord.id, SourceRecord.source, SourceRecord.source_id, GoldenRecord.attributes)
    .join(GoldenRecord, GoldenRecord.id == SourceRecord.golden_id)
    .where(one_of(SourceRecord.id, "ids"))
)


def with_their_goldens(session: Session, record_ids: Sequence[int]) -> dict[int, MemberOfGolden]:
    """Records named with their golden records, in one query: how a search shows its hits."""
    rows = select_rows(session, _MEMBERS_WITH_GOLDEN, {"ids": list(record_ids)})
    return {row.id: MemberOfGolden(row.source, row.source_id, row.attributes) for row in rows}


def pin_members(session: Session, golden_ids: Sequence[str]) -> None:
    """Every live member of these golden records becomes steward-placed: matching never moves
    them again."""
    for chunk in chunks(golden_ids):
        session.execute(
            update(SourceRecord)
            .where(SourceRecord.golden_id.in_(chunk), SourceRecord.deleted.is_(False))
            .values(link_method=STEWARD_LINK)
        )
    customer_views.mark_goldens(session, golden_ids)


def pin_records(session: Session, record_ids: Sequence[int]) -> None:
    for chunk in chunks(record_ids):
        session.execute(
            update(SourceRecord).where(SourceRecord.id.in_(chunk)).values(link_method=STEWARD_LINK)
        )
    customer_views.mark_records(session, record_ids)


def move(session: Session, record_ids: Sequence[int], golden_id: str) -> None:
    """Steward-placed records go to `golden_id`, pinned there."""
    customer_views.mark_records(session, record_ids)
    for chunk in chunks(record_ids):
        session.execute(
            update(SourceRecord)
            .where(SourceRecord.id.in_(chunk))
            .values(golden_id=golden_id, link_method=STEWARD_LINK, link_score=1.0)
        )
    customer_views.mark_goldens(session, [golden_id])


def replace_links(
    session: Session, links_by_record: Mapping[int, Sequence[LinkInput]], replaced: Sequence[int]
) -> None:
    """Drop the links of `replaced` records, then store `links_by_record`."""
    customer_views.mark_records(session, replaced)
    for chunk in chunks(replaced):
        session.execute(delete(RecordLink).where(RecordLink.record_id.in_(chunk)))
    insert_rows(
        session,
        RecordLink,
        [
            {
                "record_id": record_id,
                "role": link.role,
                "target_entity": link.entity,
                "target_source": link.source,
                "target_source_id": link.source_id,
            }
            for record_id, links in links_by_record.items()
            for link in links
        ],
    )
    customer_views.mark_records(session, list(links_by_record))


def golden_ids(
    session: Session, entity: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """(source, source id) -> golden id, for the live records among `keys`."""
    return {
        key: record.golden_id
        for key, record in find_by_source_ids(session, entity, keys).items()
        if not record.deleted
    }


@dataclass(frozen=True, slots=True)
class StoredLink:
    record_id: int
    role: str
    target_entity: str
    target_source: str
    target_source_id: str


def links_from(session: Session, record_ids: Sequence[int]) -> list[StoredLink]:
    links: list[StoredLink] = []
    for chunk in chunks(record_ids):
        rows = session.execute(
            select(
                RecordLink.record_id,
                RecordLink.role,
                RecordLink.target_entity,
                RecordLink.target_source,
                RecordLink.target_source_id,
            ).where(RecordLink.record_id.in_(chunk))
        )
        links.extend(StoredLink(*row) for row in rows)
    return links


def live_links_to(
    session: Session, entity: str, keys: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """(role, golden id of the referring record) of live records that refer to any of `keys`."""
    found: list[tuple[str, str]] = []
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, source_id in keys:
        by_source[source].append(source_id)
    for source, ids in sorted(by_source.items()):
        rows = session.execute(
            select(RecordLink.role, SourceRecord.golden_id)
            .join(SourceRecord, SourceRecord.id == RecordLink.record_id)
            .where(
                RecordLink.target_entity == entity,
                RecordLink.target_source == source,
                RecordLink.target_source_id.in_(ids),
                SourceRecord.deleted.is_(False),
            )
        )
        found.extend((role, golden_id) for role, golden_id in rows)
    return found


def golden_ids_of(
    session: Session, references: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], str]:
    """(entity, source, source id) -> golden id of the live records among `references`, in one
    query for a few references of several entities and sources (what a 360 view resolves)."""
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entity, source, source_id in references:
        wanted[(entity, source)].add(source_id)
    if not wanted:
        return {}
    rows = session.execute(
        select(
            SourceRecord.entity, SourceRecord.source, SourceRecord.source_id, SourceRecord.golden_id
        ).where(
            SourceRecord.deleted.is_(False),
            or_(
                *(
                    and_(
                        SourceRecord.entity == entity,
                        SourceRecord.source == source,
                        SourceRecord.source_id.in_(sorted(ids)),
                    )
                    for (entity, source), ids in sorted(wanted.items())
                )
            ),
        )
    )
    return {(e, s, i): g for e, s, i, g in rows}
