"""Record links (a record's references to others) and customer interactions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 17:30:19.934005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "interactions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("interaction_id", sa.String(length=200), nullable=False),
        sa.Column("customer_source", sa.String(length=100), nullable=False),
        sa.Column("customer_source_id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("product_source", sa.String(length=100), nullable=True),
        sa.Column("product_source_id", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.String(length=4000), nullable=True),
        sa.Column("attributes", JSON, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source"], ["sources.name"], name=op.f("fk_interactions_source_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
        sa.UniqueConstraint(
            "source", "interaction_id", name=op.f("uq_interactions_source_interaction_id")
        ),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_customer",
            ["customer_source", "customer_source_id", "occurred_at"],
            unique=False,
        )

    op.create_table(
        "record_links",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("target_entity", sa.String(length=20), nullable=False),
        sa.Column("target_source", sa.String(length=100), nullable=False),
        sa.Column("target_source_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["source_records.id"],
            name=op.f("fk_record_links_record_id_source_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_links")),
    )
    with op.batch_alter_table("record_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_links_record_id"), ["record_id"], unique=False)
        batch_op.create_index(
            "ix_record_links_target",
            ["target_entity", "target_source", "target_source_id"],
            unique=False,
        )

    with op.batch_alter_table("source_record_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("links", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_record_versions", schema=None) as batch_op:
        batch_op.drop_column("links")

    with op.batch_alter_table("record_links", schema=None) as batch_op:
        batch_op.drop_index("ix_record_links_target")
        batch_op.drop_index(batch_op.f("ix_record_links_record_id"))

    op.drop_table("record_links")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_customer")

    op.drop_table("interactions")
