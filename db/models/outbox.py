"""Every message the bot owes someone is a row here before it is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, PersonData


class OutboxMessage(PersonData, CreatedAt, Base):
    """`dedupe_key` is unique so the same prompt is never queued twice. A row is claimed
    (`claimed_at`, `claimed_by`) before it is sent, so two dispatchers never send it both."""

    __tablename__ = "outbox"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "failed_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    # The person it is for; None for posts to a channel.
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    activity_id: Mapped[int | None] = mapped_column(index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime]
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    # Given up after too many attempts; coordinators can see these.
    failed_at: Mapped[datetime | None]
