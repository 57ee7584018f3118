"""The FastAPI application: routers plus the mapping from domain errors to HTTP answers."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from mdmhub import __version__
from mdmhub.api.routers import (
    audit,
    customers,
    explain,
    golden,
    health,
    interactions,
    records,
    review_tasks,
    sources,
    stewardship,
)
from mdmhub.errors import MdmError


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, MdmError)
    return JSONResponse(
        status_code=error.status_code, content={"detail": error.message, "field": error.field}
    )


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=503, content={"detail": "the database is not reachable"})


def create_app() -> FastAPI:
    app = FastAPI(
        title="mdmhub",
        version=__version__,
        description="Master data management hub: source records in, golden records out.",
    )
    for router in (
        health.router,
        sources.router,
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
