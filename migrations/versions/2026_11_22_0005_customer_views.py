"""Customer views: the 360 answer kept ready to send, rebuilt when what it shows changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_views",
        sa.Column("golden_id", sa.String(length=40), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("masked_body", sa.LargeBinary(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("golden_id", name=op.f("pk_customer_views")),
    )
    with op.batch_alter_table("customer_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_views_built_at"), ["built_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_views_valid_until"), ["valid_until"], unique=False
        )
    # Every active customer of an existing hub waits for its first build.
    op.execute(
        "INSERT INTO customer_views (golden_id, generation) "
        "SELECT id, 0 FROM golden_records WHERE entity = 'customer' AND status = 'active'"
    )


def downgrade() -> None:
    with op.batch_alter_table("customer_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_views_valid_until"))
        batch_op.drop_index(batch_op.f("ix_customer_views_built_at"))
    op.drop_table("customer_views")
