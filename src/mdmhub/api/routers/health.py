"""Liveness and readiness, for load balancers and orchestrators."""

from fastapi import APIRouter
from sqlalchemy import text

from mdmhub.api.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers; says nothing about the database."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(session: SessionDep) -> dict[str, str]:
    """The database answers a query (a failure surfaces as 503)."""
    session.execute(text("SELECT 1"))
    return {"status": "ready"}
