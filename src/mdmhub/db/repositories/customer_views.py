"""Customer views: the store marks them stale as it writes, the refresher fills them in, and
the 360 read sends them as they are.

Marking happens here, in the repositories' own write functions, rather than in each use
case: a view shows the customer's golden record, its members and their links, their
interactions, and the golden records on both ends of those links, so nearly every write
can make one stale, and a write path that forgot to say so would serve an old answer.
Marking too much only costs a rebuild.

A write function notes what it touched (resolving records to golden ids at once, before
they move); the marks of a unit of work are written together just before it commits, so
a load chunk that touches a golden record six ways marks its views once.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    event,
    func,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ClauseElement

from mdmhub.db.models import CustomerView, RecordLink, SourceRecord
from mdmhub.db.repositories.bulk import chunks, execute_many
from mdmhub.db.repositories.rows import first_row, select_rows
from mdmhub.db.repositories.value_lists import by_unique_key, one_of
from mdmhub.domain.entities import EntityType

CUSTOMER = EntityType.CUSTOMER
CUSTOMER_ID_PREFIX = f"{CUSTOMER.id_prefix}_"
"""Golden ids name their entity (`golden_records.new_golden_id`): customers are told apart
from the id alone, with no lookup."""

_target = aliased(SourceRecord)
_referrer = aliased(SourceRecord)
_LINKED = and_(
    _target.entity == RecordLink.target_entity,
    _target.source == RecordLink.target_source,
    _target.source_id == RecordLink.target_source_id,
)
_LINKED_GOLDENS = union(
    # Golden records whose records refer to these ones' members (an address, an employer).
    select(_referrer.golden_id)
    .select_from(_target)
    .join(RecordLink, _LINKED)
    .join(_referrer, _referrer.id == RecordLink.record_id)
    .where(one_of(_target.golden_id, "ids")),
    # Golden records these ones' members refer to (an employer lists its employees).
    select(_target.golden_id)
    .select_from(_referrer)
    .join(RecordLink, RecordLink.record_id == _referrer.id)
    .join(_target, _LINKED)
    .where(one_of(_referrer.golden_id, "ids")),
)
"""Only the id lists constrain these joins, so the database walks from them through the
indexes (golden id, link target, record id) whatever its statistics say."""


def _marking(insert: Callable[[type[CustomerView]], Any]) -> ClauseElement:
    """The dialects' own INSERT ... ON CONFLICT, the same on both."""
    statement: ClauseElement = (
        insert(CustomerView)
        .values(golden_id=bindparam("golden_id"), generation=0)
        .on_conflict_do_update(
            index_elements=[CustomerView.golden_id],
            set_={
                "generation": CustomerView.generation + 1,
                "body": None,
                "masked_body": None,
                "built_at": None,
                "valid_until": None,
            },
        )
    )
    return statement


_MARKING = {"postgresql": _marking(postgresql.insert), "sqlite": _marking(sqlite.insert)}


def _mark(session: Session, golden_ids: Iterable[str | None]) -> None:
    """Drop the bodies of the views of the customers among `golden_ids` and bump their
    generations, creating the rows of customers without one, so a refresher that read the
    data before this write cannot store what it built from it.

    One statement run for many parameter sets: a load marks a view per new customer, and
    building a multi-row VALUES statement per chunk cost more than the writes."""
    customers = sorted({g for g in golden_ids if g and g.startswith(CUSTOMER_ID_PREFIX)})
    execute_many(
        session,
        _MARKING[session.get_bind().dialect.name],
        [{"golden_id": golden_id} for golden_id in customers],
    )


_PENDING = "mdmhub.customer_views.pending"
"""session.info key: golden ids touched in this unit of work, views not marked yet."""
_PENDING_CUSTOMERS = "mdmhub.customer_views.pending_customers"
"""session.info key: customer golden ids whose own view (only) is stale."""


def _pending(session: Session, key: str) -> set[str]:
    pending: set[str] = session.info.setdefault(key, set())
    return pending


def mark_goldens(session: Session, golden_ids: Iterable[str | None]) -> None:
    """After golden records of any entity changed: the views of the customers among them,
    and of those whose view shows them through a link."""
    _pending(session, _PENDING).update(g for g in golden_ids if g)


