"""The FastAPI application: routers, the mapping from domain errors to HTTP answers, and
the webhook worker that runs beside them."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from mdmhub import __version__
from mdmhub.api.routers import events, explain, golden, health, records, sources, webhooks
from mdmhub.errors import MdmError
from mdmhub.services.webhook_delivery import BackgroundWorker
from mdmhub.settings import Settings, get_settings


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, MdmError)
    return JSONResponse(
        status_code=error.status_code, content={"detail": error.message, "field": error.field}
    )


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=503, content={"detail": "the database is not reachable"})


def _settings(app: FastAPI) -> Settings:
    """The settings the routes get, overrides included: the worker and the routes must
    work on the same database."""
    provider = app.dependency_overrides.get(get_settings, get_settings)
    settings: Settings = provider()
    return settings


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Deliver webhooks in a background thread while the app serves, when configured to."""
    settings = _settings(app)
    if not settings.run_webhook_worker:
        yield
        return
    worker = BackgroundWorker(settings)
    app.state.webhook_worker = worker
    worker.start()
    try:
        yield
    finally:
        worker.stop()


def create_app() -> FastAPI:
    app = FastAPI(
        title="mdmhub",
        version=__version__,
        description="Master data management hub: source records in, golden records out.",
        lifespan=_lifespan,
    )
    routers = (health, sources, records, golden, explain, events, webhooks)
    for module in routers:
        app.include_router(module.router)
    app.add_exception_handler(MdmError, _domain_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    return app
