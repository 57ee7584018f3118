"""Dependency aliases: a route names what it needs (`SessionDep`, `EntityDep`) and nothing more."""

import threading
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy.orm import Session

from mdmhub.db.session import session_factory
from mdmhub.domain.actors import SYSTEM, Actor, Role
from mdmhub.domain.entities import EntityType
from mdmhub.errors import NotFoundError
from mdmhub.services import match_models
from mdmhub.services.match_context import MatchContext
from mdmhub.settings import Settings, get_settings

WRITE_LOCK = threading.Lock()
"""Writers in one process take turns: two batches matching the same new person at once
would each create a golden record for them. Reads never wait for it."""


def _session(settings: "SettingsDep") -> Iterator[Session]:
    with session_factory(settings.database_url)() as session, session.begin():
        yield session


def _write_session(settings: "SettingsDep") -> Iterator[Session]:
    with WRITE_LOCK, session_factory(settings.database_url)() as session, session.begin():
        yield session


def _entity(
    entity: Annotated[str, Path(description="customers, products or addresses")],
) -> EntityType:
    try:
        return EntityType.from_plural(entity)
    except ValueError:
        raise NotFoundError(
            f"unknown entity {entity!r}; use customers, products or addresses", field="entity"
        ) from None


def _match_context(
    settings: "SettingsDep", entity: "EntityDep", session: "WriteSessionDep"
) -> MatchContext:
    """The model in force, read in the request's own (write) transaction."""
    return match_models.context(session, entity, settings)


SettingsDep = Annotated[Settings, Depends(get_settings)]
# The commit runs before the response is sent ("function" scope): a client never
# hears "accepted" for a write that then fails to commit.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(_write_session, scope="function")]
EntityDep = Annotated[EntityType, Depends(_entity)]
MatchContextDep = Annotated[MatchContext, Depends(_match_context)]


def requires(*roles: Role) -> Callable[[], Actor]:
    """The actor of a request whose key holds one of `roles` (admins may do everything).

    Until API keys land every request acts as the system actor.
    """

    def actor() -> Actor:
        return SYSTEM

    return actor


SourceWriterDep = Annotated[Actor, Depends(requires(Role.SOURCE))]
AgentDep = Annotated[Actor, Depends(requires(Role.AGENT))]
StewardDep = Annotated[Actor, Depends(requires(Role.STEWARD))]
AdminDep = Annotated[Actor, Depends(requires(Role.ADMIN))]
