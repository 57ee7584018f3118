from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mdmhub.db.models import Event
from mdmhub.db.session import transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.entities import EntityType
from mdmhub.domain.records import RecordInput, RecordResult
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.services import ingest, sources
from mdmhub.services.match_context import MatchContext
from mdmhub.settings import Settings

Upsert = Callable[..., list[RecordResult]]


@pytest.fixture
def hub(settings: Settings) -> Settings:
    """A database with three registered sources of different trust."""
    with transaction(settings.database_url) as session:
        sources.create(session, SYSTEM, name="crm", trust=0.9)
        sources.create(session, SYSTEM, name="shop", trust=0.5)
        sources.create(session, SYSTEM, name="callcentre", trust=0.3)
    return settings


@pytest.fixture
def upsert(hub: Settings) -> Upsert:
    """Upsert records in one transaction, as one REST call or one load chunk would."""

    def run(*records: RecordInput, entity: EntityType = EntityType.CUSTOMER) -> list[RecordResult]:
        context = MatchContext(DEFAULT_MODELS[entity], "ES", hub.block_size_cap)
        with transaction(hub.database_url) as session:
            return ingest.upsert_records(session, entity, list(records), context).results

    return run


def event_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event)) or 0
