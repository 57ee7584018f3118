"""Queries on trained match-model versions."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mdmhub.db.models import MatchModelVersion


def latest(session: Session, entity: str) -> MatchModelVersion | None:
    return session.scalar(
        select(MatchModelVersion)
        .where(MatchModelVersion.entity == entity)
        .order_by(MatchModelVersion.version.desc())
        .limit(1)
    )


def latest_version(session: Session, entity: str) -> int:
    found = session.scalar(
        select(func.max(MatchModelVersion.version)).where(MatchModelVersion.entity == entity)
    )
    return found or 0


def add(session: Session, version: MatchModelVersion) -> MatchModelVersion:
    session.add(version)
    session.flush()
    return version
