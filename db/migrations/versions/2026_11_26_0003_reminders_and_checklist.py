"""reminders and checklist

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Ticks on the co-production checklist. Reminders need no table: they are outbox rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklist_ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("ticked_by", sa.BigInteger(), nullable=True),
        sa.Column("ticked_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_checklist_ticks_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_ticks")),
        sa.UniqueConstraint(
            "activity_id", "item_key", name=op.f("uq_checklist_ticks_activity_id_item_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("checklist_ticks")
