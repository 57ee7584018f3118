"""The audit log: each write use case appends one entry in its own transaction, so the log
holds exactly the writes that happened."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.models import AuditEntry
from mdmhub.db.repositories import audit as audit_repo
from mdmhub.domain.actors import Actor
from mdmhub.services.golden_records import Change


def entry(
    actor: Actor,
    action: str,
    *,
    entity: str | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "occurred_at": utcnow(),
        "actor": actor.name,
        "api_key_id": actor.api_key_id,
        "action": action,
        "entity": entity,
        "target": target,
        "detail": detail or {},
    }


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    entity: str | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    audit_repo.append(session, [entry(actor, action, entity=entity, target=target, detail=detail)])


def record_all(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    """Entries made with `entry`, in one statement: a group of single-record upserts audits
    each request, and a statement each took a twelfth of the group's time."""
    audit_repo.append(session, entries)


def record_change(
    session: Session, change: Change, action: str, target: str, detail: dict[str, Any]
) -> None:
    """The audit entry of a steward's or the machine's change to golden records."""
    record(session, change.actor, action, entity=change.entity.value, target=target, detail=detail)


def entries(
    session: Session, after: int, limit: int, action: str | None = None
) -> Sequence[AuditEntry]:
    return audit_repo.page(session, after, limit, action)
