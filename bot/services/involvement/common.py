"""Pieces the involvement services share: pounds and pence in integers, cleaned free text,
the start of "this year", and finding (and locking) an activity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotFound
from bot.services.activity_lookup import ActivityInfo, to_info
from bot.services.outbox import OutboxPayload
from db.models import Activity

# Commas only as thousands separators: "3,50" (a decimal comma) is refused, not read as 350.
_AMOUNT = re.compile(r"^£?\s*(\d{1,3}(?:,\d{3})+|\d{1,9})(?:\.(\d{1,2}))?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class NoticePayload(OutboxPayload):
    """An involvement notice: its words, for one person or (`coordinators`) for the
    coordinators' private thread."""

    text: str
    coordinators: bool = False


def pounds(pence: int) -> str:
    """2500 -> "£25.00"."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def parse_pounds(typed: str) -> int:
    """ "12.50", "£12.50", "12" or "12.5" -> pence, exactly (no float). Refuses anything else,
    including negatives and more than two decimals; zero is the caller's to refuse."""
    found = _AMOUNT.match(typed.strip())
    if found is None:
        raise InvalidInput(
            f"I could not read {typed.strip()[:20]!r} as an amount. "
            "Type pounds and pence, like 12.50. Nothing was saved."
        )
    whole, part = found.group(1).replace(",", ""), found.group(2) or "0"
    return int(whole) * 100 + int(part.ljust(2, "0"))


def clean(text: str | None, label: str, most: int) -> str | None:
    """Trimmed text without control characters (new lines kept); None when blank; refuses text
    longer than `most`."""
    if text is None:
        return None
    text = _CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    if len(text) > most:
        raise InvalidInput(
            f"{label} is {len(text):,} characters long; the most is {most:,}. "
            "Please shorten it and try again. Nothing was saved."
        )
    return text or None


def year_start(now: datetime, zone: tzinfo = UTC) -> datetime:
    """The first moment of the calendar year `now` is in, in the community's time zone."""
    local = now.astimezone(zone)
    return datetime(local.year, 1, 1, tzinfo=zone).astimezone(UTC)


async def activity_row(
    session: AsyncSession, guild_id: int, activity_id: int, *, lock: bool = False
) -> Activity:
    statement = select(Activity).where(Activity.id == activity_id, Activity.guild_id == guild_id)
    if lock:
        statement = statement.with_for_update()
    found = await session.scalar(statement)
    if found is None:
        raise NotFound("I could not find that activity. It may have been removed.")
    return found


async def activity(session: AsyncSession, guild_id: int, activity_id: int) -> ActivityInfo:
    return to_info(await activity_row(session, guild_id, activity_id))
