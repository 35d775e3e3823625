"""Giving feedback: the form (a giver row and an unlinked response row), quick ratings from
buttons and reactions, and replies in the feedback thread."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput
from bot.services.activity_lookup import ActivityInfo, get_info
from bot.services.feedback.common import (
    MAX_COMMENT,
    MAX_TEXT,
    QUICK_RATINGS,
    has_given,
    refuse_unless_open_for_feedback,
)
from bot.services.text import clean, tidy
from db.engine import insert_for
from db.models import (
    FeedbackComment,
    FeedbackGiver,
    FeedbackPost,
    FeedbackQuickRating,
    FeedbackResponse,
    Signup,
)


@dataclass(frozen=True, slots=True)
class FormAnswers:
    rating: int | None
    worked: str
    to_change: str
    anonymous: bool


def _already_given(activity: ActivityInfo) -> Conflict:
    return Conflict(
        f"You have already sent the feedback form for **{activity.title}**. Thank you! "
        "If you have more to say, reply in the feedback thread or tell a coordinator."
    )


async def check_can_give(
    session: AsyncSession, activity_id: int, user_id: int, now: datetime
) -> ActivityInfo:
    """Refuse before the form opens, so nobody fills it in for nothing."""
    activity = await get_info(session, activity_id)
    refuse_unless_open_for_feedback(activity, now)
    if await has_given(session, activity_id, user_id):
        raise _already_given(activity)
    return activity


def _clean(text: str, label: str) -> str | None:
    field = f"answer to '{label}'"
    return clean(text, field=field, max_length=MAX_TEXT, required=False, multiline=True) or None


async def submit_form(
    session: AsyncSession, activity_id: int, user_id: int, answers: FormAnswers, now: datetime
) -> ActivityInfo:
    """Store a form: a giver row and a response row with no link between them."""
    activity = await get_info(session, activity_id)
    refuse_unless_open_for_feedback(activity, now)
    if answers.rating is not None and not 1 <= answers.rating <= 5:
        raise InvalidInput("Please pick a rating from 1 to 5. Nothing was saved.")
    worked = _clean(answers.worked, "What worked")
    to_change = _clean(answers.to_change, "What could we change")
    if answers.rating is None and worked is None and to_change is None:
        raise InvalidInput(
            "The form was empty, so nothing was saved. Pick a rating or write a few words, "
            "then send it again."
        )
    giver = (
        insert_for(session)(FeedbackGiver)
        .values(activity_id=activity_id, user_id=user_id)
        .on_conflict_do_nothing()
        .returning(FeedbackGiver.user_id)
    )
    if (await session.execute(giver)).scalar() is None:
        raise _already_given(activity)
    session.add(
        FeedbackResponse(
            id=secrets.randbits(62) + 1,
            activity_id=activity_id,
            rating=answers.rating,
            worked=worked,
            to_change=to_change,
            anonymous=answers.anonymous,
            user_id=None if answers.anonymous else user_id,
        )
    )
    await session.flush()
    return activity


async def _set_quick_rating(
    session: AsyncSession, activity_id: int, user_id: int, choice: str, source: str
) -> None:
    rating = QUICK_RATINGS[choice]
    statement = (
        insert_for(session)(FeedbackQuickRating)
        .values(activity_id=activity_id, user_id=user_id, rating=rating, source=source)
        .on_conflict_do_update(
            index_elements=["activity_id", "user_id"], set_={"rating": rating, "source": source}
        )
    )
    await session.execute(statement)


async def rate_quickly(
    session: AsyncSession, activity_id: int, user_id: int, choice: str, now: datetime
) -> ActivityInfo:
    """A quick rating from the buttons on the feedback request."""
    activity = await get_info(session, activity_id)
    refuse_unless_open_for_feedback(activity, now)
    await _set_quick_rating(session, activity_id, user_id, choice, "button")
    return activity


async def _is_participant(session: AsyncSession, activity_id: int, user_id: int) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Signup.activity_id == activity_id,
                    Signup.user_id == user_id,
                    Signup.status == "confirmed",
                )
            )
        )
    )


async def _participant_post(
    session: AsyncSession, column: Any, value: int, user_id: int
) -> FeedbackPost | None:
    """The feedback post whose message or thread this is, if the person took part."""
    post = await session.scalar(select(FeedbackPost).where(column == value))
    if post is None or not await _is_participant(session, post.activity_id, user_id):
        return None
    return post


async def react(session: AsyncSession, message_id: int, user_id: int, choice: str) -> bool:
    """A participant's reaction on a feedback post; True if it counted."""
    post = await _participant_post(session, FeedbackPost.message_id, message_id, user_id)
    if post is None:
        return False
    await _set_quick_rating(session, post.activity_id, user_id, choice, "reaction")
    return True


async def unreact(session: AsyncSession, message_id: int, user_id: int, choice: str) -> bool:
    """Undo the rating a removed reaction gave, unless a later one replaced it."""
    post = await session.scalar(select(FeedbackPost).where(FeedbackPost.message_id == message_id))
    if post is None:
        return False
    rating = await session.scalar(
        select(FeedbackQuickRating).where(
            FeedbackQuickRating.activity_id == post.activity_id,
            FeedbackQuickRating.user_id == user_id,
            FeedbackQuickRating.source == "reaction",
            FeedbackQuickRating.rating == QUICK_RATINGS[choice],
        )
    )
    if rating is None:
        return False
    await session.delete(rating)
    return True


async def add_comment(
    session: AsyncSession, thread_id: int, user_id: int, message_id: int, text: str
) -> bool:
    """Keep a participant's reply in a feedback thread; True if it was kept."""
    post = await _participant_post(session, FeedbackPost.thread_id, thread_id, user_id)
    text = tidy(text, multiline=True)
    if post is None or not text:
        return False
    statement = (
        insert_for(session)(FeedbackComment)
        .values(
            activity_id=post.activity_id,
            user_id=user_id,
            message_id=message_id,
            text=text[:MAX_COMMENT],
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
    )
    await session.execute(statement)
    return True
