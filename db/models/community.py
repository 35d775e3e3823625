"""Per-guild community settings and small bits of bot state."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class Community(Base):
    """What `/setup` stores: one row per Discord server."""

    __tablename__ = "communities"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    announcements_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    coordinator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    buddies_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    feedback_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    welcome_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    timezone: Mapped[str] = mapped_column(String(64))
    quiet_hours: Mapped[str] = mapped_column(String(11))


class BotState(Base):
    """Key-value facts the bot keeps about itself (for example the hash of the last synced
    command tree)."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
