"""feedback

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Feedback on activities: the public post and its thread (feedback_posts), who gave a form
(feedback_givers), the forms themselves with no link to their giver when anonymous
(feedback_responses), quick ratings (feedback_quick_ratings) and thread replies
(feedback_comments). See db/models/feedback.py for why givers and responses share nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _activity_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["activity_id"],
        ["activities.id"],
        name=op.f(f"fk_{table}_activity_id_activities"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "feedback_posts",
        sa.Column("activity_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        _activity_fk("feedback_posts"),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_feedback_posts")),
    )
    with op.batch_alter_table("feedback_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_posts_message_id"), ["message_id"])
        batch_op.create_index(batch_op.f("ix_feedback_posts_thread_id"), ["thread_id"])

    op.create_table(
        "feedback_givers",
        sa.Column("activity_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        _activity_fk("feedback_givers"),
        sa.PrimaryKeyConstraint("activity_id", "user_id", name=op.f("pk_feedback_givers")),
    )
    with op.batch_alter_table("feedback_givers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_givers_user_id"), ["user_id"])

    op.create_table(
        "feedback_responses",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("worked", sa.Text(), nullable=True),
        sa.Column("to_change", sa.Text(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        _activity_fk("feedback_responses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_responses")),
    )
    with op.batch_alter_table("feedback_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_responses_activity_id"), ["activity_id"])
        batch_op.create_index(batch_op.f("ix_feedback_responses_user_id"), ["user_id"])

    op.create_table(
        "feedback_quick_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        _activity_fk("feedback_quick_ratings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_quick_ratings")),
        sa.UniqueConstraint(
            "activity_id", "user_id", name=op.f("uq_feedback_quick_ratings_activity_id_user_id")
        ),
    )
    with op.batch_alter_table("feedback_quick_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_quick_ratings_user_id"), ["user_id"])

    op.create_table(
        "feedback_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        _activity_fk("feedback_comments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_comments")),
        sa.UniqueConstraint("message_id", name=op.f("uq_feedback_comments_message_id")),
    )
    with op.batch_alter_table("feedback_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_comments_activity_id"), ["activity_id"])
        batch_op.create_index(batch_op.f("ix_feedback_comments_user_id"), ["user_id"])


def downgrade() -> None:
    for table in (
        "feedback_comments",
        "feedback_quick_ratings",
        "feedback_responses",
        "feedback_givers",
        "feedback_posts",
    ):
        op.drop_table(table)
