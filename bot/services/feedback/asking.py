"""Asking for feedback once an activity has ended: the planner that queues the channel post and
the personal requests, and what the cog needs to put the post and its thread out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound
from bot.services import outbox
from bot.services.activity_lookup import ActivityInfo, get_info, to_info
from bot.services.feedback.common import CATCH_UP, POST_KIND, REQUEST_KIND, has_given
from db.engine import insert_for
from db.models import Activity, FeedbackPost, Signup


@dataclass(frozen=True, slots=True)
class PostState:
    activity: ActivityInfo
    channel_id: int | None
    message_id: int | None
    thread_id: int | None


async def plan_requests(session: AsyncSession, now: datetime, ask_after: timedelta) -> int:
    """For each activity that has ended and was not planned yet: queue the channel post and a
    request to every confirmed participant. Returns how many activities were planned."""
    candidates = await session.scalars(
        select(Activity).where(
            Activity.status != "cancelled",
            Activity.starts_at <= now,
            Activity.starts_at >= now - CATCH_UP,
            ~exists().where(FeedbackPost.activity_id == Activity.id),
        )
    )
    planned = 0
    for activity in [to_info(row) for row in candidates]:
        if activity.ends_at > now or not await _claim_planning(session, activity):
            continue
        due = activity.ends_at + ask_after
        await outbox.enqueue(
            session,
            guild_id=activity.guild_id,
            kind=POST_KIND,
            activity_id=activity.id,
            due_at=due,
            dedupe_key=f"feedback:post:{activity.id}",
        )
        confirmed = await session.scalars(
            select(Signup.user_id).where(
                Signup.activity_id == activity.id, Signup.status == "confirmed"
            )
        )
        for user_id in confirmed:
            await outbox.enqueue(
                session,
                guild_id=activity.guild_id,
                kind=REQUEST_KIND,
                user_id=user_id,
                activity_id=activity.id,
                due_at=due,
                dedupe_key=f"feedback:request:{activity.id}:{user_id}",
            )
        planned += 1
    return planned


async def _claim_planning(session: AsyncSession, activity: ActivityInfo) -> bool:
    """Make the activity's post row; False if another planner got there first."""
    statement = (
        insert_for(session)(FeedbackPost)
        .values(activity_id=activity.id, guild_id=activity.guild_id)
        .on_conflict_do_nothing()
        .returning(FeedbackPost.activity_id)
    )
    return (await session.execute(statement)).scalar() is not None


async def still_wanted(
    session: AsyncSession, activity_id: int, user_id: int, now: datetime
) -> bool:
    """Whether a queued request is still worth sending: not cancelled, no form yet, and not
    held back so long (a long pause) that the activity is old news."""
    row = await session.get(Activity, activity_id)
    if row is None or row.status == "cancelled":
        return False
    return to_info(row).ends_at + CATCH_UP > now and not await has_given(
        session, activity_id, user_id
    )


async def post_state(session: AsyncSession, activity_id: int) -> PostState:
    post = await session.get(FeedbackPost, activity_id)
    activity = await get_info(session, activity_id)
    return PostState(
        activity=activity,
        channel_id=post.channel_id if post else None,
        message_id=post.message_id if post else None,
        thread_id=post.thread_id if post else None,
    )


async def remember_post(
    session: AsyncSession,
    activity_id: int,
    *,
    channel_id: int,
    message_id: int,
    thread_id: int | None = None,
) -> None:
    post = await session.get(FeedbackPost, activity_id)
    if post is None:
        raise NotFound(f"activity {activity_id} has no planned feedback post")
    post.channel_id = channel_id
    post.message_id = message_id
    post.thread_id = thread_id
