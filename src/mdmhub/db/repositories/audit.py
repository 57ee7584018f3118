"""Queries on the append-only audit log."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdmhub.db.models import AuditEntry
from mdmhub.db.repositories.bulk import insert_rows


def append(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(session, AuditEntry, rows)


def page(
    session: Session, after: int, limit: int, action: str | None = None
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.id > after)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return session.scalars(query.order_by(AuditEntry.id).limit(limit)).all()
