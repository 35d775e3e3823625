"""programme

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

The co-production programme: training records, groups (members, requests to join, decisions),
and three columns on activities (the module a training teaches, the module an activity needs,
the group an activity is for). Touches no table added by any other new revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programme_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_groups")),
        sa.UniqueConstraint(
            "guild_id", "name_key", name=op.f("uq_programme_groups_guild_id_name_key")
        ),
        sa.UniqueConstraint("guild_id", "slug", name=op.f("uq_programme_groups_guild_id_slug")),
    )
    op.create_table(
        "group_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("started_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("term_ends_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["programme_groups.id"],
            name=op.f("fk_group_memberships_group_id_programme_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_memberships")),
    )
    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_memberships_user_id"), ["user_id"], unique=False
        )
        batch_op.create_index(
            "ix_group_memberships_group_user", ["group_id", "user_id"], unique=False
        )
    op.create_table(
        "group_join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("why", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("asked_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["programme_groups.id"],
            name=op.f("fk_group_join_requests_group_id_programme_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_join_requests")),
    )
    with op.batch_alter_table("group_join_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_join_requests_user_id"), ["user_id"], unique=False
        )
        batch_op.create_index(
            "ix_group_join_requests_group_status", ["group_id", "status"], unique=False
        )
    op.create_table(
        "group_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("decided_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["programme_groups.id"],
            name=op.f("fk_group_decisions_group_id_programme_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_decisions")),
    )
    with op.batch_alter_table("group_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_decisions_group_id"), ["group_id"], unique=False
        )
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("module_key", sa.String(length=40), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("expires_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_training_records_activity_id_activities"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
        sa.UniqueConstraint(
            "guild_id",
            "user_id",
            "module_key",
            name=op.f("uq_training_records_guild_id_user_id_module_key"),
        ),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_records_user_id"), ["user_id"], unique=False
        )
        batch_op.create_index(
            "ix_training_records_guild_module", ["guild_id", "module_key"], unique=False
        )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("teaches", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("needs", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_activities_group_id_programme_groups"),
            "programme_groups",
            ["group_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_activities_group_id_programme_groups"), type_="foreignkey"
        )
        batch_op.drop_column("group_id")
        batch_op.drop_column("needs")
        batch_op.drop_column("teaches")
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index("ix_training_records_guild_module")
        batch_op.drop_index(batch_op.f("ix_training_records_user_id"))
    op.drop_table("training_records")
    with op.batch_alter_table("group_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_decisions_group_id"))
    op.drop_table("group_decisions")
    with op.batch_alter_table("group_join_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_group_join_requests_group_status")
        batch_op.drop_index(batch_op.f("ix_group_join_requests_user_id"))
    op.drop_table("group_join_requests")
    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_group_memberships_group_user")
        batch_op.drop_index(batch_op.f("ix_group_memberships_user_id"))
    op.drop_table("group_memberships")
    op.drop_table("programme_groups")
