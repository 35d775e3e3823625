"""What every part of feedback needs: the checks that decide whether feedback on an activity
can be given now. Activities are found with `bot.services.activity_lookup`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict
from bot.services.activity_lookup import ActivityInfo
from bot.services.outbox import OutboxKind, OutboxPayload
from db.models import FeedbackGiver

# Quick ratings sit on the form's 1-5 scale so every rating can be averaged together.
QUICK_RATINGS = {"good": 5, "okay": 3, "not_good": 1}
MAX_TEXT = 1000
MAX_UPDATE = 1500
MAX_COMMENT = 4000  # a reply in a feedback thread, kept as a comment (longer is cut)
# Activities that ended longer ago than this (the bot was down, the feature is new) are not
# asked about: a prompt weeks later helps nobody.
CATCH_UP = timedelta(days=7)

REQUEST_KIND = OutboxKind.FEEDBACK_REQUEST
POST_KIND = OutboxKind.FEEDBACK_POST
UPDATE_KIND = OutboxKind.FEEDBACK_UPDATE
UPDATE_POST_KIND = OutboxKind.FEEDBACK_UPDATE_POST


@dataclass(frozen=True, slots=True)
class UpdatePayload(OutboxPayload):
    """ "You said, we did" (both kinds): the coordinator's words, already cleaned."""

    text: str


def refuse_unless_open_for_feedback(activity: ActivityInfo, now: datetime) -> None:
    if activity.cancelled:
        raise Conflict(
            f"**{activity.title}** was cancelled, so there is nothing to give feedback on. "
            "Thank you for wanting to help."
        )
    if activity.starts_at > now:
        raise Conflict(
            f"**{activity.title}** has not started yet. You can give feedback once it "
            f"begins (<t:{int(activity.starts_at.timestamp())}:F>)."
        )


async def has_given(session: AsyncSession, activity_id: int, user_id: int) -> bool:
    return await session.get(FeedbackGiver, (activity_id, user_id)) is not None
