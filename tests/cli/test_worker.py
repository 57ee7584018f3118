from mdmhub.db.session import transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.entities import EntityType
from mdmhub.services import ingest, match_models, webhooks
from mdmhub.settings import Settings
from tests.cli.conftest import Run
from tests.factories import people, record
from tests.receiver import Receiver


def _subscribe_and_ingest(settings: Settings, url: str, count: int) -> None:
    with transaction(settings.database_url) as session:
        webhooks.create(session, SYSTEM, url=url)
        context = match_models.context(session, EntityType.CUSTOMER, settings)
        records = [record("crm", f"c{i}", **p) for i, p in enumerate(people(count))]
        ingest.upsert_records(session, EntityType.CUSTOMER, records, context)


def test_worker_once_delivers_everything_due_and_exits(
    mdmhub: Run, settings: Settings, receiver: Receiver
) -> None:
    _subscribe_and_ingest(settings, receiver.url, 3)

    result = mdmhub("worker", "--once")

    assert result.exit_code == 0, result.output
    assert "3 events delivered, 0 failed attempts" in result.output
    assert len(receiver.accepted) == 3


def test_worker_once_stops_at_a_failing_subscriber_and_reports_it(
    mdmhub: Run, settings: Settings, receiver: Receiver
) -> None:
    _subscribe_and_ingest(settings, receiver.url, 2)
    receiver.answer([500])

    result = mdmhub("worker", "--once")

    assert result.exit_code == 0, result.output
    assert "0 events delivered, 1 failed attempts" in result.output
