"""What every part of feedback needs: the activity as feedback sees it, and the checks that
decide whether feedback on it can be given now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, NotFound
from db.models import Activity, FeedbackGiver

# Quick ratings sit on the form's 1-5 scale so every rating can be averaged together.
QUICK_RATINGS = {"good": 5, "okay": 3, "not_good": 1}
MAX_TEXT = 1000
MAX_UPDATE = 1500
# Activities that ended longer ago than this (the bot was down, the feature is new) are not
# asked about: a prompt weeks later helps nobody.
CATCH_UP = timedelta(days=7)

REQUEST_KIND = "feedback_request"
POST_KIND = "feedback_post"
UPDATE_KIND = "feedback_update"
UPDATE_POST_KIND = "feedback_update_post"


@dataclass(frozen=True, slots=True)
class ActivityInfo:
    id: int
    guild_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool

    @property
    def starts(self) -> str:
        return f"<t:{int(self.starts_at.timestamp())}:F>"


def info(activity: Activity) -> ActivityInfo:
    return ActivityInfo(
        id=activity.id,
        guild_id=activity.guild_id,
        title=activity.title,
        starts_at=activity.starts_at,
        ends_at=activity.starts_at + timedelta(minutes=activity.duration_minutes),
        cancelled=activity.status == "cancelled",
    )


def insert_for(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def get_activity(
    session: AsyncSession, activity_id: int, guild_id: int | None = None
) -> ActivityInfo:
    activity = await session.get(Activity, activity_id)
    if activity is None or (guild_id is not None and activity.guild_id != guild_id):
        raise NotFound(
            "I could not find that activity. Start typing its name and pick it from the list."
        )
    return info(activity)


async def find_activity(session: AsyncSession, guild_id: int, typed: str) -> ActivityInfo:
    """The activity picked from the list (its id) or typed by its exact title."""
    typed = typed.strip()
    if typed.isdigit():
        return await get_activity(session, int(typed), guild_id)
    rows = list(
        await session.scalars(
            select(Activity).where(
                Activity.guild_id == guild_id,
                Activity.status != "cancelled",
                func.lower(Activity.title) == typed.lower(),
            )
        )
    )
    if len(rows) != 1:
        raise NotFound(
            "I could not tell which activity you mean. Start typing its name and pick it "
            "from the list."
        )
    return info(rows[0])


async def started_activities(
    session: AsyncSession, guild_id: int, typed: str, now: datetime, limit: int = 25
) -> list[ActivityInfo]:
    """Activities that have started and were not cancelled, newest first, for autocomplete."""
    rows = await session.scalars(
        select(Activity)
        .where(
            Activity.guild_id == guild_id,
            Activity.status != "cancelled",
            Activity.starts_at <= now,
            Activity.title.ilike(f"%{typed.strip()}%"),
        )
        .order_by(Activity.starts_at.desc())
        .limit(limit)
    )
    return [info(row) for row in rows]


def refuse_unless_open_for_feedback(activity: ActivityInfo, now: datetime) -> None:
    if activity.cancelled:
        raise Conflict(
            f"**{activity.title}** was cancelled, so there is nothing to give feedback on. "
            "Thank you for wanting to help."
        )
    if activity.starts_at > now:
        raise Conflict(
            f"**{activity.title}** has not started yet. You can give feedback once it "
            f"begins ({activity.starts})."
        )


async def has_given(session: AsyncSession, activity_id: int, user_id: int) -> bool:
    return await session.get(FeedbackGiver, (activity_id, user_id)) is not None
