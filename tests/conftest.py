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


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> str:
    """A database of this worker's own, migrated once."""
    if not POSTGRES_URL:
        pytest.skip("MDMHUB_TEST_POSTGRES_URL is not set (make test sets it)")
    base = make_url(POSTGRES_URL)
    name = f"{base.database}_{worker_id}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def _empty_postgres(url: str) -> None:
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
        _empty_postgres(url)
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
