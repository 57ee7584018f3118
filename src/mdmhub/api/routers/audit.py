"""The audit log of every write, for admins."""

from typing import Annotated

from fastapi import APIRouter, Query

from mdmhub.api.deps import AUTH_RESPONSES, MAX_ID, AdminDep, SessionDep
from mdmhub.api.schemas import AuditEntryOut, AuditPageOut
from mdmhub.services import audit

router = APIRouter(responses=AUTH_RESPONSES, prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=AuditPageOut, summary="Read the audit log, oldest first")
def entries(
    actor: AdminDep,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="the last entry id already read")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    action: Annotated[str | None, Query(max_length=60)] = None,
) -> AuditPageOut:
    found = audit.entries(session, after, limit, action)
    return AuditPageOut(
        entries=[AuditEntryOut.model_validate(e) for e in found],
        next_cursor=found[-1].id if found else after,
    )
