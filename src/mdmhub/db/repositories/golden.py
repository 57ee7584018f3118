"""Queries on golden records."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mdmhub.db.models import GoldenRecord, GoldenRecordVersion
from mdmhub.db.repositories import customer_views
from mdmhub.db.repositories.bulk import by_ids, chunks, insert_rows
from mdmhub.db.repositories.rows import select_rows
from mdmhub.db.repositories.value_lists import one_of


def get(session: Session, golden_id: str) -> GoldenRecord | None:
    return session.get(GoldenRecord, golden_id)


@dataclass(frozen=True, slots=True)
class GoldenState:
    id: str
    status: str
    version: int
    attributes: dict[str, Any]


_STATES = select(
    GoldenRecord.id, GoldenRecord.status, GoldenRecord.version, GoldenRecord.attributes
).where(one_of(GoldenRecord.id, "ids"))


def states(session: Session, golden_ids: Sequence[str]) -> dict[str, GoldenState]:
    """The current state of many golden records, as plain values (no ORM identity to go stale)."""
    found: dict[str, GoldenState] = {}
    for chunk in chunks(golden_ids):
        rows = select_rows(session, _STATES, {"ids": list(chunk)})
        found.update((row.id, GoldenState(*row)) for row in rows)
    return found


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(session, GoldenRecord, rows)
    customer_views.mark_goldens(session, [r["id"] for r in rows])


def update_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows carry `id` and the columns to set (ORM bulk update by primary key)."""
    if rows:
        session.execute(update(GoldenRecord), rows)
        customer_views.mark_goldens(session, [r["id"] for r in rows])


def add_versions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(session, GoldenRecordVersion, rows)


def version_as_of(session: Session, golden_id: str, at: datetime) -> GoldenRecordVersion | None:
    return session.scalar(
        select(GoldenRecordVersion)
        .where(GoldenRecordVersion.golden_id == golden_id, GoldenRecordVersion.recorded_at <= at)
        .order_by(GoldenRecordVersion.version.desc())
        .limit(1)
    )


def versions(session: Session, golden_id: str) -> Sequence[GoldenRecordVersion]:
    return session.scalars(
        select(GoldenRecordVersion)
        .where(GoldenRecordVersion.golden_id == golden_id)
        .order_by(GoldenRecordVersion.version)
    ).all()


def get_many(session: Session, golden_ids: Sequence[str]) -> dict[str, GoldenRecord]:
    return by_ids(session, GoldenRecord, golden_ids)
