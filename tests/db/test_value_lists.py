"""A column matched against a list of values: the same rows on both databases, one
statement on PostgreSQL whatever the list's length."""

import pytest
from sqlalchemy import select

from mdmhub.db.base import utcnow
from mdmhub.db.models import Source
from mdmhub.db.repositories.bulk import insert_rows
from mdmhub.db.repositories.rows import select_rows
from mdmhub.db.repositories.value_lists import by_unique_key, one_of
from mdmhub.db.session import get_engine, transaction

_NAMED = select(Source.name).where(one_of(Source.name, "names")).order_by(Source.name)
_BY_NAME = by_unique_key((Source.name, Source.trust), (), Source.name, "names")


LONGEST = "s" * 100
"""As long as a source's name may be."""


def _names_among(database_url: str, names: list[str]) -> list[str]:
    with transaction(database_url) as session:
        insert_rows(
            session,
            Source,
            [
                {"name": name, "trust": 0.5, "description": "", "created_at": utcnow()}
                for name in ("crm", "erp", "shop", LONGEST)
            ],
            looked_up=True,
        )
        return list(select_rows(session, _NAMED, {"names": names}).scalars())


def test_the_rows_holding_one_of_the_values_are_selected(database_url: str) -> None:
    assert _names_among(database_url, ["shop", "crm", "web"]) == ["crm", "shop"]


def test_an_empty_list_selects_nothing(database_url: str) -> None:
    assert _names_among(database_url, []) == []


def test_a_value_longer_than_the_column_does_not_match_its_first_characters(
    database_url: str,
) -> None:
    assert _names_among(database_url, [LONGEST + "s"]) == []


def test_postgresql_gets_one_array_parameter_for_any_length_of_list(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no arrays")
    compiled = _NAMED.compile(dialect=get_engine(database_url).dialect)

    assert list(compiled.params) == ["names"]
    assert "= ANY (%(names)s::VARCHAR[])" in str(compiled)


def test_a_unique_key_lookup_answers_each_value_found_once(database_url: str) -> None:
    _names_among(database_url, [])
    with transaction(database_url) as session:
        statement = _BY_NAME[session.get_bind().dialect.name]
        rows = select_rows(session, statement, {"names": ["shop", "web", "crm"]}).all()

    assert sorted(tuple(row) for row in rows) == [("crm", 0.5), ("shop", 0.5)]
