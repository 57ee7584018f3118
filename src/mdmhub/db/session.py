"""Engines and sessions. The transaction belongs to the edge (a request, a CLI command, a chunk)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


WAL_PAGES = 20_000
"""Writers fold the WAL back into the database every ~80 MB rather than every 4 MB: loads
commit a chunk at a time, and frequent folds rewrote the same index pages again and again."""
BULK_WAL_PAGES = 100_000
"""A bulk load's chunks fold it back every ~400 MB (the 50k CLI load: 8.52-8.67 s against
8.80-9.02, alternating). The server keeps `WAL_PAGES`: a fold stalls the commit that makes
it, and 16 clients' single records went from 362-375 to 335-340 rec/s with the bigger size."""


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer; busy_timeout waits instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
    # Once folded, the file shrinks back to 64 MB (after a bulk load's bigger WAL too).
    cursor.execute("PRAGMA journal_size_limit=67108864")
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


def _create_engine(url: str, **options: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, **options)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    return _create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        pool_pre_ping=not url.startswith("sqlite"),
        **JSON_CODEC,
    )


LOOKUP_TIMEOUT_SECONDS = 2
"""The longest a lookup waits for the database: it may run on the server's event loop."""


def _lookup_timeout_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA busy_timeout={LOOKUP_TIMEOUT_SECONDS * 1000}")


@lru_cache(maxsize=8)
def _lookup_engine(url: str) -> Engine:
    options: dict[str, Any] = {"pool_size": 2, "max_overflow": 2, "isolation_level": "AUTOCOMMIT"}
    if url.startswith("sqlite"):
        engine = _create_engine(url, **options)
        event.listen(engine, "connect", _lookup_timeout_sqlite)
        return engine
    milliseconds = LOOKUP_TIMEOUT_SECONDS * 1000
    return _create_engine(
        url,
        connect_args={
            "connect_timeout": LOOKUP_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
        },
        **options,
    )


def lookup(url: str, read: Callable[[Connection], T]) -> T:
    """A read of one statement, for the hottest paths (a ready 360 view).

    It runs in autocommit on its own small pool without the checkout ping: on PostgreSQL
    one round trip instead of four (ping, BEGIN, SELECT, ROLLBACK). A connection the server
    closed meanwhile (a database restart) is found by the read failing, and the read is
    tried once more on a fresh connection. A server may make it on its event loop, so it
    waits at most `LOOKUP_TIMEOUT_SECONDS` for the database, and fails rather than stall
    every other request.
    """
    try:
        return _read_once(url, read)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    return _read_once(url, read)


def _read_once(url: str, read: Callable[[Connection], T]) -> T:
    with _lookup_engine(url).connect() as connection:
        return read(connection)


def dispose(url: str) -> None:
    """Close every pooled connection to the database (its SQLite file can then be moved)."""
    get_engine(url).dispose()
    _lookup_engine(url).dispose()


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
def write_transaction(url: str, bulk: bool = False) -> Iterator[Session]:
    """A unit of work that matches or re-clusters records, holding the database's writer
    lock from its first statement to its commit.

    Two writers that both read the candidates for a new person before either wrote would
    each create a golden record for them. In one process writers take turns already
    (the API's write lock); this makes writers in other processes take turns too: a
    second server worker, a `mdmhub load` beside the server. SQLite takes its write lock
    at once (BEGIN IMMEDIATE, waiting up to the busy timeout); PostgreSQL a
    transaction-level advisory lock, released by the commit or the rollback.

    `bulk`: a chunk of a bulk load (see `BULK_WAL_PAGES`).
    """
    with session_factory(url)() as session, session.begin():
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
        else:
            if bulk:
                connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={BULK_WAL_PAGES}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield session
