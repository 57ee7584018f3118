"""Blocking keys in a SQLite table without rowids: the rows live in their primary key's
b-tree, and the (entity, key) index holds the record id, so a candidate lookup reads the
index alone. A load writes two b-trees per key instead of three.

PostgreSQL tables have no rowid; nothing changes there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _with_rowid(with_rowid: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "blocking_keys", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
        ):
            pass


def upgrade() -> None:
    _with_rowid(False)


def downgrade() -> None:
    _with_rowid(True)
