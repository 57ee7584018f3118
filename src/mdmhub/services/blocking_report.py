"""The blocking report over an entity's stored records."""

from sqlalchemy.orm import Session

from mdmhub.db.repositories import records as records_repo
from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking_report import BlockingReport, blocking_report
from mdmhub.services import match_models
from mdmhub.settings import Settings


def report(
    session: Session, entity: EntityType, settings: Settings, truth_attribute: str | None
) -> BlockingReport:
    """Candidate pairs per rule of the model in force; with `truth_attribute` (an extra
    attribute holding a known entity label), the recall of the blocking."""
    context = match_models.context(session, entity, settings)
    records = records_repo.live_records(session, entity.value)
    features = [context.standardize(entity, r.attributes) for r in records]
    truth = [r.attributes.get(truth_attribute) for r in records] if truth_attribute else None
    return blocking_report(context.model.blocking_rules, features, settings.block_size_cap, truth)
