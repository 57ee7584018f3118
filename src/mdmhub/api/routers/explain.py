"""Why two records match or not, attribute by attribute."""

from typing import Annotated

from fastapi import APIRouter, Query

from mdmhub.api.deps import ENTITY_RESPONSES, EntityDep, SessionDep, SettingsDep, StewardDep
from mdmhub.api.schemas import ErrorOut, ExplanationOut
from mdmhub.errors import InvalidInputError
from mdmhub.services import explain

router = APIRouter(prefix="/v1/{entity}", tags=["matching"], responses=ENTITY_RESPONSES)

RecordRef = Annotated[str, Query(min_length=3, max_length=301, examples=["crm:42"])]


def _reference(value: str, name: str) -> tuple[str, str]:
    source, sep, source_id = value.partition(":")
    if not sep or not source or not source_id:
        raise InvalidInputError(f"{name} must be SOURCE:SOURCE_ID, not {value!r}", field=name)
    return source, source_id


@router.get(
    "/match-explain",
    response_model=ExplanationOut,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Explain the match score of two source records",
)
def match_explain(
    actor: StewardDep,
    entity: EntityDep,
    a: RecordRef,
    b: RecordRef,
    session: SessionDep,
    settings: SettingsDep,
) -> ExplanationOut:
    """The prior weight plus every comparison's weight is `match_weight`, and
    `probability` = 1 / (1 + 2^-match_weight): the score can be recomputed from the parts."""
    result = explain.explain_records(
        session, entity, settings, _reference(a, "a"), _reference(b, "b")
    )
    return ExplanationOut.model_validate(result, from_attributes=True)
