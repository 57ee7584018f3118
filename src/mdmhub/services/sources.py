"""Registering source systems: only a registered source may send records."""

from sqlalchemy.orm import Session

from mdmhub.db.models import Source
from mdmhub.db.repositories import sources as sources_repo
from mdmhub.domain.actors import Actor
from mdmhub.errors import ConflictError, InvalidInputError
from mdmhub.services import audit

MAX_NAME_LENGTH = 100


def create(
    session: Session, actor: Actor, *, name: str, trust: float, description: str = ""
) -> Source:
    if not name.strip() or len(name) > MAX_NAME_LENGTH or name != name.strip():
        raise InvalidInputError(
            f"a source name needs 1 to {MAX_NAME_LENGTH} characters, no surrounding spaces",
            field="name",
        )
    if not 0.0 <= trust <= 1.0:
        raise InvalidInputError("trust must be between 0 and 1", field="trust")
    if sources_repo.get(session, name) is not None:
        raise ConflictError(f"source {name!r} is already registered", field="name")
    source = sources_repo.add(session, Source(name=name, trust=trust, description=description))
    audit.record(
        session,
        actor,
        "sources.add",
        target=name,
        detail={"trust": trust, "description": description},
    )
    return source


def get_all(session: Session) -> list[Source]:
    return sources_repo.get_all(session)
