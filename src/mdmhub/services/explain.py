"""Explaining the score of two stored records with the model in force."""

from sqlalchemy.orm import Session

from mdmhub.domain.entities import EntityType
from mdmhub.engine.explanation import Explanation, explain
from mdmhub.services import golden_view, match_models
from mdmhub.settings import Settings


def explain_records(
    session: Session,
    entity: EntityType,
    settings: Settings,
    left: tuple[str, str],
    right: tuple[str, str],
) -> Explanation:
    """Both records are standardised afresh, so the explanation uses today's model."""
    context = match_models.context(session, entity, settings)
    features = [
        context.standardize(entity, golden_view.get_source_record(session, entity, *key).attributes)
        for key in (left, right)
    ]
    return explain(context.model, features[0], features[1])
