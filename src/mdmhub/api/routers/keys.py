"""API keys, managed by admins: the key itself is shown once, at creation."""

from fastapi import APIRouter, Request, status

from mdmhub.api.auth_cache import AuthCache
from mdmhub.api.deps import AUTH_RESPONSES, AdminDep, SessionDep, WriteSessionDep
from mdmhub.api.schemas import ErrorOut, IssuedKeyOut, KeyIn, KeyOut
from mdmhub.services import api_keys

router = APIRouter(prefix="/v1/keys", tags=["api keys"], responses=AUTH_RESPONSES)


@router.post(
    "",
    response_model=IssuedKeyOut,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"model": ErrorOut}},
    summary="Create a key; the answer is the only place its secret ever appears",
)
def create(actor: AdminDep, body: KeyIn, session: WriteSessionDep) -> IssuedKeyOut:
    issued = api_keys.create(
        session,
        actor,
        role=body.role,
        source=body.source,
        name=body.name,
        sees_sensitive=body.sees_sensitive,
    )
    return IssuedKeyOut(**KeyOut.model_validate(issued.key).model_dump(), key=issued.token)


@router.get("", response_model=list[KeyOut], summary="List the keys, revoked ones included")
def list_all(actor: AdminDep, session: SessionDep) -> list[KeyOut]:
    return [KeyOut.model_validate(key) for key in api_keys.get_all(session)]


@router.delete(
    "/{key_id}",
    response_model=KeyOut,
    responses={404: {"model": ErrorOut}},
    summary="Revoke a key: it stops working at once and stays listed",
)
def revoke(actor: AdminDep, key_id: str, session: WriteSessionDep, request: Request) -> KeyOut:
    """The key stops working at once in this process, within seconds in others."""
    revoked = KeyOut.model_validate(api_keys.revoke(session, actor, key_id))
    cache: AuthCache = request.app.state.auth_cache
    cache.forget(key_id)
    return revoked
