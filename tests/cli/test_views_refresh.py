from mdmhub.db.session import transaction
from mdmhub.domain.entities import EntityType
from mdmhub.services import customer_views, ingest, match_models
from mdmhub.settings import Settings
from tests.cli.conftest import Run
from tests.factories import people, record


def test_views_refresh_builds_every_stale_customer_view(mdmhub: Run, settings: Settings) -> None:
    with transaction(settings.database_url) as session:
        context = match_models.context(session, EntityType.CUSTOMER, settings)
        records = [record("crm", f"c{i}", **p) for i, p in enumerate(people(4))]
        ingest.upsert_records(session, EntityType.CUSTOMER, records, context)

    result = mdmhub("views", "refresh")

    assert result.exit_code == 0, result.output
    assert "4 customer views built" in result.output
    with transaction(settings.database_url) as session:
        assert customer_views.stale_count(session) == 0
