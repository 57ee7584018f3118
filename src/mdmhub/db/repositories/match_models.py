"""Queries on trained match-model versions."""

from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from mdmhub.db.models import MatchModelVersion
from mdmhub.db.repositories.rows import select_rows

_LATEST_STAMP = (
    select(MatchModelVersion.id, MatchModelVersion.trained_at)
    .where(MatchModelVersion.entity == bindparam("entity"))
    .order_by(MatchModelVersion.id.desc())
    .limit(1)
)
"""Read on every match and search."""


def latest_stamp(session: Session, entity: str) -> tuple[int, datetime] | None:
    """Id and training time of the version in force (ids grow with versions): enough to
    tell whether a cached copy of it is still the one stored."""
    row = select_rows(session, _LATEST_STAMP, {"entity": entity}).first()
    return (row.id, row.trained_at) if row else None


def get(session: Session, version_id: int) -> MatchModelVersion:
    found = session.get(MatchModelVersion, version_id)
    assert found is not None, version_id
    return found


def latest_version(session: Session, entity: str) -> int:
    found = session.scalar(
        select(func.max(MatchModelVersion.version)).where(MatchModelVersion.entity == entity)
    )
    return found or 0


def add(session: Session, version: MatchModelVersion) -> MatchModelVersion:
    session.add(version)
    session.flush()
    return version
