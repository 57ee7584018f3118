"""Bulk writes: statistics refreshed as a loaded table grows (not per chunk); rows inserted
in one statement unless a unique key already holds them."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.models import GoldenRecord, Source
from mdmhub.db.repositories.bulk import insert_new_rows, insert_rows
from mdmhub.db.session import transaction


def _insert(session: Session, start: int, count: int) -> None:
    insert_rows(
        session,
        Source,
        [
            {"name": f"source-{n}", "trust": 0.5, "description": "", "created_at": utcnow()}
            for n in range(start, start + count)
        ],
        looked_up=True,
    )


def _described_rows(session: Session) -> float:
    statement = text("SELECT reltuples FROM pg_class WHERE relname = 'sources'")
    return float(session.execute(statement).scalar_one())


def test_a_table_loaded_in_chunks_is_analyzed_when_it_has_doubled(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("planner statistics are PostgreSQL's")
    described = []
    with transaction(database_url) as session:
        for start, count in ((0, 3000), (3000, 1000), (4000, 3000)):
            _insert(session, start, count)
            described.append(_described_rows(session))

    assert described == [3000, 3000, 7000]


def _golden(golden_id: str, attributes: dict[str, object]) -> dict[str, object]:
    now = utcnow()
    return {
        "id": golden_id,
        "entity": "customer",
        "status": "active",
        "merged_into": None,
        "attributes": attributes,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _stored(database_url: str) -> dict[str, tuple[object, ...]]:
    with transaction(database_url) as session:
        return {
            g.id: (g.attributes, g.merged_into, g.version, g.created_at)
            for g in session.scalars(select(GoldenRecord))
        }


def test_new_rows_are_stored_as_given_and_rows_a_unique_key_holds_are_left_out(
    database_url: str,
) -> None:
    with transaction(database_url) as session:
        insert_rows(session, GoldenRecord, [_golden("C-1", {"given_name": {"value": "Ana"}})])
    added = _golden("C-2", {"given_name": {"value": "Zoë", "rule": None}, "n": [1, 2.5]})

    with transaction(database_url) as session:
        insert_new_rows(session, GoldenRecord, [_golden("C-1", {"changed": True}), added])

    stored = _stored(database_url)
    assert stored["C-1"][0] == {"given_name": {"value": "Ana"}}
    assert stored["C-2"] == (added["attributes"], None, 1, added["created_at"])


def test_a_value_longer_than_its_column_is_refused_not_cut(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite does not bound string lengths")
    too_long = {**_golden("C-1", {}), "status": "x" * 21}

    with pytest.raises(DBAPIError), transaction(database_url) as session:
        insert_new_rows(session, GoldenRecord, [too_long])

    assert _stored(database_url) == {}


def test_a_row_naming_no_column_is_refused_before_anything_is_written(database_url: str) -> None:
    misspelt = {**_golden("C-1", {}), "atributes": {}}

    with pytest.raises(ValueError, match="atributes"), transaction(database_url) as session:
        insert_new_rows(session, GoldenRecord, [misspelt])

    assert _stored(database_url) == {}
