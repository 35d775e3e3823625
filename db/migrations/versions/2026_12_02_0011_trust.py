"""trust: leaving, retention and who looked

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Three columns on members (when they left the server, when they last used the bot, when they
were asked whether to stay) and the adjustment_views table (who looked at what helps a person
take part). Touches no table added by any other new revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MEMBER_COLUMNS = ("left_at", "last_seen_at", "stay_asked_at")


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        for name in _MEMBER_COLUMNS:
            batch_op.add_column(
                sa.Column(name, db.types.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.create_index(batch_op.f(f"ix_members_{name}"), [name], unique=False)
    op.create_table(
        "adjustment_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("viewer_id", sa.BigInteger(), nullable=True),
        sa.Column("place", sa.String(length=32), nullable=False),
        sa.Column("viewed_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustment_views")),
    )
    with op.batch_alter_table("adjustment_views", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adjustment_views_subject_id"), ["subject_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_adjustment_views_viewer_id"), ["viewer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("adjustment_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjustment_views_viewer_id"))
        batch_op.drop_index(batch_op.f("ix_adjustment_views_subject_id"))
    op.drop_table("adjustment_views")
    with op.batch_alter_table("members", schema=None) as batch_op:
        for name in reversed(_MEMBER_COLUMNS):
            batch_op.drop_index(batch_op.f(f"ix_members_{name}"))
            batch_op.drop_column(name)
