"""`write_transaction` on SQLite: how often a writer folds the write-ahead log back."""

from pathlib import Path

from mdmhub.db.session import BULK_WAL_PAGES, WAL_PAGES, write_transaction


def test_a_bulk_chunk_folds_the_write_ahead_log_back_less_often(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bulk.db'}"

    with write_transaction(url) as session:
        usual = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    with write_transaction(url, bulk=True) as session:
        bulk = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()

    assert (usual, bulk) == (WAL_PAGES, BULK_WAL_PAGES)
