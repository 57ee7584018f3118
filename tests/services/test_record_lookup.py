"""Stored records found by their source ids, as every upsert begins."""

import pytest
from sqlalchemy import text

from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories.bulk import for_driver
from mdmhub.db.session import transaction
from mdmhub.settings import Settings
from tests.factories import person, record
from tests.services.conftest import Upsert


def test_records_are_found_by_source_id_within_their_own_source(
    hub: Settings, upsert: Upsert
) -> None:
    created = upsert(
        record("crm", "1", **person()), record("shop", "1", **person(given_name="Eva"))
    )

    with transaction(hub.database_url) as session:
        found = records_repo.find_by_source_ids(
            session, "customer", [("crm", "1"), ("shop", "1"), ("crm", "9"), ("shop", "2")]
        )

    assert {key: r.golden_id for key, r in found.items()} == {
        ("crm", "1"): created[0].golden_id,
        ("shop", "1"): created[1].golden_id,
    }


def test_a_lookup_probes_the_unique_index_even_for_a_source_the_planner_has_not_seen(
    hub: Settings, upsert: Upsert
) -> None:
    if not hub.database_url.startswith("postgresql"):
        pytest.skip("planner statistics are PostgreSQL's")
    upsert(*(record("crm", str(n), **person(given_name=f"Ana{n}")) for n in range(20)))
    with transaction(hub.database_url) as session:
        session.execute(text("ANALYZE source_records"))
    upsert(*(record("shop", str(n), **person(given_name=f"Eva{n}")) for n in range(20)))

    with transaction(hub.database_url) as session:
        connection = session.connection()
        # A table this small is read whole; the question is which index plan would be chosen.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        query = for_driver(records_repo._FIND_BY_SOURCE_IDS["postgresql"], connection.dialect)
        parameters = {"entity": "customer", "source": "shop", "ids": ["3", "4"]}
        plan = connection.exec_driver_sql(f"EXPLAIN {query.sql}", query.arguments(parameters))
        conditions = [line for (line,) in plan if "Index Cond" in line]

    assert any("source_id" in line for line in conditions), conditions
