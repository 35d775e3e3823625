"""The buddy programme: who takes part in which role, and the pairs made between them."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, PersonData


class BuddyEnrolment(PersonData, CreatedAt, Base):
    """One row per person in the programme. `role` is "buddy" (takes up to `capacity`
    newcomers) or "newcomer"; a newcomer's place in the queue is `joined_at`."""

    __tablename__ = "buddy_enrolments"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}
    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(12))
    capacity: Mapped[int] = mapped_column(default=1)
    joined_at: Mapped[datetime]


class BuddyPair(PersonData, CreatedAt, Base):
    """`status`: proposed (waiting for a coordinator), active, ended, or skipped (a coordinator
    said no). Every pair ever made stays, so the same two people are never paired again."""

    __tablename__ = "buddy_pairs"
    person_columns: ClassVar[dict[str, str]] = {
        "buddy_user_id": "delete",
        "newcomer_user_id": "delete",
    }
    __table_args__ = (Index("ix_buddy_pairs_guild_status", "guild_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    buddy_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    newcomer_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(12))
    score: Mapped[int]
    reason: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    talked_at: Mapped[datetime | None]
    help_requested_at: Mapped[datetime | None]
