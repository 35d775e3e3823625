"""Repeating activities: a series is a rule (weekly, fortnightly or monthly, in the community's
time zone, until a date) and a template; each occurrence is an ordinary `Activity`, linked here
by its slot (its place in the rule), so the same slot can never be created twice."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import ClassVar

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, PersonData

FREQUENCIES = ("weekly", "fortnightly", "monthly")


class ActivitySeries(PersonData, CreatedAt, Base):
    """The rule runs from `first_day` at `at_time` (local time in `timezone`) and numbers its
    dates from `first_slot`: slots before it were made under an earlier rule (a "this and later"
    time change moves the rule's start to that slot)."""

    __tablename__ = "activity_series"
    person_columns: ClassVar[dict[str, str]] = {"lead_user_id": "nullify"}

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    frequency: Mapped[str] = mapped_column(String(12))  # weekly | fortnightly | monthly
    timezone: Mapped[str] = mapped_column(String(64))
    first_day: Mapped[date]
    at_time: Mapped[time]
    first_slot: Mapped[int] = mapped_column(default=0)
    until: Mapped[date]
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    capacity: Mapped[int]
    place: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    lead_user_id: Mapped[int | None] = mapped_column(BigInteger)
    # When the newest occurrence was made (for operators: is the rolling window job running?).
    extended_at: Mapped[datetime | None]


class SeriesOccurrence(Base):
    """One slot of a series and the activity made for it. The unique (series, slot) pair is
    what makes the rolling window job safe to run twice, or twice at once."""

    __tablename__ = "series_occurrences"
    __table_args__ = (UniqueConstraint("series_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("activity_series.id", ondelete="CASCADE"))
    slot: Mapped[int]
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), unique=True
    )
