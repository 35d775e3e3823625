"""An activity's announcement, which two cogs share: activities posts it and signups changes its
numbers. The embed, its Sign up / Withdraw / Add to calendar buttons, the words for when and how
long, and the keeper that edits announcements to match the database, and posts one again when a
moderator deleted it (the coordinators are told).

Titles, places, descriptions and reasons are people's text: they are shown with `shown` and
`shown_line` (never a ping, a link or formatting) and the embed is built within Discord's limits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import discord
from discord.utils import format_dt

from bot.delivery import Outgoing
from bot.services import activities
from bot.services.activities import ActivityView
from bot.services.involvement import choosing, role_cards
from bot.services.vocabulary import kind_words
from bot.ui import limits
from bot.ui.custom_ids import CustomId, custom_id
from bot.ui.text import shown, shown_line

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)

BUTTON_LABELS = {"signup": "Sign up", "withdraw": "Withdraw", "calendar": "Add to calendar"}
ACTIVITY_FIELDS = r"(?P<action>signup|withdraw|calendar|confirm):(?P<id>[0-9]+)"


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


def place_words(place: str | None, default: str = "Online", limit: int | None = None) -> str:
    """Where it happens, as text (a place is typed by people)."""
    return shown_line(place, limit) if place else default


def announcement_embed(activity: ActivityView) -> discord.Embed:
    description = (
        shown(activity.description, limits.EMBED_DESCRIPTION) if activity.description else None
    )
    embed = discord.Embed(
        title=shown_line(activity.title, limits.EMBED_TITLE), description=description
    )
    embed.add_field(name="Kind", value=kind_words(activity.kind))
    embed.add_field(name="When", value=when_words(activity), inline=False)
    embed.add_field(name="How long", value=duration_words(activity.duration_minutes))
    embed.add_field(name="Where", value=place_words(activity.place, limit=limits.FIELD_VALUE))
    if activity.lead_user_id is not None:
        embed.add_field(name="Lead", value=f"<@{activity.lead_user_id}>")
    embed.add_field(name="Places", value=places_line(activity), inline=False)
    if activity.cancelled:
        reason = activity.cancel_reason
        embed.add_field(
            name="Cancelled",
            value=shown(reason, limits.FIELD_VALUE) if reason else "No reason given.",
            inline=False,
        )
    embed.set_footer(text=f"Activity #{activity.id}")
    return limits.fit_embed(embed)


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


async def add_role_parts(
    bot: HealthBot, activity_id: int, embed: discord.Embed, view: discord.ui.View | None
) -> None:
    """For an activity with a role card: a Role details button (answered by the involvement
    cog), and, when coordinators choose, how places are given and how many applied."""
    async with bot.db.sessions() as session:
        card = await role_cards.get_card(session, activity_id)
        applied = await choosing.applicant_count(session, activity_id)
    if card == role_cards.NO_CARD:
        return
    if card.chosen_by_coordinators:
        embed.add_field(
            name="How places are given",
            value=(
                "Coordinators choose fairly from everyone who applies. Press Sign up to apply. "
                f"{applied} applied so far."
            ),
            inline=False,
        )
    if view is not None:
        view.add_item(
            discord.ui.Button(
                label="Role details", custom_id=custom_id(CustomId.ROLE_DETAILS, activity_id)
            )
        )


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

    async def refresh(self, activity_id: int, *, tell_coordinators: bool = True) -> bool:
        """Bring the announcement in step. True when it had been deleted and was posted again;
        then, unless the caller tells a coordinator itself (`tell_coordinators=False`), the
        activity's lead, or else each coordinator, gets a short note."""
        self._wanted.add(activity_id)
        if activity_id in self._running:
            return False
        self._running.add(activity_id)
        reposted: ActivityView | None = None
        try:
            while activity_id in self._wanted:
                self._wanted.discard(activity_id)
                reposted = await self._edit(activity_id) or reposted
        finally:
            self._running.discard(activity_id)
        if reposted is not None and tell_coordinators:
            await self._tell_coordinators(reposted)
        return reposted is not None

    async def _edit(self, activity_id: int) -> ActivityView | None:
        """Edit the announcement; post it again if it is gone. The activity when reposted."""
        async with self.bot.db.sessions() as session:
            activity = await activities.view_by_id(session, activity_id)
        if activity is None or activity.announcement_message_id is None:
            return None
        assert activity.announcement_channel_id is not None
        channel = self.bot.get_partial_messageable(activity.announcement_channel_id)
        message = channel.get_partial_message(activity.announcement_message_id)
        embed, view = announcement_embed(activity), announcement_view(activity)
        await add_role_parts(self.bot, activity.id, embed, view)
        if self.series_render is not None:
            embed, view = await self.series_render(activity) or (embed, view)
        try:
            await message.edit(embed=embed, view=view)
        except discord.NotFound:
            return await self._repost(activity, embed, view)
        except discord.HTTPException:
            log.warning(
                "Could not update the announcement of activity %s", activity_id, exc_info=True
            )
        return None

    async def _repost(
        self, activity: ActivityView, embed: discord.Embed, view: discord.ui.View | None
    ) -> ActivityView | None:
        """Someone deleted the announcement: post it again (buttons included) and record it.
        A cancelled activity needs no new announcement."""
        if activity.cancelled:
            return None
        assert activity.announcement_channel_id is not None
        channel = self.bot.get_partial_messageable(activity.announcement_channel_id)
        try:
            message = await channel.send(embed=embed, view=view or buttons(activity.id))
        except discord.HTTPException:
            log.warning(
                "The announcement of activity %s is gone and could not be posted again",
                activity.id,
                exc_info=True,
            )
            return None
        async with self.bot.db.sessions() as session, session.begin():
            await activities.record_announcement(
                session, activity.id, activity.announcement_channel_id, message.id
            )
        log.warning("The announcement of activity %s was deleted; posted it again", activity.id)
        return activity

    async def _tell_coordinators(self, activity: ActivityView) -> None:
        """A note to the lead, or else to each coordinator, that the announcement was reposted."""
        people = (
            [activity.lead_user_id]
            if activity.lead_user_id
            else await self._coordinators(activity.guild_id)
        )
        note = Outgoing(content=reposted_note(activity))
        for user_id in people:
            try:
                await self.bot.delivery.to_person(activity.guild_id, user_id, note)
            except Exception:  # a note must never break a sign-up
                log.warning(
                    "Could not tell %s about the reposted announcement", user_id, exc_info=True
                )

    async def _coordinators(self, guild_id: int) -> list[int]:
        guild = self.bot.get_guild(guild_id)
        role_id = (await self.bot.community(guild_id)).coordinator_role_id
        role = guild.get_role(role_id) if guild and role_id else None
        return [member.id for member in role.members] if role else []


def reposted_note(activity: ActivityView) -> str:
    """What a coordinator reads when an announcement had to be posted again."""
    return (
        f"The announcement of **{shown_line(activity.title, 120)}** (Activity #{activity.id}) "
        f"was deleted, so I posted it again in <#{activity.announcement_channel_id}>. "
        "Sign-ups are safe. To stop an activity, use `/activity cancel`."
    )


def keeper(bot: HealthBot) -> AnnouncementKeeper:
    """The keeper the activities cog owns."""
    found = getattr(bot.get_cog("Activities"), "announcements", None)
    assert isinstance(found, AnnouncementKeeper), "the activities cog is not loaded"
    return found
