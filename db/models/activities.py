"""Opportunities coordinators post (the people signed up for them: `db.models.signups`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, CreatedAt, PersonData

if TYPE_CHECKING:
    from db.models.signups import Signup


class Activity(PersonData, CreatedAt, Base):
    __tablename__ = "activities"
    person_columns: ClassVar[dict[str, str]] = {"lead_user_id": "nullify"}
    __table_args__ = (Index("ix_activities_guild_status_start", "guild_id", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    capacity: Mapped[int]
    place: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    lead_user_id: Mapped[int | None] = mapped_column(BigInteger)
    signup_deadline: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | cancelled
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    announcement_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    announcement_message_id: Mapped[int | None] = mapped_column(BigInteger)
    scheduled_event_id: Mapped[int | None] = mapped_column(BigInteger)
    # The programme: the training module a training activity teaches, the one a person needs
    # to sign up, and the group whose members alone may sign up.
    teaches: Mapped[str | None] = mapped_column(String(40))
    needs: Mapped[str | None] = mapped_column(String(40))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_groups.id", ondelete="SET NULL")
    )

    signups: Mapped[list[Signup]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="Signup.id"
    )