def mark_records(session: Session, record_ids: Sequence[int]) -> None:
    """Around changes to these records: call it before a change that moves them or their
    links (for where they were) and after it (for where they are)."""
    for chunk in chunks(sorted(set(record_ids))):
        goldens = select(SourceRecord.golden_id).where(SourceRecord.id.in_(list(chunk)))
        mark_goldens(session, session.scalars(goldens.distinct()))


def mark_customers_of(session: Session, keys: Sequence[tuple[str, str]]) -> None:
    """After interactions of these customer records (source, source id) changed."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for source, source_id in keys:
        by_source[source].add(source_id)
    statement = _CUSTOMERS_OF[session.get_bind().dialect.name]
    for source, source_ids in sorted(by_source.items()):
        for chunk in chunks(sorted(source_ids)):
            goldens = select_rows(session, statement, {"source": source, "ids": list(chunk)})
            _pending(session, _PENDING_CUSTOMERS).update(goldens.scalars())


_CUSTOMERS_OF = by_unique_key(
    (SourceRecord.golden_id,),
    (SourceRecord.entity == CUSTOMER, SourceRecord.source == bindparam("source")),
    SourceRecord.source_id,
    "ids",
)


@event.listens_for(Session, "before_commit")
def _write_marks(session: Session) -> None:
    """Every session's unit of work writes its marks in its own transaction, last (a read
    has none, and pays only the check)."""
    if not session.info.get(_PENDING) and not session.info.get(_PENDING_CUSTOMERS):
        return
    touched = sorted(session.info.pop(_PENDING, set()))
    customers: list[str | None] = list(session.info.pop(_PENDING_CUSTOMERS, set()))
    for chunk in chunks(touched):
        linked = select_rows(session, _LINKED_GOLDENS, {"ids": list(chunk)})
        customers += [*chunk, *linked.scalars()]
    _mark(session, customers)


@event.listens_for(Session, "after_rollback")
def _forget_marks(session: Session) -> None:
    """Nothing was written: a later unit of work on the session must not mark it."""
    session.info.pop(_PENDING, None)
    session.info.pop(_PENDING_CUSTOMERS, None)


@dataclass(frozen=True, slots=True)
class StoredView:
    body: bytes
    valid_until: datetime | None


_READ = {
    masked: select(column, CustomerView.valid_until).where(
        CustomerView.golden_id == bindparam("golden_id"), CustomerView.built_at.is_not(None)
    )
    for masked, column in ((False, CustomerView.body), (True, CustomerView.masked_body))
}
"""One body read, not both: a view's bodies are ~10 KB each, and a read from disk pays
for every page it walks."""


def get(connection: Connection, golden_id: str, masked: bool) -> StoredView | None:
    """The view's full body, or its masked one."""
    row = first_row(connection, _READ[masked], {"golden_id": golden_id})
    if row is None:
        return None
    body, valid_until = row
    return None if body is None else StoredView(body, valid_until)


def _stale(now: datetime) -> ColumnElement[bool]:
    """Waiting for a build, or past its validity."""
    return or_(CustomerView.built_at.is_(None), CustomerView.valid_until <= now)


def stale(session: Session, now: datetime, limit: int | None) -> list[tuple[str, int]]:
    """(golden id, generation) of stale views, up to `limit` (None: all)."""
    rows = session.execute(
        select(CustomerView.golden_id, CustomerView.generation).where(_stale(now)).limit(limit)
    )
    return [(golden_id, generation) for golden_id, generation in rows]


def count_stale(session: Session, now: datetime) -> int:
    return session.scalar(select(func.count()).where(_stale(now))) or 0


def store(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Rows carry `golden_id`, the `generation` read before building, and the columns to
    set; a row whose generation moved on since is left alone. Returns how many were stored."""
    if not rows:
        return 0
    statement = (
        update(CustomerView.__table__)  # type: ignore[arg-type]
        .where(
            CustomerView.__table__.c.golden_id == bindparam("view_id"),
            CustomerView.__table__.c.generation == bindparam("read_generation"),
        )
        .values(
            body=bindparam("body"),
            masked_body=bindparam("masked_body"),
            built_at=bindparam("built_at"),
            valid_until=bindparam("valid_until"),
        )
    )
    result = session.connection().execute(statement, list(rows))
    return int(result.rowcount)


def drop(session: Session, golden_id: str, generation: int) -> None:
    """The view of a customer no longer active (merged away, deleted)."""
    session.execute(
        delete(CustomerView).where(
            CustomerView.golden_id == golden_id, CustomerView.generation == generation
        )
    )
