import pytest
from sqlalchemy import text

from mdmhub.db.base import utcnow
from mdmhub.db.repositories import events as events_repo
from mdmhub.db.session import get_engine, transaction
from mdmhub.settings import Settings


def _lock_is_free(settings: Settings) -> bool:
    """Asked from another connection, as a concurrent writer would."""
    with get_engine(settings.database_url).connect() as other:
        free = other.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": events_repo.EVENT_ORDER_LOCK}
        )
        other.rollback()
    return bool(free)


@pytest.fixture
def postgres(settings: Settings) -> Settings:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has a single writer: its event ids commit in order by themselves")
    return settings


def test_a_transaction_adding_events_holds_the_event_order_lock_until_it_commits(
    postgres: Settings,
) -> None:
    event = {
        "entity": "customer",
        "golden_id": "cus_1",
        "type": "golden.deleted",
        "payload": {},
        "occurred_at": utcnow(),
    }
    with transaction(postgres.database_url) as session:
        events_repo.add_events(session, [event])
        held_before_commit = not _lock_is_free(postgres)

    assert held_before_commit
    assert _lock_is_free(postgres)
