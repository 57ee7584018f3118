"""Golden records with per-attribute lineage and their member source records."""

from fastapi import APIRouter

from mdmhub.api.deps import AUTH_RESPONSES, EntityDep, ReaderDep, SessionDep
from mdmhub.api.schemas import ErrorOut, GoldenOut, SourceRecordOut
from mdmhub.services import golden_view

router = APIRouter(prefix="/v1/{entity}/golden", tags=["golden records"], responses=AUTH_RESPONSES)


@router.get(
    "/{golden_id}",
    response_model=GoldenOut,
    responses={404: {"model": ErrorOut}},
    summary="Read a golden record; a merged-away id answers with its survivor",
)
def read(actor: ReaderDep, entity: EntityDep, golden_id: str, session: SessionDep) -> GoldenOut:
    """A merged-away id is answered with the surviving record (200, not a redirect):
    `id` is the survivor and `requested_id` the id asked for."""
    view = golden_view.get_golden(session, entity, golden_id)
    record = view.record
    return GoldenOut(
        id=record.id,
        requested_id=view.requested_id,
        entity=record.entity,
        status=record.status,
        version=record.version,
        attributes=record.attributes,
        members=[SourceRecordOut.model_validate(m) for m in view.members],
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
