"""Queries on trained match-model versions."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mdmhub.db.models import MatchModelVersion


def latest_id(session: Session, entity: str) -> int | None:
    """The id of the version in force (ids grow with versions)."""
    return session.scalar(
        select(func.max(MatchModelVersion.id)).where(MatchModelVersion.entity == entity)
    )


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
