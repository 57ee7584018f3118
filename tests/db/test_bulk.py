"""Bulk writes on PostgreSQL: statistics refreshed as a loaded table grows, not per chunk."""

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.models import Source
from mdmhub.db.repositories.bulk import insert_rows
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
