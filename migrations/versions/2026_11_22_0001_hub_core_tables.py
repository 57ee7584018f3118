"""Hub core tables: sources, source records with versions and blocking keys, golden records, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 15:09:57.658387
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("golden_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_golden_id"), ["golden_id"], unique=False)

    op.create_table(
        "golden_records",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("merged_into", sa.String(length=40), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_golden_records")),
    )
    with op.batch_alter_table("golden_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_golden_records_entity"), ["entity"], unique=False)

    op.create_table(
        "sources",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("trust", sa.Float(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sources")),
    )
    op.create_table(
        "source_records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "features",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("golden_id", sa.String(length=40), nullable=False),
        sa.Column("link_method", sa.String(length=20), nullable=False),
        sa.Column("link_score", sa.Float(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["golden_id"],
            ["golden_records.id"],
            name=op.f("fk_source_records_golden_id_golden_records"),
        ),
        sa.ForeignKeyConstraint(
            ["source"], ["sources.name"], name=op.f("fk_source_records_source_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_records")),
        sa.UniqueConstraint(
            "entity", "source", "source_id", name=op.f("uq_source_records_entity_source_source_id")
        ),
    )
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_source_records_golden_id"), ["golden_id"], unique=False
        )

    op.create_table(
        "blocking_keys",
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["source_records.id"],
            name=op.f("fk_blocking_keys_record_id_source_records"),
        ),
        sa.PrimaryKeyConstraint("record_id", "key", name=op.f("pk_blocking_keys")),
    )
    with op.batch_alter_table("blocking_keys", schema=None) as batch_op:
        batch_op.create_index("ix_blocking_keys_entity_key", ["entity", "key"], unique=False)

    op.create_table(
        "source_record_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["source_records.id"],
            name=op.f("fk_source_record_versions_record_id_source_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_record_versions")),
        sa.UniqueConstraint(
            "record_id", "version", name=op.f("uq_source_record_versions_record_id_version")
        ),
    )


def downgrade() -> None:

    op.drop_table("source_record_versions")
    with op.batch_alter_table("blocking_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_blocking_keys_entity_key")

    op.drop_table("blocking_keys")
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_records_golden_id"))

    op.drop_table("source_records")
    op.drop_table("sources")
    with op.batch_alter_table("golden_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_golden_records_entity"))

    op.drop_table("golden_records")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_golden_id"))

    op.drop_table("events")
