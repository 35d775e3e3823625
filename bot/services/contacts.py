"""How to reach a person: by DM if they agreed and their DMs are open, else their private thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Member


@dataclass(frozen=True, slots=True)
class Contact:
    user_id: int
    wants_dms: bool
    dms_closed: bool
    private_thread_id: int | None
    display_name: str | None
    paused_until: datetime | None
    dms_closed_at: datetime | None = None

    def may_dm(self, now: datetime, retry_after: timedelta) -> bool:
        """They agreed to DMs, and their DMs are open or were closed long enough ago to try
        again (when is not known for DMs closed before that was kept: try now)."""
        if not self.wants_dms:
            return False
        return not self.dms_closed or (
            self.dms_closed_at is None or now - self.dms_closed_at >= retry_after
        )


async def find_contact(session: AsyncSession, guild_id: int, user_id: int) -> Contact | None:
    """None when the person has not consented: then nothing is stored about them and no DM is
    sent (no DM consent)."""
    member = await session.scalar(
        select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    if member is None:
        return None
    return Contact(
        user_id=member.user_id,
        wants_dms=member.wants_dms,
        dms_closed=member.dms_closed,
        private_thread_id=member.private_thread_id,
        display_name=member.display_name,
        paused_until=member.paused_until,
        dms_closed_at=member.dms_closed_at,
    )


async def mark_dms_closed(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> None:
    await session.execute(
        update(Member)
        .where(Member.guild_id == guild_id, Member.user_id == user_id)
        .values(dms_closed=True, dms_closed_at=now)
    )


async def mark_dms_open(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """A DM got through after they had been closed."""
    await session.execute(
        update(Member)
        .where(Member.guild_id == guild_id, Member.user_id == user_id)
        .values(dms_closed=False, dms_closed_at=None)
    )


async def remember_private_thread(
    session: AsyncSession, guild_id: int, user_id: int, thread_id: int
) -> None:
    await session.execute(
        update(Member)
        .where(Member.guild_id == guild_id, Member.user_id == user_id)
        .values(private_thread_id=thread_id)
    )
