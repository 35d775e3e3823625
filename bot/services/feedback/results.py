"""What coordinators get back: the summary and its CSV, "you said, we did", and each person's
count of contributions for `/mine`."""

from __future__ import annotations

import secrets
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import outbox, spreadsheet
from bot.services.activity_lookup import ActivityInfo, get_info
from bot.services.feedback.common import MAX_UPDATE, UPDATE_KIND, UPDATE_POST_KIND, UpdatePayload
from bot.services.text import clean
from db.models import (
    Activity,
    FeedbackComment,
    FeedbackGiver,
    FeedbackQuickRating,
    FeedbackResponse,
)


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """One piece of feedback; `user_id` is None for an anonymous form."""

    source: str  # form | quick | comment
    rating: int | None
    worked: str
    to_change: str
    comment: str
    user_id: int | None


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    activity: ActivityInfo
    items: tuple[FeedbackItem, ...]

    def count(self, source: str) -> int:
        return sum(item.source == source for item in self.items)

    @property
    def ratings(self) -> list[int]:
        return [item.rating for item in self.items if item.rating is not None]

    @property
    def average(self) -> float | None:
        return statistics.fmean(self.ratings) if self.ratings else None

    @property
    def rating_counts(self) -> dict[int, int]:
        counts = Counter(self.ratings)
        return {value: counts[value] for value in range(1, 6)}


async def summarise(session: AsyncSession, guild_id: int, activity_id: int) -> FeedbackSummary:
    activity = await get_info(session, activity_id, guild_id)
    forms = await session.scalars(
        select(FeedbackResponse)
        .where(FeedbackResponse.activity_id == activity_id)
        .order_by(FeedbackResponse.id)
    )
    quick = await session.scalars(
        select(FeedbackQuickRating)
        .where(FeedbackQuickRating.activity_id == activity_id)
        .order_by(FeedbackQuickRating.id)
    )
    comments = await session.scalars(
        select(FeedbackComment)
        .where(FeedbackComment.activity_id == activity_id)
        .order_by(FeedbackComment.id)
    )
    items = [
        *(
            FeedbackItem("form", f.rating, f.worked or "", f.to_change or "", "", f.user_id)
            for f in forms
        ),
        *(FeedbackItem("quick", q.rating, "", "", "", q.user_id) for q in quick),
        *(FeedbackItem("comment", None, "", "", c.text, c.user_id) for c in comments),
    ]
    return FeedbackSummary(activity, tuple(items))


def summary_csv(summary: FeedbackSummary, names: dict[int, str]) -> str:
    """One row per piece of feedback; `names` maps user ids to the names coordinators know.
    Written with `bot.services.spreadsheet`, so nothing people typed runs as a formula."""
    rows: list[list[spreadsheet.Cell]] = []
    for item in summary.items:
        given_by = "anonymous" if item.user_id is None else names.get(item.user_id, "a member")
        rating = "" if item.rating is None else item.rating
        rows.append([item.source, rating, item.worked, item.to_change, item.comment, given_by])
    return spreadsheet.csv_text(
        ["type", "rating", "what worked", "what to change", "comment", "from"], rows
    )


async def _contributors(session: AsyncSession, activity_id: int) -> list[int]:
    """Everyone who gave feedback in any way, anonymous form-givers included."""
    everyone = union(
        select(FeedbackGiver.user_id).where(FeedbackGiver.activity_id == activity_id),
        select(FeedbackQuickRating.user_id).where(FeedbackQuickRating.activity_id == activity_id),
        select(FeedbackComment.user_id).where(FeedbackComment.activity_id == activity_id),
    )
    return sorted(await session.scalars(select(everyone.subquery().c.user_id)))


async def send_update(
    session: AsyncSession, guild_id: int, activity_id: int, text: str, now: datetime
) -> int:
    """Queue "you said, we did": a post in the feedback channel and a message to everyone who
    gave feedback. Returns how many people it will reach."""
    activity = await get_info(session, activity_id, guild_id)
    text = clean(text, field="message", max_length=MAX_UPDATE, multiline=True)
    token = secrets.token_hex(8)  # each update is its own message, even with the same words
    payload = UpdatePayload(text)
    await outbox.enqueue(
        session,
        guild_id=guild_id,
        kind=UPDATE_POST_KIND,
        activity_id=activity.id,
        due_at=now,
        dedupe_key=f"feedback:update-post:{activity.id}:{token}",
        payload=payload,
    )
    people = await _contributors(session, activity.id)
    for user_id in people:
        await outbox.enqueue(
            session,
            guild_id=guild_id,
            kind=UPDATE_KIND,
            user_id=user_id,
            activity_id=activity.id,
            due_at=now,
            dedupe_key=f"feedback:update:{activity.id}:{token}:{user_id}",
            payload=payload,
        )
    return len(people)


async def contributions(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """How many of this community's activities the person gave feedback on."""
    activities = union(
        select(FeedbackGiver.activity_id.label("activity_id")).where(
            FeedbackGiver.user_id == user_id
        ),
        select(FeedbackQuickRating.activity_id).where(FeedbackQuickRating.user_id == user_id),
        select(FeedbackComment.activity_id).where(FeedbackComment.user_id == user_id),
    ).subquery()
    count = await session.scalar(
        select(func.count())
        .select_from(activities)
        .join(Activity, Activity.id == activities.c.activity_id)
        .where(Activity.guild_id == guild_id)
    )
    return int(count or 0)
