"""Explaining the score of two stored records with the model in force."""

from sqlalchemy.orm import Session

from mdmhub.domain.entities import EntityType
from mdmhub.engine.explanation import Explanation, explain
from mdmhub.engine.model_config import extra_attributes
from mdmhub.engine.standardize.records import standardize
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
    model = match_models.current_model(session, entity, settings)
    extras = extra_attributes(model)
    features = [
        standardize(
            entity,
            golden_view.get_source_record(session, entity, *key).attributes,
            settings.default_phone_region,
            extras,
        )
        for key in (left, right)
    ]
    return explain(model, features[0], features[1])
