"""What the outbox sends for activities: a new time or place, a cancellation, and the
announcement refresh queued where no interaction could do it (after an erasure)."""

from __future__ import annotations

from bot.client import HealthBot
from bot.delivery import Outgoing
from bot.services import activities, signups
from bot.services.activities import ActivityView
from bot.services.outbox import OutboxItem, OutboxKind
from bot.ui.announcement import keeper, place_words, when_words
from bot.ui.text import shown, shown_line


class ActivityMessages:
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    def register(self) -> None:
        # News people need before the activity: not held back by quiet hours.
        self.bot.outbox.register(OutboxKind.ACTIVITY_CHANGED, self.changed, held_back=False)
        self.bot.outbox.register(OutboxKind.ACTIVITY_CANCELLED, self.cancelled, held_back=False)
        self.bot.outbox.register(OutboxKind.ACTIVITY_REFRESH, self.refresh, held_back=False)

    async def changed(self, item: OutboxItem) -> Outgoing | None:
        activity = await self._still_theirs(item)
        if activity is None or activity.cancelled:
            return None
        return Outgoing(
            content=(
                f"**{shown_line(activity.title)}** has changed. It is now on "
                f"{when_words(activity)}, at {place_words(activity.place, 'an online meeting')}. "
                "If you can no longer come, use `/withdraw` so someone else can have the place."
            )
        )

    async def cancelled(self, item: OutboxItem) -> Outgoing | None:
        activity = await self._still_theirs(item)
        if activity is None:
            return None
        reason = f" The reason: {shown(activity.cancel_reason)}" if activity.cancel_reason else ""
        return Outgoing(
            content=(
                f"We are sorry: **{shown_line(activity.title)}** on {when_words(activity)} has been "
                f"cancelled.{reason} Try `/activities` to see other ways to take part."
            )
        )

    async def refresh(self, item: OutboxItem) -> Outgoing | None:
        assert item.activity_id is not None
        await keeper(self.bot).refresh(item.activity_id)
        return None

    async def _still_theirs(self, item: OutboxItem) -> ActivityView | None:
        """The activity, if the person is still signed up or waiting for it."""
        assert item.activity_id is not None
        assert item.user_id is not None
        async with self.bot.db.sessions() as session:
            if await signups.status_of(session, item.activity_id, item.user_id) is None:
                return None
            return await activities.view_by_id(session, item.activity_id)
