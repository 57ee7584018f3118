"""The schema comes from the migrations alone: they build what the models describe, each
one can be undone, and the data a migration moves stays."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from mdmhub.db.base import Base
from mdmhub.db.migrate import alembic_config, upgrade
from mdmhub.db.session import dispose, transaction
from mdmhub.domain.actors import SYSTEM
from mdmhub.domain.entities import EntityType
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.services import ingest, sources
from mdmhub.services.match_context import MatchContext
from tests.conftest import drop_postgres_database, empty_postgres_database
from tests.factories import duplicate_of, person, record


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database no migration has touched, of its own (migrations drop tables)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.db'}"
        yield url
        dispose(url)
        return
    url = empty_postgres_database(f"migrations_{request.getfixturevalue('worker_id')}")
    yield url
    dispose(url)
    drop_postgres_database(url)


def schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_the_migrations_build_the_schema_the_models_describe(database_url: str) -> None:
    assert schema_differences(database_url) == []


def test_every_migration_can_be_undone_and_done_again(unmigrated_url: str) -> None:
    upgrade(unmigrated_url)
    command.downgrade(alembic_config(unmigrated_url), "base")
    upgrade(unmigrated_url)

    assert schema_differences(unmigrated_url) == []


def test_blocking_keys_moved_to_a_table_without_rowid_still_find_candidates(
    unmigrated_url: str,
) -> None:
    upgrade(unmigrated_url, "0006")
    context = MatchContext(DEFAULT_MODELS[EntityType.CUSTOMER], "ES", 50)
    customer = person()
    with transaction(unmigrated_url) as session:
        sources.create(session, SYSTEM, name="crm", trust=0.9)
        [first] = ingest.upsert_records(
            session, EntityType.CUSTOMER, [record("crm", "1", **customer)], context
        ).results
    dispose(unmigrated_url)

    upgrade(unmigrated_url)
    with transaction(unmigrated_url) as session:
        [second] = ingest.upsert_records(
            session, EntityType.CUSTOMER, [record("crm", "2", **duplicate_of(customer))], context
        ).results

    assert second.golden_id == first.golden_id


def test_blocking_keys_live_in_their_primary_key_on_sqlite(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL tables have no rowid")
    with transaction(database_url) as session:
        sql = session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'blocking_keys'")
        ).scalar_one()

    assert "WITHOUT ROWID" in sql
