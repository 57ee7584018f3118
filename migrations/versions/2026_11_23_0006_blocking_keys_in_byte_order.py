"""Blocking keys compared byte by byte on PostgreSQL, so that the keys starting alike are
one range of the index (a search widens to such a range) whatever the database's collation.

SQLite compares text byte by byte already.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key_type(collation: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("blocking_keys", "key", type_=sa.String(length=400, collation=collation))
        # A new collation rebuilds the column's index and drops its statistics, and
        # autovacuum counts no change that would renew them: the planner guessed every key
        # 8 times bigger than it is and looked candidates up twice as slowly.
        op.execute("ANALYZE blocking_keys")


def upgrade() -> None:
    _key_type("C")


def downgrade() -> None:
    _key_type("default")
