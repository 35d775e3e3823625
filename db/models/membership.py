"""A person in the community: consent, profile and how to reach them."""

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
