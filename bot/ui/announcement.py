"""An activity's announcement, which two cogs share: activities posts it and signups changes its
numbers. The embed, its Sign up / Withdraw / Add to calendar buttons, the words for when and how
long, and the keeper that edits announcements to match the database."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import discord
from discord.utils import format_dt

from bot.services import activities
from bot.services.activities import ActivityView
from bot.services.vocabulary import kind_words
from bot.ui.custom_ids import CustomId, custom_id

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)

BUTTON_LABELS = {"signup": "Sign up", "withdraw": "Withdraw", "calendar": "Add to calendar"}
ACTIVITY_FIELDS = r"(?P<action>signup|withdraw|calendar):(?P<id>[0-9]+)"


def places_line(activity: ActivityView) -> str:
    if activity.cancelled:
        return "Cancelled"
    if activity.places_left == 0:
        return f"Full - {activity.waiting} waiting"
    return f"{activity.places_left} of {activity.capacity} places left"


def duration_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' * (hours != 1)}"] if hours else []
    if rest:
        parts.append(f"{rest} minute{'s' * (rest != 1)}")
    return " ".join(parts)


class HasStart(Protocol):
    @property
    def starts_at(self) -> datetime: ...


def when_words(activity: HasStart) -> str:
    """The date and time, and how long from now ("in 2 days"), in each reader's own time."""
    return f"{format_dt(activity.starts_at, 'F')} ({format_dt(activity.starts_at, 'R')})"


def announcement_embed(activity: ActivityView) -> discord.Embed:
    embed = discord.Embed(title=activity.title, description=activity.description)
    embed.add_field(name="Kind", value=kind_words(activity.kind))
    embed.add_field(name="When", value=when_words(activity), inline=False)
    embed.add_field(name="How long", value=duration_words(activity.duration_minutes))
    embed.add_field(name="Where", value=activity.place or "Online")
    if activity.lead_user_id is not None:
        embed.add_field(name="Lead", value=f"<@{activity.lead_user_id}>")
    embed.add_field(name="Places", value=places_line(activity), inline=False)
    if activity.cancelled:
        embed.add_field(
            name="Cancelled", value=activity.cancel_reason or "No reason given.", inline=False
        )
    embed.set_footer(text=f"Activity #{activity.id}")
    return embed


def announcement_view(activity: ActivityView) -> discord.ui.View | None:
    """Sign up, Withdraw and Add to calendar; none once the activity is cancelled."""
    return None if activity.cancelled else buttons(activity.id)


def buttons(activity_id: int) -> discord.ui.View:
    """The announcement's buttons; pressing them is handled by the signups cog
    (`bot.cogs.signups._views.ActivityButton`)."""
    view = discord.ui.View(timeout=None)
    for action, label in BUTTON_LABELS.items():
        style = discord.ButtonStyle.success if action == "signup" else discord.ButtonStyle.secondary
        view.add_item(
            discord.ui.Button(
                label=label,
                style=style,
                custom_id=custom_id(CustomId.ACTIVITY, action, activity_id),
            )
        )
    return view


class AnnouncementKeeper:
    """Edits announcements to match the database. Refreshes of one activity run one at a time,
    and requests arriving meanwhile fold into one more pass, so fifty sign-ups at once make a
    couple of edits, and the last edit always shows the latest numbers."""

    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot
        self._running: set[int] = set()
        self._wanted: set[int] = set()
        # A date of a repeating activity shares its series' one announcement: the activities
        # cog sets this to render that instead (None: render the activity as usual).
        self.series_render: (
            Callable[[ActivityView], Awaitable[tuple[discord.Embed, discord.ui.View | None] | None]]
            | None
        ) = None

    async def refresh(self, activity_id: int) -> None:
        self._wanted.add(activity_id)
        if activity_id in self._running:
            return
        self._running.add(activity_id)
        try:
            while activity_id in self._wanted:
                self._wanted.discard(activity_id)
                await self._edit(activity_id)
        finally:
            self._running.discard(activity_id)

    async def _edit(self, activity_id: int) -> None:
        async with self.bot.db.sessions() as session:
            activity = await activities.view_by_id(session, activity_id)
        if activity is None or activity.announcement_message_id is None:
            return
        assert activity.announcement_channel_id is not None
        channel = self.bot.get_partial_messageable(activity.announcement_channel_id)
        message = channel.get_partial_message(activity.announcement_message_id)
        embed, view = announcement_embed(activity), announcement_view(activity)
        if self.series_render is not None:
            embed, view = await self.series_render(activity) or (embed, view)
        try:
            await message.edit(embed=embed, view=view)
        except discord.HTTPException:
            log.warning(
                "Could not update the announcement of activity %s", activity_id, exc_info=True
            )


def keeper(bot: HealthBot) -> AnnouncementKeeper:
    """The keeper the activities cog owns."""
    found = getattr(bot.get_cog("Activities"), "announcements", None)
    assert isinstance(found, AnnouncementKeeper), "the activities cog is not loaded"
    return found
