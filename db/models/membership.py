"""A person in the community: consent, profile, how to reach them, whether they left, and who
looked at what helps them take part."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, PersonData
from db.types import EncryptedText


class Member(PersonData, CreatedAt, Base):
    """Exists only once the person consented: no row, nothing stored about them."""

    __tablename__ = "members"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}
    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    consent_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime]
    display_name: Mapped[str | None] = mapped_column(EncryptedText)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    adjustments: Mapped[str | None] = mapped_column(EncryptedText)
    wants_dms: Mapped[bool] = mapped_column(default=True)
    # Set when Discord refused a DM (error 50007): use the private thread, and try a DM again
    # once `OutboxSettings.dm_retry_days` have passed since `dms_closed_at`.
    dms_closed: Mapped[bool] = mapped_column(default=False)
    dms_closed_at: Mapped[datetime | None]
    private_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    paused_until: Mapped[datetime | None]
    # Set when they leave the server; cleared if they come back. Erased once it is old enough.
    left_at: Mapped[datetime | None] = mapped_column(index=True)
    # The last day they used the bot (at most one write a day); the inactivity clock.
    last_seen_at: Mapped[datetime | None] = mapped_column(index=True)
    # When they were asked whether to stay after a long time away; cleared by "Stay".
    stay_asked_at: Mapped[datetime | None] = mapped_column(index=True)


class AdjustmentView(PersonData, Base):
    """Someone looked at what helps a person take part: who, whose, when. The person sees it in
    their export; it goes when they are erased, and a viewer who is erased becomes unnamed."""

    __tablename__ = "adjustment_views"
    person_columns: ClassVar[dict[str, str]] = {"subject_id": "delete", "viewer_id": "nullify"}

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    subject_id: Mapped[int] = mapped_column(BigInteger, index=True)
    viewer_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # Where they looked, in words for the person ("the list of people coming to Coffee").
    place: Mapped[str] = mapped_column(String(32))
    viewed_at: Mapped[datetime]
