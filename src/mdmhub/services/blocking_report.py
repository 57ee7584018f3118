"""The blocking report over an entity's stored records."""

from sqlalchemy.orm import Session

from mdmhub.db.repositories import records as records_repo
from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking_report import BlockingReport, blocking_report
from mdmhub.engine.model_config import extra_attributes
from mdmhub.engine.standardize.records import standardize
from mdmhub.services import match_models
from mdmhub.settings import Settings


def report(
    session: Session, entity: EntityType, settings: Settings, truth_attribute: str | None
) -> BlockingReport:
    """Candidate pairs per rule of the model in force; with `truth_attribute` (an extra
    attribute holding a known entity label), the recall of the blocking."""
    model = match_models.current_model(session, entity, settings)
    records = records_repo.live_records(session, entity.value)
    extras = extra_attributes(model)
    features = [
        standardize(entity, r.attributes, settings.default_phone_region, extras) for r in records
    ]
    truth = [r.attributes.get(truth_attribute) for r in records] if truth_attribute else None
    return blocking_report(model.blocking_rules, features, settings.block_size_cap, truth)
