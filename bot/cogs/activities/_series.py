"""Repeating activities on Discord: `/activity create ... repeat`, editing and cancelling "this
one" or "this and later ones", the rolling window job that makes the dates ahead, the one
announcement a series shares, and a Discord scheduled event for each date inside the window
(never past Discord's 100 events per server: the coordinator is told, in the reply or, for the
window job, in the coordinators' thread once a day; the dates still work).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord.utils import format_dt
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cogs.activities import _events
from bot.cogs.activities._series_views import dates_list, day_words, series_buttons, series_embed
from bot.delivery import Outgoing
from bot.errors import InvalidInput
from bot.services import activities, outbox, series
from bot.services.activities import ActivityChanges, ActivityDraft, ActivityView
from bot.services.community import CommunitySetup
from bot.services.involvement.common import NoticePayload
from bot.services.outbox import OutboxItem, OutboxKind
from bot.services.series import PersonDates, SeriesDraft, Which
from bot.services.when import parse_day, years_later
from bot.ui.announcement import AnnouncementKeeper
from bot.ui.text import shown_line

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)

EXTEND_JOB = "series-extend"
DISCORD_EVENT_LIMIT = 30038  # "Maximum number of guild scheduled events reached"


class SeriesFlows:
    """What the activities cog does for repeating activities."""

    def __init__(self, bot: HealthBot, announcements: AnnouncementKeeper) -> None:
        self.bot = bot
        self.announcements = announcements
        self._shown: dict[int, tuple[datetime, ...]] = {}  # series id -> next dates last shown
        self._held: set[int] = set()  # guilds whose dates last waited for an event (at the limit)
        announcements.series_render = self.render

    @property
    def window(self) -> timedelta:
        return timedelta(weeks=self.bot.settings.series.window_weeks)

    def start(self) -> None:
        # Every minute, from a minute after start-up (once the bot knows its servers); a run
        # after downtime catches up on every date that came into the window meanwhile.
        self.bot.outbox.register(OutboxKind.SERIES_DATES, self.render_dates, held_back=False)
        self.bot.schedule(EXTEND_JOB, self.extend, minutes=1)

    def stop(self) -> None:
        self.bot.unschedule(EXTEND_JOB)

    async def render(
        self, activity: ActivityView
    ) -> tuple[discord.Embed, discord.ui.View | None] | None:
        """The series' announcement, for a date of a series; None for a one-off."""
        async with self.bot.db.sessions() as session:
            series_id = await series.series_id_of(session, activity.id)
            if series_id is None:
                return None
            state = await series.state_of(session, series_id, self.bot.clock.now())
        self._shown[series_id] = state.series.next_dates
        return series_embed(state), series_buttons(state)

    # -- creating ------------------------------------------------------------------------

    async def create(
        self,
        interaction: discord.Interaction[HealthBot],
        draft: ActivityDraft,
        repeat: str,
        until_text: str | None,
        setup: CommunitySetup,
        now: datetime,
    ) -> None:
        """Store the series, post its one announcement, make the events; refusals before
        anything is stored, and a failed post removes the series again."""
        assert interaction.guild is not None
        assert setup.announcements_channel_id is not None
        zone, today = setup.zone, now.astimezone(setup.zone).date()
        until = None
        if until_text:
            until = parse_day(
                until_text,
                zone,
                now,
                earliest=today,
                latest=years_later(today, series.MAX_UNTIL_YEARS),
                field="last day",
            )
        activities.check_draft(draft, now)
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.sessions() as session, session.begin():
            created = await series.create_series(
                session,
                interaction.guild.id,
                SeriesDraft(draft, repeat, until),
                zone,
                now,
                self.window,
            )
            state = await series.state_of(session, created.series.id, now)
        channel_id = setup.announcements_channel_id
        try:
            buttons = series_buttons(state)
            assert buttons is not None  # a new series has its first date to come
            message = await self.bot.get_partial_messageable(channel_id).send(
                embed=series_embed(state), view=buttons
            )
        except discord.HTTPException as error:
            async with self.bot.db.sessions() as session, session.begin():
                await series.discard_series(session, created.series.id)
            raise InvalidInput(
                f"I could not post in <#{channel_id}> ({error.text or error.status}). Check that I "
                "can send messages and embed links there. Nothing was saved."
            ) from error
        async with self.bot.db.sessions() as session, session.begin():
            for made in created.occurrences:
                await activities.record_announcement(session, made.id, channel_id, message.id)
        held = await self.make_events(interaction.guild)
        first = created.occurrences[0]
        ending = f"until {day_words(state)}"
        if created.default_until:
            ending += " (6 months, as you gave no end date; use `until` to choose one)"
        text = (
            f"Posted **{shown_line(first.title)}** in <#{channel_id}>, repeating "
            f"{created.series.repeat} {ending}. The first date is "
            f"{format_dt(first.starts_at, 'F')} (Activity #{first.id}). "
            f"I plan the dates {self.bot.settings.series.window_weeks} weeks ahead, "
            "and add later ones as time goes on."
        )
        await interaction.followup.send(text + held_words(held), ephemeral=True)

    # -- the rolling window ----------------------------------------------------------------

    async def extend(self) -> None:
        """Make the dates that came into the window (catching up after downtime), give them
        the announcement and events, and refresh announcements whose next dates moved on."""
        if not self.bot.is_ready():
            return
        now = self.bot.clock.now()
        guild_ids = [guild.id for guild in self.bot.guilds]
        async with self.bot.db.sessions() as session, session.begin():
            made = await series.extend(session, now, self.window, guild_ids)
            for view in made:
                series_id = await series.series_id_of(session, view.id)
                assert series_id is not None
                first = (await series.state_of(session, series_id, now)).first
                if first.announcement_message_id is not None:
                    assert first.announcement_channel_id is not None
                    await activities.record_announcement(
                        session,
                        view.id,
                        first.announcement_channel_id,
                        first.announcement_message_id,
                    )
            live = await series.live_series(session, now, guild_ids)
            states = [await series.state_of(session, series_id, now) for series_id in live]
        # New dates get events; a server at the limit is tried again each run, for room.
        for guild_id in {view.guild_id for view in made} | self._held:
            guild = self.bot.get_guild(guild_id)
            if guild is not None:
                held = await self.make_events(guild)
                if held:
                    log.warning("Guild %s: %d dates wait for a scheduled event", guild_id, held)
                    await self._tell_held(guild_id, held, now)
        for state in states:
            if self._shown.get(state.series.id) != state.series.next_dates:
                await self.announcements.refresh(state.first.id)

    async def make_events(self, guild: discord.Guild) -> int:
        """Scheduled events for the dates inside the window that have none, as far as Discord's
        limit allows; returns how many dates are left without one because of the limit."""
        if not guild.me.guild_permissions.manage_events:
            return 0
        now = self.bot.clock.now()
        active = sum(
            1
            for event in guild.scheduled_events
            if event.status in (discord.EventStatus.scheduled, discord.EventStatus.active)
        )
        async with self.bot.db.sessions() as session:
            budget = await series.event_budget(session, guild.id, now, active, self.window)
        held = budget.held_back
        for number, view in enumerate(budget.to_create):
            try:
                event = await guild.create_scheduled_event(
                    entity_type=discord.EntityType.external,
                    privacy_level=discord.PrivacyLevel.guild_only,
                    **_events.event_details(view),
                )
            except discord.HTTPException as error:
                if error.code == DISCORD_EVENT_LIMIT:
                    held += len(budget.to_create) - number
                    break
                log.warning("Could not create a scheduled event for activity %s", view.id)
                continue
            async with self.bot.db.sessions() as session, session.begin():
                await activities.record_scheduled_event(session, view.id, event.id)
        if held:
            self._held.add(guild.id)
        else:
            self._held.discard(guild.id)
        return held

    async def _tell_held(self, guild_id: int, held: int, now: datetime) -> None:
        """Tell the coordinators, in their private thread, once a day at most."""
        async with self.bot.db.sessions() as session, session.begin():
            queued = await outbox.enqueue(
                session,
                guild_id=guild_id,
                kind=OutboxKind.INVOLVEMENT_NOTICE,
                dedupe_key=f"series-event-limit:{guild_id}:{now.date().isoformat()}",
                due_at=now,
                payload=NoticePayload(text=limit_words(held), coordinators=True),
            )
        if queued:
            self.bot.outbox.wake()

    # -- editing and cancelling ------------------------------------------------------------

    async def edit(
        self,
        interaction: discord.Interaction[HealthBot],
        activity_id: int,
        changes: ActivityChanges,
        which: str,
    ) -> bool:
        """Edit a date of a series (True), or leave a one-off to the caller (False)."""
        assert interaction.guild is not None
        if not await self._is_series(activity_id, which):
            return False
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock.now()
        async with self.bot.db.sessions() as session, session.begin():
            result = await series.edit(
                session, interaction.guild.id, activity_id, changes, Which(which), now
            )
            await self._tell(session, interaction.guild.id, "changed", result.notices, now)
        self.bot.outbox.wake()
        await self._bring_in_step(interaction.guild, result.changed)
        first = result.changed[0]
        if which == Which.THIS:
            text = f"Saved. This date of **{shown_line(first.title)}** is now {format_dt(first.starts_at, 'F')}."
        else:
            text = (
                f"Saved {len(result.changed)} dates of **{shown_line(first.title)}**, from "
                f"{format_dt(first.starts_at, 'F')} on. Dates planned later follow the change too."
            )
            if result.notices:
                text += f" I am telling the {people(len(result.notices))} signed up, once each."
        await interaction.followup.send(text, ephemeral=True)
        return True

    async def cancel(
        self,
        interaction: discord.Interaction[HealthBot],
        activity_id: int,
        reason: str | None,
        which: str,
    ) -> bool:
        """Cancel a date (or it and the later ones) of a series (True); False for a one-off."""
        assert interaction.guild is not None
        if not await self._is_series(activity_id, which):
            return False
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock.now()
        async with self.bot.db.sessions() as session, session.begin():
            result = await series.cancel(
                session, interaction.guild.id, activity_id, reason, Which(which), now
            )
            await self._tell(session, interaction.guild.id, "cancelled", result.notices, now)
        self.bot.outbox.wake()
        await self._bring_in_step(interaction.guild, result.cancelled)
        title = shown_line(result.cancelled[0].title)
        text = f"Cancelled {len(result.cancelled)} date{'s' * (len(result.cancelled) != 1)} of **{title}**:\n"
        text += dates_list(result.cancelled[:10])
        text += f"\nI am telling the {people(len(result.notices))} signed up or waiting, once each."
        await interaction.followup.send(text, ephemeral=True)
        return True

    async def _is_series(self, activity_id: int, which: str) -> bool:
        async with self.bot.db.sessions() as session:
            series_id = await series.series_id_of(session, activity_id)
        if series_id is None and which == Which.LATER:
            raise InvalidInput(
                "That activity does not repeat, so it has no later dates. "
                "Leave out `which` to change just this one."
            )
        return series_id is not None

    async def _tell(
        self,
        session: AsyncSession,
        guild_id: int,
        change: str,
        notices: list[PersonDates],
        now: datetime,
    ) -> None:
        for notice in notices:
            ids = "-".join(str(i) for i in notice.activity_ids)
            await outbox.enqueue(
                session,
                guild_id=guild_id,
                kind=OutboxKind.SERIES_DATES,
                dedupe_key=f"series-dates:{change}:{notice.user_id}:{ids}:{now.isoformat()}",
                due_at=now,
                user_id=notice.user_id,
                activity_id=notice.activity_ids[0],
                payload=series.DatesPayload(change=change, activity_ids=ids),
            )

    async def _bring_in_step(self, guild: discord.Guild, changed: list[ActivityView]) -> None:
        for view in changed:
            await _events.update_event(guild, view)
        if changed:
            await self.announcements.refresh(changed[0].id)

    async def render_dates(self, item: OutboxItem) -> Outgoing | None:
        """One message listing the person's dates that changed or were cancelled."""
        dates_of = item.payload_as(series.DatesPayload)
        ids = dates_of.ids()
        async with self.bot.db.sessions() as session:
            found = [await activities.view_by_id(session, i) for i in ids]
        dates = [view for view in found if view is not None]
        if not dates:
            return None
        title = shown_line(dates[0].title, 100)
        if dates_of.change == "cancelled":
            reason = dates[0].cancel_reason
            text = f"We are sorry: these dates of **{title}** are cancelled:\n{dates_list(dates)}"
            if reason:
                text += f"\nThe reason: {shown_line(reason, 500)}"
            text += "\nTry `/activities` to see other ways to take part."
        else:
            place = shown_line(dates[0].place or "an online meeting", 200)
            text = (
                f"**{title}** has changed. Your dates are now:\n{dates_list(dates)}\n"
                f"It is at {place}. If you can no longer come, use `/withdraw` so someone "
                "else can have the place."
            )
        return Outgoing(content=text[:2000])


def held_words(held: int) -> str:
    if not held:
        return ""
    return (
        f"\nDiscord allows 100 events per server, and this server has reached that, so "
        f"{held} date{'s' * (held != 1)} have no Discord event yet. The dates still work: people "
        "sign up on the announcement. I will add the events when there is room."
    )


def limit_words(held: int) -> str:
    dates = f"{held} date{'s' * (held != 1)}"
    return (
        "Discord allows 100 events per server, and this server has reached that. "
        f"So {dates} of repeating activities have no Discord event yet. "
        "The dates still work: people sign up on the announcements. "
        "To make room, end or delete old events in the server's Events list. "
        "I will add the missing events when there is room."
    )


def people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"
