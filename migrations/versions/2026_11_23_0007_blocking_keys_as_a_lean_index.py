"""Blocking keys as a lean index of the records' features.

No foreign key to their records: the keys are written and rewritten with their record,
and records are never deleted, while checking the key for every row cost PostgreSQL
more than storing the row. In a SQLite table without rowids: the rows live in their
primary key's b-tree, and the (entity, key) index holds the record id, so a candidate
lookup reads the index alone; a load writes two b-trees per key instead of three.

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

FOREIGN_KEY = "fk_blocking_keys_record_id_source_records"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "blocking_keys", recreate="always", table_kwargs={"sqlite_with_rowid": False}
        ) as batch_op:
            batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
    else:
        op.drop_constraint(FOREIGN_KEY, "blocking_keys", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "blocking_keys", recreate="always", table_kwargs={"sqlite_with_rowid": True}
        ) as batch_op:
            batch_op.create_foreign_key(FOREIGN_KEY, "source_records", ["record_id"], ["id"])
    else:
        op.create_foreign_key(FOREIGN_KEY, "blocking_keys", "source_records", ["record_id"], ["id"])
