"""Dependency aliases: a route names what it needs (`SessionDep`, `EntityDep`) and nothing more."""

import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.datastructures import State

from mdmhub.api.auth_cache import AuthCache
from mdmhub.api.rate_limit import RateLimiter
from mdmhub.api.schemas import ErrorOut
from mdmhub.db.base import utcnow
from mdmhub.db.session import session_factory, transaction, write_transaction
from mdmhub.domain.actors import Actor, Role
from mdmhub.domain.entities import EntityType
from mdmhub.errors import ForbiddenError, NotFoundError, UnauthenticatedError
from mdmhub.services import api_keys
from mdmhub.services.background import WriteActivity
from mdmhub.settings import Settings

T = TypeVar("T")

WRITE_LOCK = threading.Lock()
"""Writers in one process take turns here, before they take the database's writer lock
(`write_transaction`, which makes writers in other processes take turns too), so waiting
threads do not each hold a connection. Reads never wait for either."""
WRITES = WriteActivity()
"""When this process last wrote (records, or a steward's or an admin's change): the
customer-view refresher yields to writers."""


async def _settings(request: Request) -> Settings:
    """The settings the app started with (`get_settings`, or what a test put in its place),
    read without the thread hop FastAPI gives a plain function: a read makes several such
    hops, and on a busy server each costs more than the read itself."""
    settings: Settings = request.app.state.settings
    return settings


def _session(settings: "SettingsDep") -> Iterator[Session]:
    with session_factory(settings.database_url)() as session, session.begin():
        yield session


def _write_session(settings: "SettingsDep") -> Iterator[Session]:
    with WRITE_LOCK, write_transaction(settings.database_url) as session:
        yield session
    WRITES.wrote()


_writing = contextmanager(_write_session)


async def in_write_transaction(settings: Settings, work: Callable[[Session], T]) -> T:
    """`work` in a write transaction, committed before the answer, all on one worker
    thread. A route that names `WriteSessionDep` and the model's dependency pays a thread
    hop for each and one for itself: for a single-record upsert the hops cost as much as the
    write."""

    def run() -> T:
        with _writing(settings) as session:
            return work(session)

    return await run_in_threadpool(run)


async def _entity(
    entity: Annotated[str, Path(description="customers, products or addresses")],
) -> EntityType:
    """Async, as `_settings`: a plain function would cost a thread hop."""
    try:
        return EntityType.from_plural(entity)
    except ValueError:
        raise NotFoundError(
            f"unknown entity {entity!r}; use customers, products or addresses", field="entity"
        ) from None


SettingsDep = Annotated[Settings, Depends(_settings)]
# The commit runs before the response is sent ("function" scope): a client never
# hears "accepted" for a write that then fails to commit.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(_write_session, scope="function")]
EntityDep = Annotated[EntityType, Depends(_entity)]


_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="mdm_<id>_<secret>",
    description="An API key: `Authorization: Bearer mdm_<id>_<secret>`.",
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

MAX_ID = 2**63 - 1
"""The largest id a database BIGINT holds: a bigger number is a 422, never a database error."""
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body is not UTF-8 JSON."},
    401: {"model": ErrorOut, "description": "No API key, or an unknown or revoked one."},
    403: {"model": ErrorOut, "description": "The key's role may not do this."},
    413: {"model": ErrorOut, "description": "The body is larger than MDMHUB_MAX_BODY_BYTES."},
    422: {"model": ErrorOut, "description": "What was wrong: `detail`, `field` and `errors`."},
    429: {"model": ErrorOut, "description": "Too many requests with this key: see Retry-After."},
}
ENTITY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    404: {"model": ErrorOut, "description": "An unknown entity, or no such record."},
}
"""For routes under /v1/{entity}: an entity other than customers, products or addresses is
a 404, like any path that names nothing."""


def _authenticate(settings: Settings, token: str) -> Actor:
    with transaction(settings.database_url) as session:
        return api_keys.authenticate(session, token, utcnow())


def spend_rate(state: State, actor: Actor) -> None:
    """One request of the rate of the actor's key (TooManyRequestsError when it is spent)."""
    limiter: RateLimiter = state.rate_limiter
    limiter.take(actor.api_key_id or actor.name)


def requires(*roles: Role) -> Callable[..., Awaitable[Actor]]:
    """The actor of a request whose key holds one of `roles` (admins may do everything).

    Name the actor as a route's first parameter: dependencies resolve in parameter order,
    so an anonymous request is turned away before it opens a session or takes the write
    lock. The key is checked in a short transaction of its own, committed at once: its
    `last_used_at` write must not hold SQLite's write lock for the rest of the request.
    """
    allowed = ", ".join(dict.fromkeys(role.value for role in (*roles, Role.ADMIN)))

    async def actor(request: Request, settings: SettingsDep, credentials: BearerDep) -> Actor:
        if credentials is None:
            raise UnauthenticatedError("send an API key as `Authorization: Bearer <key>`")
        cache: AuthCache = request.app.state.auth_cache
        found = cache.get(credentials.credentials)
        if found is None:
            found = await run_in_threadpool(_authenticate, settings, credentials.credentials)
            cache.put(credentials.credentials, found)
        request.state.api_key_id = found.api_key_id
        if not found.holds_one_of(roles):
            raise ForbiddenError(f"the role {found.role} may not do this; allowed roles: {allowed}")
        spend_rate(request.app.state, found)
        return found

    return actor


AGENT_ROLES = (Role.AGENT,)
"""Who reads customers (`AgentDep`, and the ready 360 read that skips the dependencies)."""
SourceWriterDep = Annotated[Actor, Depends(requires(Role.SOURCE))]
AgentDep = Annotated[Actor, Depends(requires(*AGENT_ROLES))]
ReaderDep = Annotated[Actor, Depends(requires(Role.AGENT, Role.STEWARD))]
"""Agents and stewards both read golden records."""
StewardDep = Annotated[Actor, Depends(requires(Role.STEWARD))]
AdminDep = Annotated[Actor, Depends(requires(Role.ADMIN))]
