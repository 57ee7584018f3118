"""Searching customers with the matcher's own standardisation, blocking and scoring."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mdmhub.db.repositories import records as records_repo
from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking import blocking_keys
from mdmhub.engine.explanation import Explanation, explanation_of
from mdmhub.engine.search import (
    close_in_spelling,
    probe_attributes,
    score_against,
    widened_prefix,
)
from mdmhub.engine.spec import MatchModel
from mdmhub.errors import InvalidInputError
from mdmhub.services import golden_view, match_models
from mdmhub.settings import Settings

SEARCH_CAP_FACTOR = 10
"""A search may read blocks this many times bigger than matching does: a common name's block
is too big to pair every member with every other, not to score once against a probe."""


@dataclass(frozen=True)
class Hit:
    """Shaped as the API's `SearchHitOut`, so that it is rendered as it is."""

    golden_id: str
    score: float
    attributes: dict[str, str]
    matched_source: str
    """The member record that scored best."""
    matched_source_id: str
    explanation: Explanation


def search(
    session: Session,
    settings: Settings,
    q: str | None,
    fields: Mapping[str, str | None],
    limit: int,
) -> list[Hit]:
    """Golden customers ranked by their best member's match probability with the probe."""
    probe = probe_attributes(q, fields)
    if not probe:
        raise InvalidInputError("give q or at least one field to search on", field="q")
    entity = EntityType.CUSTOMER
    context = match_models.context(session, entity, settings)
    features = context.standardize(entity, probe)
    keys = blocking_keys(context.model.blocking_rules, features)
    cap = settings.block_size_cap * SEARCH_CAP_FACTOR
    candidates, _ = records_repo.candidates(session, entity.value, keys, set(), cap)
    candidates += _misspelt_family(session, settings, context.model, features, candidates)
    if not candidates:
        return []
    scored = score_against(context.model, features, [c.features for c in candidates])
    best: dict[str, tuple[float, int]] = {}
    probabilities = scored.probability.tolist()
    for index, (candidate, score) in enumerate(zip(candidates, probabilities, strict=True)):
        if candidate.golden_id not in best or score > best[candidate.golden_id][0]:
            best[candidate.golden_id] = (score, index)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    members = records_repo.with_their_goldens(
        session, [candidates[index].id for _, (_, index) in ranked]
    )
    hits = []
    for golden_id, (score, index) in ranked:
        member = members[candidates[index].id]
        hits.append(
            Hit(
                golden_id,
                score,
                golden_view.attribute_values(member.golden_attributes),
                member.source,
                member.source_id,
                explanation_of(context.model, scored, index, features, candidates[index].features),
            )
        )
    return hits


def _misspelt_family(
    session: Session,
    settings: Settings,
    model: MatchModel,
    features: Mapping[str, str],
    candidates: list[records_repo.Candidate],
) -> list[records_repo.Candidate]:
    """The records one typo from the family name searched for, when no candidate bears it
    (see `engine.search.widened_prefix`); none otherwise."""
    prefix = widened_prefix(model, features, [c.features for c in candidates])
    if prefix is None:
        return []
    widened = records_repo.keys_under_prefix(
        session, EntityType.CUSTOMER.value, prefix, settings.block_size_cap
    )
    if not widened:
        return []
    close = close_in_spelling(features, widened)
    return records_repo.candidates_among(session, close, {c.id for c in candidates})
