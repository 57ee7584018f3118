"""The FastAPI application: routers, the mapping from domain errors to HTTP answers, and
the webhook worker that runs beside them."""

import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError

from mdmhub import __version__, logs
from mdmhub.api.auth_cache import AuthCache
from mdmhub.api.deps import WRITES
from mdmhub.api.middleware import RequestContextMiddleware
from mdmhub.api.rate_limit import RateLimiter
from mdmhub.api.ready_360 import Ready360Reads
from mdmhub.api.routers import (
    audit,
    customers,
    events,
    explain,
    golden,
    health,
    interactions,
    keys,
    records,
    review_tasks,
    sources,
    stewardship,
    webhooks,
)
from mdmhub.api.schemas import ErrorOut, ProblemOut
from mdmhub.api.upsert_groups import UpsertGroups
from mdmhub.db.session import write_transaction
from mdmhub.errors import MdmError
from mdmhub.services import api_keys, customer_views, webhook_delivery
from mdmhub.services.background import BackgroundWorker
from mdmhub.settings import Settings, get_settings


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, MdmError)
    return JSONResponse(
        status_code=error.status_code,
        content=ErrorOut(detail=error.message, field=error.field).model_dump(),
        headers=dict(error.headers),
    )


def _where(location: Sequence[Any]) -> str:
    """`body.records.0.source_id`, without the `body` a client did not write."""
    parts = [str(part) for part in location]
    return ".".join(parts[1:] if parts[:1] == ["body"] and len(parts) > 1 else parts)


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    """Requests that do not fit the schema answer in the same shape as every other 4xx."""
    assert isinstance(error, RequestValidationError)
    problems = [ProblemOut(field=_where(e["loc"]), message=str(e["msg"])) for e in error.errors()]
    first = problems[0] if problems else ProblemOut(field="body", message="invalid request")
    body = ErrorOut(detail=f"{first.field}: {first.message}", field=first.field, errors=problems)
    return JSONResponse(status_code=422, content=body.model_dump())


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=503, content={"detail": "the database is not reachable"})


def _ensure_admin_key(settings: Settings) -> None:
    """Registers MDMHUB_BOOTSTRAP_ADMIN_KEY, or on a hub without an active admin key creates
    one and prints it to stderr, the only place it ever appears.

    It runs at application start-up rather than in `mdmhub serve` or `db upgrade`, so it
    holds however the app is started (the CLI, uvicorn or gunicorn directly, a test
    client) and always after the migrations a server needs anyway. It holds the writer
    lock: server processes starting together on a fresh hub take turns, so the first
    registers the key (or makes the one admin key) and the others find it.
    """
    bootstrap = settings.bootstrap_admin_key
    try:
        with write_transaction(settings.database_url) as session:
            issued = api_keys.ensure_admin(
                session, bootstrap.get_secret_value() if bootstrap else None
            )
    except DBAPIError as error:
        raise RuntimeError(
            "cannot check for an admin API key: is the database reachable, "
            "and migrated (`mdmhub db upgrade`)?"
        ) from error
    if issued is not None:
        print(
            f"mdmhub: no admin API key was active, so one was created: {issued.token}\n"
            "mdmhub: it is shown only this once; keep it safe.",
            file=sys.stderr,
            flush=True,
        )


def _settings(app: FastAPI) -> Settings:
    """The settings the routes get, overrides included: the worker and the routes must
    work on the same database."""
    provider = app.dependency_overrides.get(get_settings, get_settings)
    settings: Settings = provider()
    return settings


def _limit(app: FastAPI, settings: Settings) -> None:
    """The request limits the middleware and the auth dependency read from the app's state."""
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    app.state.auth_cache = AuthCache()
    app.state.max_body_bytes = settings.max_body_bytes


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Check for an admin key, then deliver webhooks and keep customer views ready in
    background threads while the app serves, each when configured to."""
    settings = _settings(app)
    _ensure_admin_key(settings)
    app.state.settings = settings
    app.state.upsert_groups = UpsertGroups(settings)
    _limit(app, settings)
    workers: list[BackgroundWorker] = []
    if settings.run_webhook_worker:
        app.state.webhook_worker = webhook_delivery.worker(settings)
        workers.append(app.state.webhook_worker)
    if settings.refresh_customer_views:
        app.state.customer_view_worker = customer_views.worker(settings, WRITES)
        workers.append(app.state.customer_view_worker)
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        for worker in workers:
            worker.stop()


def create_app() -> FastAPI:
    app = FastAPI(
        title="mdmhub",
        version=__version__,
        description="Master data management hub: source records in, golden records out.",
        lifespan=_lifespan,
    )
    for router in (
        health.router,
        sources.router,
        keys.router,
        records.router,
        golden.router,
        stewardship.router,
        review_tasks.router,
        explain.router,
        customers.router,
        interactions.router,
        events.router,
        webhooks.router,
        audit.router,
    ):
        app.include_router(router)
    app.add_exception_handler(MdmError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_middleware(Ready360Reads)
    app.add_middleware(RequestContextMiddleware)
    # Start-up replaces these with the configured ones; until then the defaults hold.
    _limit(app, Settings.model_construct())
    return app


def create_served_app() -> FastAPI:
    """The app as `mdmhub serve` starts it in each worker process: with the hub's JSON logs,
    which a worker process does not inherit from the command that spawned it."""
    logs.configure(get_settings().log_level)
    return create_app()
