"""Test databases: every service and API test runs on SQLite and on PostgreSQL.

The schema is built by the real Alembic migrations once per run; each test then
gets an empty database (a copy of the migrated SQLite file, or a truncated
PostgreSQL database of its own per xdist worker).
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import make_url, text

from mdmhub.db.base import Base
from mdmhub.db.migrate import upgrade
from mdmhub.db.session import dispose, get_engine
from mdmhub.settings import Settings
from tests.receiver import Receiver

POSTGRES_URL = os.environ.get("MDMHUB_TEST_POSTGRES_URL")

hypothesis_settings.register_profile("mdmhub", deadline=None)
hypothesis_settings.load_profile("mdmhub")
"""No time limit per example: tests never assert on wall-clock time, and a busy machine
(the suite runs beside PostgreSQL and a second worker) made examples miss Hypothesis's
default 200 ms."""


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "hub.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    dispose(url)  # the last connection to close folds the WAL into the file
    return path


def empty_postgres_database(suffix: str) -> str:
    """A new, empty PostgreSQL database named after the test database and `suffix`
    (one a crashed run left behind is dropped first)."""
    if not POSTGRES_URL:
        pytest.skip("MDMHUB_TEST_POSTGRES_URL is not set (make test sets it)")
    base = make_url(POSTGRES_URL)
    url = base.set(database=f"{base.database}_{suffix}").render_as_string(hide_password=False)
    drop_postgres_database(url, create_again=True)
    return url


def drop_postgres_database(url: str, create_again: bool = False) -> None:
    """Drop (and with `create_again`, create empty) the database of `url`, from a
    connection to the test database: no session may drop its own database."""
    assert POSTGRES_URL
    name = make_url(url).database
    admin = make_url(POSTGRES_URL).set(drivername="postgresql")
    with psycopg.connect(
        admin.render_as_string(hide_password=False), autocommit=True
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create_again:
            connection.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> str:
    """A database of this worker's own, migrated once."""
    url = empty_postgres_database(worker_id)
    upgrade(url)
    return url


def empty_postgres(url: str) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with get_engine(url).begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "hub.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        yield url
        dispose(url)
    else:
        url = request.getfixturevalue("postgres_url")
        empty_postgres(url)
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """No webhook worker thread: tests deliver when they choose, with the clock they choose."""
    return Settings(
        database_url=database_url,
        block_size_cap=50,
        run_webhook_worker=False,
        refresh_customer_views=False,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook subscriber listening on loopback."""
    with Receiver() as running:
        yield running
