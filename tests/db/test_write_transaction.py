"""`write_transaction`: how often a writer folds SQLite's write-ahead log back, and which
plans PostgreSQL runs a writer's statements with."""

from pathlib import Path

import pytest

from mdmhub.db.session import BULK_WAL_PAGES, WAL_PAGES, transaction, write_transaction


def test_a_bulk_chunk_folds_the_write_ahead_log_back_less_often(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bulk.db'}"

    with write_transaction(url) as session:
        usual = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    with write_transaction(url, bulk=True) as session:
        bulk = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()

    assert (usual, bulk) == (WAL_PAGES, BULK_WAL_PAGES)


def _plan_cache_mode(url: str, writer: bool) -> object:
    with (write_transaction if writer else transaction)(url) as session:
        return session.connection().exec_driver_sql("SHOW plan_cache_mode").scalar()


def test_only_a_writers_transaction_runs_on_generic_plans(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("plan caching is PostgreSQL's")

    modes = [_plan_cache_mode(database_url, writer) for writer in (True, False)]

    assert modes == ["force_generic_plan", "auto"]
