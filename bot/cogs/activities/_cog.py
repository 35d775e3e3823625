"""`/activity create|edit|cancel|attendees` for coordinators, and `/activities` for everyone."""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.client import HealthBot
from bot.cogs.activities import _events
from bot.cogs.activities._series import SeriesFlows
from bot.cogs.activities._views import listing_page
from bot.errors import InvalidInput
from bot.permissions import coordinator_only
from bot.services import activities, mydata, programme, signups
from bot.services.activities import ActivityChanges, ActivityDraft, ActivityView
from bot.services.involvement import role_cards
from bot.services.series import Which
from bot.services.signups import Attendee, Attendees
from bot.services.vocabulary import ACTIVITY_KINDS as KINDS
from bot.services.when import parse_when
from bot.ui import limits
from bot.ui.activity_option import ActivityArg
from bot.ui.announcement import (
    AnnouncementKeeper,
    add_role_parts,
    announcement_embed,
    buttons,
)
from bot.ui.custom_ids import CustomId, custom_id
from bot.ui.programme_option import GroupArg, ModuleArg
from bot.ui.text import shown_line

log = logging.getLogger(__name__)

KIND_CHOICES = [app_commands.Choice(name=kind, value=kind) for kind in KINDS]
CHOOSE_CHOICES = [
    app_commands.Choice(name="first come", value=role_cards.CHOOSE[0]),
    app_commands.Choice(name="coordinators choose", value=role_cards.CHOOSE[1]),
]
REPEAT_CHOICES = [
    app_commands.Choice(name=r, value=r) for r in ("weekly", "fortnightly", "monthly")
]
WHICH_CHOICES = [app_commands.Choice(name=w.value, value=w.value) for w in Which]
LIST_LIMIT = 40  # names shown per list in /activity attendees; the file has everyone
Interaction = discord.Interaction[HealthBot]


@dataclass(frozen=True)
class Programme:
    """The programme's rules for a new activity (`bot.services.programme`)."""

    teaches: str | None = None
    needs: str | None = None
    group_id: int | None = None


