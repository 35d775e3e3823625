"""The announcement (embed and buttons), the `activity` option (for every capability), and what
pressing Sign up, Withdraw or Add to calendar does. `/signup` and `/withdraw` do the same as the
buttons.

The buttons are DynamicItems carrying the activity id, so they work on any announcement,
however old, after any restart.
"""

from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.utils import format_dt

from bot.errors import ConsentNeeded
from bot.reporting import guarded
from bot.services import activities, activity_lookup, calendar, signups
from bot.services.activities import ActivityView
from bot.services.activity_lookup import RECENT, STARTED, UPCOMING, Scope
from bot.ui.consent import show_consent_card

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)

Interaction = discord.Interaction["HealthBot"]
BUTTON_LABELS = {"signup": "Sign up", "withdraw": "Withdraw", "calendar": "Add to calendar"}


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


def when_words(activity: ActivityView) -> str:
    return f"{format_dt(activity.starts_at, 'F')} ({format_dt(activity.starts_at, 'R')})"


def announcement_embed(activity: ActivityView) -> discord.Embed:
    embed = discord.Embed(title=activity.title, description=activity.description)
    embed.add_field(name="Kind", value=activity.kind.capitalize())
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
    view = discord.ui.View(timeout=None)
    for action in BUTTON_LABELS:
        view.add_item(ActivityButton(action, activity_id))
    return view


class ActivityButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"activity:(?P<action>signup|withdraw|calendar):(?P<id>[0-9]+)",
):
    def __init__(self, action: str, activity_id: int) -> None:
        style = discord.ButtonStyle.success if action == "signup" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=BUTTON_LABELS[action],
                style=style,
                custom_id=f"activity:{action}:{activity_id}",
            )
        )
        self.action, self.activity_id = action, activity_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActivityButton:
        return cls(match["action"], int(match["id"]))

    @guarded
    async def callback(self, interaction: Interaction) -> None:
        if self.action == "signup":
            await sign_up(interaction, self.activity_id)
        elif self.action == "withdraw":
            await withdraw(interaction, self.activity_id)
        else:
            await send_calendar(interaction, self.activity_id)


async def sign_up(
    interaction: Interaction, activity_id: int, *, after_consent: bool = False
) -> None:
    """Consent first, then a place or a waitlist position; the announcement follows.
    Acknowledged at once ("thinking"), so fifty people pressing together all get an answer
    well inside Discord's three seconds."""
    assert interaction.guild_id is not None
    if not after_consent:
        await interaction.response.defer(ephemeral=True, thinking=True)
    bot = interaction.client
    try:
        async with bot.db.sessions() as session, session.begin():
            result = await signups.sign_up(
                session, interaction.guild_id, activity_id, interaction.user.id, bot.clock.now()
            )
    except ConsentNeeded:
        await show_consent_card(interaction, "signup", str(activity_id))
        return
    activity = result.activity
    if result.position is None:
        text = (
            f"You have a place at **{activity.title}** on {when_words(activity)}. "
            "If you can no longer come, press Withdraw on the announcement or use `/withdraw`."
        )
    else:
        text = (
            f"**{activity.title}** is full, so you are number {result.position} on the waiting "
            "list. If a place comes up it is yours, and we will tell you."
        )
    if after_consent:  # the answer replaces the consent card
        await interaction.response.edit_message(content=text, embed=None, view=None)
    else:
        await interaction.followup.send(text, ephemeral=True)
    await keeper(bot).refresh(activity_id)


async def withdraw(interaction: Interaction, activity_id: int) -> None:
    assert interaction.guild_id is not None
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = interaction.client
    async with bot.db.sessions() as session, session.begin():
        result = await signups.withdraw(
            session, interaction.guild_id, activity_id, interaction.user.id, bot.clock.now()
        )
    title = result.activity.title
    if result.had_place:
        text = f"You have given up your place at **{title}**. Thank you for letting us know."
        if result.promoted_user_id is not None:
            text += " The next person waiting has been given your place."
            bot.outbox.wake()
    else:
        text = f"You have left the waiting list for **{title}**."
    await interaction.followup.send(text, ephemeral=True)
    await keeper(bot).refresh(activity_id)


async def send_calendar(interaction: Interaction, activity_id: int) -> None:
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.sessions() as session:
        activity = await activities.get_activity(session, interaction.guild_id, activity_id)
    ics = calendar.ics_for(activity, bot.clock.now())
    await interaction.response.send_message(
        f"Here is **{activity.title}** for your calendar. Open the file to add it.",
        file=discord.File(io.BytesIO(ics.encode()), filename=calendar.file_name(activity)),
        ephemeral=True,
    )


class AnnouncementKeeper:
    """Edits announcements to match the database. Refreshes of one activity run one at a time,
    and requests arriving meanwhile fold into one more pass, so fifty sign-ups at once make a
    couple of edits, and the last edit always shows the latest numbers."""

    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot
        self._running: set[int] = set()
        self._wanted: set[int] = set()

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
        try:
            await message.edit(embed=announcement_embed(activity), view=announcement_view(activity))
        except discord.HTTPException:
            log.warning(
                "Could not update the announcement of activity %s", activity_id, exc_info=True
            )


def keeper(bot: HealthBot) -> AnnouncementKeeper:
    """The keeper the activities cog owns."""
    found = getattr(bot.get_cog("Activities"), "announcements", None)
    assert isinstance(found, AnnouncementKeeper), "the activities cog is not loaded"
    return found


class ActivityOption(app_commands.Transformer["HealthBot"]):
    """The `activity` option: autocompletes the activities in `scope` (title, date and time),
    and reads the chosen id, or a typed title that names one of them, as the activity's id."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    async def transform(self, interaction: Interaction, value: Any, /) -> int:
        assert interaction.guild_id is not None
        bot = interaction.client
        async with bot.db.sessions() as session:
            found = await activity_lookup.resolve(
                session, interaction.guild_id, str(value), bot.clock.now(), self.scope
            )
        return found.id

    async def autocomplete(  # type: ignore[override]
        self, interaction: Interaction, value: str, /
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        bot = interaction.client
        zone = (await bot.community(interaction.guild_id)).zone
        async with bot.db.sessions() as session:
            found = await activity_lookup.search(
                session, interaction.guild_id, value, bot.clock.now(), self.scope
            )
        return [
            app_commands.Choice(
                name=f"{a.title} - {a.starts_at.astimezone(zone):%a %d %b %Y, %H:%M}"[:100],
                value=str(a.id),
            )
            for a in found
        ]


# The id of an activity: open and not started (sign-ups, editing) ...
ActivityArg = app_commands.Transform[int, ActivityOption(UPCOMING)]
# ... open, or ended in the last 30 days (the checklist) ...
RecentActivityArg = app_commands.Transform[int, ActivityOption(RECENT)]
# ... or started and not cancelled (feedback).
StartedActivityArg = app_commands.Transform[int, ActivityOption(STARTED)]
