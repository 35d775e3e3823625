"""The co-production programme: training people hold, and groups (such as the advisory group)
with their members, requests to join and decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, PersonData


class TrainingRecord(PersonData, CreatedAt, Base):
    """A module a person completed: one row per person and module, holding the latest date.
    `expires_at` is the moment it runs out (the start of `expires_on` in the community's time
    zone when it was recorded); both are None for a module that never runs out."""

    __tablename__ = "training_records"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete", "recorded_by": "nullify"}
    __table_args__ = (
        UniqueConstraint("guild_id", "user_id", "module_key"),
        Index("ix_training_records_guild_module", "guild_id", "module_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    module_key: Mapped[str] = mapped_column(String(40))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    expires_at: Mapped[datetime | None]
    # The training activity it was learned at, if it was recorded from attendance.
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL")
    )
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class Group(CreatedAt, Base):
    """A group with its own Discord role and private channel, made by the cog before this row."""

    __tablename__ = "programme_groups"
    __table_args__ = (
        UniqueConstraint("guild_id", "name_key"),
        UniqueConstraint("guild_id", "slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    # The name folded to lower case: names are unique per community whatever their case.
    name_key: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    term_months: Mapped[int | None]
    role_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger)


class GroupMembership(PersonData, CreatedAt, Base):
    """A time someone is a member: current while `ended_at` is None. A group with terms sets
    `term_ends_at`; carrying on moves it one term later."""

    __tablename__ = "group_memberships"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}
    __table_args__ = (Index("ix_group_memberships_group_user", "group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("programme_groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    started_at: Mapped[datetime]
    term_ends_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # Why it ended: left | removed | stepped_down | term_ended
    end_reason: Mapped[str | None] = mapped_column(String(20))


class GroupJoinRequest(PersonData, CreatedAt, Base):
    """Someone asking to join, with a short why; pending until a coordinator answers."""

    __tablename__ = "group_join_requests"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete", "decided_by": "nullify"}
    __table_args__ = (Index("ix_group_join_requests_group_status", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("programme_groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    why: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12))  # pending | accepted | declined
    asked_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)


class GroupDecision(PersonData, CreatedAt, Base):
    """What a group decided, for its log. Who wrote it down is forgotten on erasure."""

    __tablename__ = "group_decisions"
    person_columns: ClassVar[dict[str, str]] = {"recorded_by": "nullify"}

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("programme_groups.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(1000))
    decided_at: Mapped[datetime]
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