class Activities(commands.Cog):
    activity = app_commands.Group(
        name="activity", description="Post and manage activities (coordinators)", guild_only=True
    )

    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot
        self.announcements = AnnouncementKeeper(bot)
        self.series = SeriesFlows(bot, self.announcements)

    async def cog_load(self) -> None:
        self.series.start()

    async def cog_unload(self) -> None:
        self.series.stop()

    @activity.command(name="create", description="Post a new activity with places to sign up for")
    @app_commands.describe(
        title="A short name, up to 100 characters",
        when="When it starts, in the community's time zone, like 2026-12-03 14:00 or tomorrow 10:30",
        kind="What sort of activity it is",
        capacity="How many places (1 to 500)",
        duration="How long it lasts, in minutes (60 if you leave it out)",
        place="Where it happens (Online if you leave it out)",
        description="What it is about and what to expect",
        lead="Who leads it",
        repeat="Make it repeat: a new date every week, two weeks or month",
        until="With repeat: the last day it may fall on, like 2027-06-30 (6 months if left out)",
        choose="Who gets a place: first come (the usual) or coordinators choose",
        payment="A payment rate from config/payments.toml, or none",
        needs="A training module people must hold to sign up",
        group="Only members of this group may sign up",
        teaches="For a training activity: the module people hold once they attend",
    )
    @app_commands.choices(kind=KIND_CHOICES, repeat=REPEAT_CHOICES, choose=CHOOSE_CHOICES)
    @coordinator_only()
    async def create(
        self,
        interaction: Interaction,
        title: str,
        when: str,
        kind: app_commands.Choice[str],
        capacity: int,
        duration: int = 60,
        place: str | None = None,
        description: str | None = None,
        lead: discord.Member | None = None,
        repeat: app_commands.Choice[str] | None = None,
        until: str | None = None,
        choose: app_commands.Choice[str] | None = None,
        payment: str | None = None,
        needs: ModuleArg | None = None,
        group: GroupArg | None = None,
        teaches: ModuleArg | None = None,
    ) -> None:
        assert interaction.guild is not None
        card = _card(choose.value if choose else None, payment, self.bot)
        setup = await self.bot.community(interaction.guild.id)
        if setup.announcements_channel_id is None:
            raise InvalidInput(
                "There is no announcements channel yet, so I have nowhere to post. "
                "A server admin can choose one with `/setup announcements`."
            )
        now = self.bot.clock.now()
        draft = ActivityDraft(
            title=title,
            kind=kind.value,
            starts_at=parse_when(when, setup.zone, now),
            capacity=capacity,
            duration_minutes=duration,
            place=place,
            description=description,
            lead_user_id=lead.id if lead else None,
        )
        if repeat is not None:
            if card is not None or any((needs, group, teaches)):
                # The series template does not carry these yet: refuse rather than drop them.
                raise InvalidInput(
                    "A repeating activity cannot take choose, payment, needs, group or "
                    "teaches yet. Leave those out, or make a one-off activity."
                )
            await self.series.create(interaction, draft, repeat.value, until, setup, now)
            return
        if until:
            raise InvalidInput("An end date only goes with `repeat`. Choose how often it repeats.")
        activities.check_draft(draft, now)
        await interaction.response.defer(ephemeral=True, thinking=True)
        rules = Programme(teaches=teaches, needs=needs, group_id=group)
        created = await self._create_and_announce(
            interaction.guild.id, draft, setup.announcements_channel_id, now, rules, card
        )
        event_id = await _events.create_event(interaction.guild, created)
        if event_id is not None:
            async with self.bot.db.sessions() as session, session.begin():
                await activities.record_scheduled_event(session, created.id, event_id)
        text = (
            f"Posted **{shown_line(created.title)}** (Activity #{created.id}) in "
            f"<#{setup.announcements_channel_id}>. It starts {format_dt(created.starts_at, 'F')} "
            f"({format_dt(created.starts_at, 'R')}). You can add role details now, or later "
            "with `/activity role`."
        )
        await interaction.followup.send(
            text + _events.place_note(created),
            view=_add_role_details(created.id),
            ephemeral=True,
        )

    async def _create_and_announce(
        self,
        guild_id: int,
        draft: ActivityDraft,
        channel_id: int,
        now: datetime,
        rules: Programme | None = None,
        card: role_cards.Card | None = None,
    ) -> ActivityView:
        """Store, post, remember the post. If the post fails the activity is removed again,
        so nothing is half-written."""
        async with self.bot.db.sessions() as session, session.begin():
            created = await activities.create_activity(session, guild_id, draft, now)
            if rules is not None and rules != Programme():
                await programme.set_activity_programme(
                    session, guild_id, created.id, **asdict(rules), catalogue=self.bot.training
                )
            if card is not None:
                await role_cards.set_card(
                    session, guild_id, created.id, card, self.bot.payment_settings, now
                )
        channel = self.bot.get_partial_messageable(channel_id)
        embed, view = announcement_embed(created), buttons(created.id)
        await add_role_parts(self.bot, created.id, embed, view)
        try:
            message = await channel.send(embed=embed, view=view)
        except discord.HTTPException as error:
            async with self.bot.db.sessions() as session, session.begin():
                await activities.discard(session, created.id)
            raise InvalidInput(
                f"I could not post in <#{channel_id}> ({error.text or error.status}). Check that I "
                "can send messages and embed links there. Nothing was saved."
            ) from error
        async with self.bot.db.sessions() as session, session.begin():
            await activities.record_announcement(session, created.id, channel_id, message.id)
        return created

    @activity.command(
        name="edit", description="Change an activity; people signed up hear of a new time or place"
    )
    @app_commands.describe(
        activity="The activity to change",
        title="A new name, up to 100 characters",
        when="A new start time, like 2026-12-03 14:00",
        capacity="A new number of places (1 to 500)",
        place="A new place",
        description="A new description",
        which="For a repeating activity: this date only (the default), or this and later ones",
    )
    @app_commands.choices(which=WHICH_CHOICES)
    @coordinator_only()
    async def edit(
        self,
        interaction: Interaction,
        activity: ActivityArg,
        title: str | None = None,
        when: str | None = None,
        capacity: int | None = None,
        place: str | None = None,
        description: str | None = None,
        which: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild is not None
        guild_id, now = interaction.guild.id, self.bot.clock.now()
        zone = (await self.bot.community(guild_id)).zone
        changes = ActivityChanges(
            title=title,
            starts_at=parse_when(when, zone, now) if when else None,
            capacity=capacity,
            place=place,
            description=description,
        )
        if changes == ActivityChanges():
            raise InvalidInput(
                "Tell me what to change: a new title, when, capacity, place or description."
            )
        if await self.series.edit(interaction, activity, changes, _which(which)):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.sessions() as session, session.begin():
            result = await activities.edit_activity(session, guild_id, activity, changes, now)
            promoted = await signups.fill_free_places(session, guild_id, activity, now)
        self.bot.outbox.wake()
        reposted = await self._bring_in_step(interaction.guild, activity)
        text = (
            f"Saved. **{shown_line(result.activity.title)}** starts "
            f"{format_dt(result.activity.starts_at, 'F')}."
        )
        if place is not None:
            text += _events.place_note(result.activity)
        if reposted:
            text += _reposted(result.activity)
        if result.told:
            text += (
                f" I am telling the {_people(result.told)} signed up or waiting about the change."
            )
        if promoted:
            text += f" {_people(len(promoted)).capitalize()} from the waiting list got a place."
        await interaction.followup.send(text, ephemeral=True)

    @activity.command(name="cancel", description="Cancel an activity and tell everyone signed up")
    @app_commands.describe(
        activity="The activity to cancel",
        reason="Why, in a few words (people signed up see this)",
        which="For a repeating activity: this date only (the default), or this and later ones",
    )
    @app_commands.choices(which=WHICH_CHOICES)
    @coordinator_only()
    async def cancel(
        self,
        interaction: Interaction,
        activity: ActivityArg,
        reason: str | None = None,
        which: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild is not None
        if await self.series.cancel(interaction, activity, reason, _which(which)):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.sessions() as session, session.begin():
            result = await activities.cancel_activity(
                session, interaction.guild.id, activity, reason, self.bot.clock.now()
            )
        self.bot.outbox.wake()
        await self._bring_in_step(interaction.guild, activity)
        await interaction.followup.send(
            f"**{shown_line(result.activity.title)}** is cancelled. I am telling the "
            f"{_people(result.told)} signed up or waiting.",
            ephemeral=True,
        )

    @activity.command(
        name="attendees", description="Who has a place and who is waiting, with a file"
    )
    @app_commands.describe(activity="The activity")
    @coordinator_only()
    async def attendees(self, interaction: Interaction, activity: ActivityArg) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session, session.begin():
            found = await signups.attendees(session, interaction.guild_id, activity)
            await mydata.record_adjustment_views(  # who looked: shown in the person's export
                session,
                interaction.guild_id,
                interaction.user.id,
                [p.user_id for p in [*found.confirmed, *found.waiting] if p.adjustments],
                "attendees",
                self.bot.clock.now(),
            )
        data = signups.attendees_csv(found).encode()
        name = limits.file_name(f"attendees-activity-{activity}", "csv")
        await interaction.response.send_message(
            embed=attendees_embed(found),
            file=discord.File(io.BytesIO(data), filename=name),
            ephemeral=True,
        )

    @app_commands.command(name="activities", description="See upcoming activities with places left")
    @app_commands.describe(kind="Only this kind of activity")
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.guild_only()
    async def list_activities(
        self, interaction: Interaction, kind: app_commands.Choice[str] | None = None
    ) -> None:
        assert interaction.guild_id is not None
        embed, view = await listing_page(
            self.bot, interaction.guild_id, kind.value if kind else None, 0
        )
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def _bring_in_step(self, guild: discord.Guild, activity_id: int) -> bool:
        """The announcement and the scheduled event show what the database now says. True
        when the announcement had been deleted and was posted again (the caller says so)."""
        reposted = await self.announcements.refresh(activity_id, tell_coordinators=False)
        async with self.bot.db.sessions() as session:
            view = await activities.get_activity(session, guild.id, activity_id)
        await _events.update_event(guild, view)
        return reposted


def _card(choose: str | None, payment: str | None, bot: HealthBot) -> role_cards.Card | None:
    """The role card `choose` and `payment` on `/activity create` start (checked before
    anything is stored), or None when neither is given."""
    if choose is None and payment is None:
        return None
    rate = None if payment is None or payment.strip().lower() == "none" else payment.strip()
    card = role_cards.Card(payment_rate=rate, choose=choose or role_cards.CHOOSE[0])
    return role_cards.check_card(card, bot.payment_settings)


def _add_role_details(activity_id: int) -> discord.ui.View:
    """The "Add role details" button (answered by the involvement cog)."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label="Add role details",
            style=discord.ButtonStyle.primary,
            custom_id=custom_id(CustomId.ADD_ROLE_DETAILS, activity_id),
        )
    )
    return view


def attendees_embed(found: Attendees) -> discord.Embed:
    activity = found.activity
    embed = discord.Embed(
        title=f"Attendees: {shown_line(activity.title)}",
        description=f"{format_dt(activity.starts_at, 'F')}. {len(found.confirmed)} of "
        f"{activity.capacity} places taken, {len(found.waiting)} waiting.",
    )
    embed.add_field(name="Places", value=_names(found.confirmed), inline=False)
    embed.add_field(name="Waiting list, in order", value=_names(found.waiting), inline=False)
    embed.set_footer(text="Adjustments are for coordinators only. The file has everyone.")
    return limits.fit_embed(embed)


def _names(people: list[Attendee]) -> str:
    """As many people as fit in one field, then how many more are in the file."""
    if not people:
        return "Nobody yet."
    lines = []
    for number, person in enumerate(people[:LIST_LIMIT], start=1):
        line = f"{number}. <@{person.user_id}>"
        if person.display_name:
            line += f" ({shown_line(person.display_name, 100)})"
        if person.adjustments:
            line += f". Helps them: {shown_line(person.adjustments, 300)}"
        if person.left:
            line += " (has left the server)"
        lines.append(line)
    return limits.lines_within(
        lines,
        limits.FIELD_VALUE,
        lambda hidden: f"…and {hidden + len(people) - len(lines)} more in the file.",
    )


def _reposted(activity: ActivityView) -> str:
    return (
        f" The announcement had been deleted, so I posted it again in "
        f"<#{activity.announcement_channel_id}>."
    )


def _which(choice: app_commands.Choice[str] | None) -> str:
    return Which.THIS.value if choice is None else choice.value


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"
