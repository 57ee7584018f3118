"""Engines and sessions. The transaction belongs to the edge (a request, a CLI command, a chunk)."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer; busy_timeout waits instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Fold the WAL back into the database every ~80 MB rather than every 4 MB: loads commit
    # a chunk at a time, and frequent checkpoints rewrote the same index pages again and again.
    cursor.execute("PRAGMA wal_autocheckpoint=20000")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


JSON_CODEC = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
"""orjson: a bulk load writes a few JSON documents per record; the stdlib codec dominated."""


POOL_SIZE = 40
"""As many connections kept open as the server has threads for requests (AnyIO's 40), so a
busy server does not open and close connections under load."""
POOL_OVERFLOW = 20


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            **JSON_CODEC,
        )
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(
        url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True, **JSON_CODEC
    )


@lru_cache(maxsize=8)
def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with session_factory(url)() as session, session.begin():
        yield session


WRITER_LOCK = 0x6D646D68_77726974
"""The PostgreSQL advisory lock key of the writers that match records ("mdmh" "writ")."""


@contextmanager
def write_transaction(url: str) -> Iterator[Session]:
    """A unit of work that matches or re-clusters records, holding the database's writer
    lock from its first statement to its commit.

    Two writers that both read the candidates for a new person before either wrote would
    each create a golden record for them. In one process writers take turns already
    (the API's write lock); this makes writers in other processes take turns too: a
    second server worker, a `mdmhub load` beside the server. SQLite takes its write lock
    at once (BEGIN IMMEDIATE, waiting up to the busy timeout); PostgreSQL a
    transaction-level advisory lock, released by the commit or the rollback.
    """
    with session_factory(url)() as session, session.begin():
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield session
