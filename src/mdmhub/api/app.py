"""The FastAPI application: routers plus the mapping from domain errors to HTTP answers."""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError

from mdmhub import __version__
from mdmhub.api.routers import (
    audit,
    customers,
    explain,
    golden,
    health,
    interactions,
    keys,
    records,
    review_tasks,
    sources,
    stewardship,
)
from mdmhub.db.session import transaction
from mdmhub.errors import MdmError
from mdmhub.services import api_keys
from mdmhub.settings import Settings, get_settings


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, MdmError)
    return JSONResponse(
        status_code=error.status_code,
        content={"detail": error.message, "field": error.field},
        headers=dict(error.headers),
    )


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=503, content={"detail": "the database is not reachable"})


def _ensure_admin_key(settings: Settings) -> None:
    """Registers MDMHUB_BOOTSTRAP_ADMIN_KEY, or on a hub without an active admin key creates
    one and prints it to stderr, the only place it ever appears.

    It runs at application start-up rather than in `mdmhub serve` or `db upgrade`, so it
    holds however the app is started (the CLI, uvicorn or gunicorn directly, a test
    client) and always after the migrations a server needs anyway.
    """
    bootstrap = settings.bootstrap_admin_key
    try:
        with transaction(settings.database_url) as session:
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


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The settings the requests see: tests swap them through `dependency_overrides`.
    _ensure_admin_key(app.dependency_overrides.get(get_settings, get_settings)())
    yield


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
        audit.router,
    ):
        app.include_router(router)
    app.add_exception_handler(MdmError, _domain_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    return app
