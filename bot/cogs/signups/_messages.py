"""What the outbox sends for sign-ups: the good news that a place came up."""

from __future__ import annotations

from bot.client import HealthBot
from bot.delivery import Outgoing
from bot.services import activities, signups
from bot.services.outbox import OutboxItem, OutboxKind
from bot.ui.announcement import when_words
from bot.ui.text import shown_line


class SignupMessages:
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    def register(self) -> None:
        # The promoted person needs to know before the activity: not held back by quiet hours.
        self.bot.outbox.register(OutboxKind.SIGNUP_PROMOTED, self.promoted, held_back=False)

    async def promoted(self, item: OutboxItem) -> Outgoing | None:
        assert item.activity_id is not None
        assert item.user_id is not None
        async with self.bot.db.sessions() as session:
            if await signups.status_of(session, item.activity_id, item.user_id) != "confirmed":
                return None  # withdrew since, or the activity is gone
            activity = await activities.view_by_id(session, item.activity_id)
        if activity is None or activity.cancelled:
            return None
        return Outgoing(
            content=(
                f"Good news: a place has come up at **{shown_line(activity.title)}** on "
                f"{when_words(activity)}, and it is yours. If you can no longer come, "
                "use `/withdraw` so the next person can have it."
            )
        )
