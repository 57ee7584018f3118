"""`first_row`: one row read on the driver's own cursor, for a ready 360 view."""

import psycopg
import pytest
from sqlalchemy import Column, MetaData, String, Table, bindparam, make_url, select, text
from sqlalchemy.exc import DBAPIError

from mdmhub.db.models import Source
from mdmhub.db.repositories.rows import first_row
from mdmhub.db.session import dispose, lookup, transaction

_SOURCE = select(Source.name, Source.trust, Source.created_at).where(
    Source.name == bindparam("name")
)
_MISSING = select(Table("no_such_table", MetaData(), Column("name", String)).c.name)


def _add_source(database_url: str) -> Source:
    with transaction(database_url) as session:
        source = Source(name="erp", trust=0.5)
        session.add(source)
        session.flush()
        session.expunge(source)
        return source


def test_a_row_comes_back_with_its_columns_typed_as_sqlalchemy_types_them(
    database_url: str,
) -> None:
    added = _add_source(database_url)

    row = lookup(database_url, lambda connection: first_row(connection, _SOURCE, {"name": "erp"}))

    assert row == ("erp", 0.5, added.created_at)


def test_no_row_is_none(database_url: str) -> None:
    row = lookup(database_url, lambda connection: first_row(connection, _SOURCE, {"name": "x"}))

    assert row is None


def test_a_driver_error_comes_out_as_sqlalchemys(database_url: str) -> None:
    with pytest.raises(DBAPIError):
        lookup(database_url, lambda connection: first_row(connection, _MISSING, {}))


def _backend_pid(url: str) -> int:
    return int(lookup(url, lambda c: c.execute(text("SELECT pg_backend_pid()")).scalar_one()))


@pytest.mark.postgres
def test_a_read_survives_the_database_closing_its_connection(postgres_url: str) -> None:
    dispose(postgres_url)  # one pooled connection: the one closed below
    admin = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(%s)", (_backend_pid(postgres_url),))

    row = lookup(postgres_url, lambda connection: first_row(connection, _SOURCE, {"name": "x"}))

    assert row is None
