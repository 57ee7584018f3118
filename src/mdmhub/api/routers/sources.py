"""Registering the source systems that may send records."""

from fastapi import APIRouter, status

from mdmhub.api.deps import AUTH_RESPONSES, AdminDep, SessionDep, StewardDep, WriteSessionDep
from mdmhub.api.schemas import ErrorOut, SourceIn, SourceOut
from mdmhub.services import sources

router = APIRouter(prefix="/v1/sources", tags=["sources"], responses=AUTH_RESPONSES)


@router.post(
    "",
    response_model=SourceOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorOut}},
)
def create(actor: AdminDep, body: SourceIn, session: WriteSessionDep) -> SourceOut:
    source = sources.create(
        session, actor, name=body.name, trust=body.trust, description=body.description
    )
    return SourceOut.model_validate(source)


@router.get("", response_model=list[SourceOut])
def list_all(actor: StewardDep, session: SessionDep) -> list[SourceOut]:
    return [SourceOut.model_validate(s) for s in sources.get_all(session)]
