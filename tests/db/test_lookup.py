"""`lookup`: the one-statement reads of the hottest paths, on their own autocommitted pool."""

import psycopg
import pytest
from sqlalchemy import Connection, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from mdmhub.db.models import Source
from mdmhub.db.session import lookup, transaction


def _backend_pid(connection: Connection) -> int:
    return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.postgres
def test_a_lookup_survives_the_database_closing_its_connection(postgres_url: str) -> None:
    first = lookup(postgres_url, _backend_pid)
    admin = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(%s)", (first,))

    second = lookup(postgres_url, _backend_pid)

    assert second != first


def test_a_failing_statement_is_raised_not_tried_again(database_url: str) -> None:
    calls: list[int] = []

    def broken(connection: Connection) -> None:
        calls.append(1)
        connection.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises((OperationalError, ProgrammingError)):
        lookup(database_url, broken)
    assert len(calls) == 1


def test_a_lookup_sees_what_was_committed_after_the_last_one(database_url: str) -> None:
    count = text("SELECT count(*) FROM sources")
    before = lookup(database_url, lambda connection: connection.execute(count).scalar_one())
    with transaction(database_url) as session:
        session.add(Source(name="erp", trust=0.5))

    after = lookup(database_url, lambda connection: connection.execute(count).scalar_one())

    assert after == before + 1


@pytest.mark.postgres
def test_a_lookup_gives_up_rather_than_wait_on_a_locked_table(postgres_url: str) -> None:
    admin = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin) as locker:
        locker.execute("LOCK TABLE sources IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(OperationalError, match="timeout"):
            lookup(
                postgres_url, lambda connection: connection.execute(text("SELECT 1 FROM sources"))
            )
