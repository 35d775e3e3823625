"""buddies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

The buddy programme: who takes part (buddy_enrolments) and the pairs made (buddy_pairs).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "buddy_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("joined_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_enrolments")),
        sa.UniqueConstraint(
            "guild_id", "user_id", name=op.f("uq_buddy_enrolments_guild_id_user_id")
        ),
    )
    with op.batch_alter_table("buddy_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_buddy_enrolments_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "buddy_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("buddy_user_id", sa.BigInteger(), nullable=False),
        sa.Column("newcomer_user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("started_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("talked_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("help_requested_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_pairs")),
    )
    with op.batch_alter_table("buddy_pairs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_buddy_pairs_buddy_user_id"), ["buddy_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_buddy_pairs_newcomer_user_id"), ["newcomer_user_id"], unique=False
        )
        batch_op.create_index("ix_buddy_pairs_guild_status", ["guild_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("buddy_pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_buddy_pairs_guild_status")
        batch_op.drop_index(batch_op.f("ix_buddy_pairs_newcomer_user_id"))
        batch_op.drop_index(batch_op.f("ix_buddy_pairs_buddy_user_id"))
    op.drop_table("buddy_pairs")
    with op.batch_alter_table("buddy_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buddy_enrolments_user_id"))
    op.drop_table("buddy_enrolments")
