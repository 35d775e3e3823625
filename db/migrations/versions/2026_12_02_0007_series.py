"""repeating activities (series)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A series is a rule and a template; its occurrences are ordinary activities linked by slot.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("frequency", sa.String(length=12), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("at_time", sa.Time(), nullable=False),
        sa.Column("first_slot", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lead_user_id", sa.BigInteger(), nullable=True),
        sa.Column("extended_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_series")),
    )
    with op.batch_alter_table("activity_series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_series_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "series_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_series_occurrences_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["activity_series.id"],
            name=op.f("fk_series_occurrences_series_id_activity_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_occurrences")),
        sa.UniqueConstraint("activity_id", name=op.f("uq_series_occurrences_activity_id")),
        sa.UniqueConstraint(
            "series_id", "slot", name=op.f("uq_series_occurrences_series_id_slot")
        ),
    )


def downgrade() -> None:
    op.drop_table("series_occurrences")
    with op.batch_alter_table("activity_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_series_guild_id"))
    op.drop_table("activity_series")
