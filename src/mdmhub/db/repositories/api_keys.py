"""Queries on API keys."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdmhub.db.models import ApiKey
from mdmhub.domain.actors import Role


def get(session: Session, key_id: str) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def get_all(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def has_active_admin(session: Session) -> bool:
    query = select(ApiKey.id).where(ApiKey.role == Role.ADMIN.value, ApiKey.revoked_at.is_(None))
    return session.scalar(query.limit(1)) is not None


def add(session: Session, key: ApiKey) -> ApiKey:
    session.add(key)
    session.flush()
    return key
