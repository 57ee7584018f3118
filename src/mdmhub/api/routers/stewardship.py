"""Steward actions on golden records: merge, split, pin and unpin attribute values."""

from typing import Annotated

from fastapi import APIRouter, Path

from mdmhub.api.deps import ENTITY_RESPONSES, EntityDep, StewardDep, WriteSessionDep
from mdmhub.api.schemas import ErrorOut, MergeIn, OverrideIn, SplitIn, SplitOut
from mdmhub.services import overrides, steward_actions
from mdmhub.services.golden_records import Change

router = APIRouter(
    responses=ENTITY_RESPONSES, prefix="/v1/{entity}/golden/{golden_id}", tags=["stewardship"]
)

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut},
    409: {"model": ErrorOut, "description": "the golden record was merged away or deleted"},
    422: {"model": ErrorOut},
}
Attribute = Annotated[str, Path(min_length=1, max_length=100)]


@router.post(
    "/merge",
    status_code=204,
    responses=ERRORS,
    summary="Merge another golden record into this one",
)
def merge(
    actor: StewardDep,
    entity: EntityDep,
    golden_id: str,
    body: MergeIn,
    session: WriteSessionDep,
) -> None:
    """The other record's members move here and are pinned; its id redirects here; constraints
    and overrides follow. An existing cannot-link between the two is lifted."""
    change = Change.now(entity, "steward.merge", actor)
    steward_actions.merge(session, change, golden_id, body.other, body.comment)


@router.post(
    "/split",
    response_model=SplitOut,
    status_code=201,
    responses=ERRORS,
    summary="Split source records out of this golden record into a new one",
)
def split(
    actor: StewardDep,
    entity: EntityDep,
    golden_id: str,
    body: SplitIn,
    session: WriteSessionDep,
) -> SplitOut:
    """Both sides are pinned and kept apart: no ingest or re-match joins them again."""
    change = Change.now(entity, "steward.split", actor)
    new_id = steward_actions.split(
        session,
        change,
        golden_id,
        [(r.source, r.source_id) for r in body.records],
        body.comment,
    )
    return SplitOut(golden_id=golden_id, new_golden_id=new_id)


@router.put(
    "/overrides/{attribute}",
    status_code=204,
    responses=ERRORS,
    summary="Pin an attribute to a value; it wins over every source until removed",
)
def pin(
    actor: StewardDep,
    entity: EntityDep,
    golden_id: str,
    attribute: Attribute,
    body: OverrideIn,
    session: WriteSessionDep,
) -> None:
    change = Change.now(entity, "steward.override", actor)
    overrides.pin(session, change, golden_id, attribute, body.value, body.reason)


@router.delete(
    "/overrides/{attribute}",
    status_code=204,
    responses=ERRORS,
    summary="Remove an override; the sources' value comes back",
)
def unpin(
    actor: StewardDep,
    entity: EntityDep,
    golden_id: str,
    attribute: Attribute,
    session: WriteSessionDep,
) -> None:
    change = Change.now(entity, "steward.override", actor)
    overrides.remove(session, change, golden_id, attribute)
