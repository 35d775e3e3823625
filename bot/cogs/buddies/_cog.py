"""`/buddy`: join, leave and see your pairing; coordinators run pairing and see every pair."""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt
from sqlalchemy.ext.asyncio import AsyncSession

from bot.client import HealthBot
from bot.cogs.buddies._views import (
    PROFILE_QUESTION,
    Picks,
    end_pair_view,
    join_programme,
    plan_of,
    profile_prompt,
)
from bot.errors import NotFound
from bot.permissions import coordinator_only
from bot.services import buddies
from bot.services.buddies import Overview, Pair, Status
from bot.ui.consent import AfterConsent, require_consent
from bot.ui.coordinators import COORDINATORS_THREAD
from bot.ui.limits import FIELD_VALUE, lines_within
from bot.ui.reply import reply

log = logging.getLogger(__name__)

WEEKLY_JOB = "buddies-weekly"


@app_commands.guild_only()
class Buddies(commands.GroupCog, group_name="buddy", group_description="The buddy programme"):
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    # -- joining ------------------------------------------------------------------

    @app_commands.command(
        name="join", description="Join the buddy programme as a buddy or a newcomer"
    )
    @app_commands.describe(
        role="buddy: you have some experience and would like to help someone new; newcomer: you would like a buddy",
        capacity="Buddies only: how many newcomers you could look after at once (1 to 5, usually 2)",
    )
    async def join(
        self,
        interaction: discord.Interaction[HealthBot],
        role: Literal["buddy", "newcomer"],
        capacity: int | None = None,
    ) -> None:
        places = self.bot.settings.buddies.default_capacity if capacity is None else capacity
        buddies.check_capacity(places)
        arg = f"{role}_{places}"
        if await require_consent(interaction, AfterConsent.BUDDY_JOIN, arg):
            await self.continue_join(interaction, arg)

    async def continue_join(self, interaction: discord.Interaction[HealthBot], arg: str) -> None:
        """After consent: ask for interests and times if we don't have them, then join."""
        role, places = arg.split("_")
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session:
            ready = await buddies.has_profile(session, interaction.guild_id, interaction.user.id)
        if ready:
            await self._reply(interaction, await join_programme(interaction, role, int(places)))
            return

        await self._reply(interaction, PROFILE_QUESTION, profile_prompt(Picks(role, int(places))))

    @staticmethod
    async def _reply(
        interaction: discord.Interaction[HealthBot], text: str, view: discord.ui.View | None = None
    ) -> None:
        """Answer a slash command privately, or turn the consent card into the answer."""
        replace = interaction.type == discord.InteractionType.component
        await reply(interaction, text, view=view, replace=replace)

    # -- leaving and status ---------------------------------------------------------

    @app_commands.command(name="leave", description="Leave the buddy programme")
    async def leave(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session, session.begin():
            ended = await buddies.leave(
                session, interaction.guild_id, interaction.user.id, self.bot.clock.now()
            )
        self.bot.outbox.wake()
        told = " We have let the other person know kindly." if ended else ""
        await interaction.response.send_message(
            f"You have left the buddy programme.{told} You are welcome back any time with `/buddy join`.",
            ephemeral=True,
        )

    @app_commands.command(
        name="status", description="Who your buddy is, since when, and the next check-in"
    )
    async def status(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session:
            found = await buddies.status(session, interaction.guild_id, interaction.user.id)
        text = describe_status(found, interaction.user.id)
        view = end_pair_view(found.pairs, interaction.user.id)
        if view is None:
            await interaction.response.send_message(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, view=view, ephemeral=True)

    # -- coordinators -------------------------------------------------------------

    @app_commands.command(
        name="pair", description="Coordinators: pair waiting newcomers with buddies now"
    )
    @coordinator_only()
    async def pair(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        result = await self.run_pairing(interaction.guild_id)
        how = (
            f'They are waiting for approval in the private thread "{COORDINATORS_THREAD}" '
            "in the buddies channel."
            if plan_of(self.bot.settings.buddies).approve_first
            else "They are being introduced in private threads now."
        )
        made = (
            f"Made {len(result.pairs)} new pair(s). {how}"
            if result.pairs
            else "No new pairs this time."
        )
        await interaction.response.send_message(
            f"{made} {len(result.waiting)} newcomer(s) still waiting. `/buddy list` shows everyone.",
            ephemeral=True,
        )

    @app_commands.command(
        name="list", description="Coordinators: active pairs, waiting newcomers, free places"
    )
    @coordinator_only()
    async def list_pairs(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session:
            found = await buddies.overview(session, interaction.guild_id)
        await interaction.response.send_message(embed=overview_embed(found), ephemeral=True)

    # -- on its own -----------------------------------------------------------------

    async def run_pairing(self, guild_id: int) -> buddies.RunResult:
        async with self.bot.db.sessions() as session, session.begin():
            result = await buddies.run_pairing(
                session, guild_id, self.bot.clock.now(), plan_of(self.bot.settings.buddies)
            )
        self.bot.outbox.wake()
        return result

    async def weekly_tick(self) -> None:
        """Run pairing in each community whose weekly time (in its own time zone) has come."""
        settings = self.bot.settings.buddies
        now = self.bot.clock.now()
        async with self.bot.db.sessions() as session:
            guild_ids = await buddies.guilds_in_programme(session)
        for guild_id in guild_ids:
            zone = (await self.bot.community(guild_id)).zone
            scheduled = buddies.latest_run(now, zone, settings.run_day, settings.run_time)
            async with self.bot.db.sessions() as session, session.begin():
                due = await buddies.claim_weekly_run(session, guild_id, scheduled)
            if due:
                result = await self.run_pairing(guild_id)
                log.info(
                    "Weekly buddy pairing in guild %s made %d pairs", guild_id, len(result.pairs)
                )

    async def mine_section(self, guild_id: int, user_id: int) -> str | None:
        async with self.bot.db.sessions() as session:
            try:
                found = await buddies.status(session, guild_id, user_id)
            except NotFound:
                return None
        return "**Buddy programme**\n" + describe_status(found, user_id)

    async def erase(self, session: AsyncSession, guild_id: int, user_id: int) -> None:
        await buddies.erase_person(session, guild_id, user_id, self.bot.clock.now())

    async def cog_load(self) -> None:
        self.bot.schedule(WEEKLY_JOB, self.weekly_tick, minutes=5)

    async def cog_unload(self) -> None:
        self.bot.unschedule(WEEKLY_JOB)


def describe_status(found: Status, user_id: int) -> str:
    lines = [f"You are in the buddy programme as a {found.enrolment.role}."]
    for pair in found.pairs:
        lines.append(_pair_line(pair, user_id))
    if not found.pairs:
        lines.append(
            "You are on the list for a buddy. We will introduce you as soon as one is free."
            if found.enrolment.role == "newcomer"
            else f"You have room for {found.enrolment.capacity} newcomer(s); we will introduce you at the next pairing."
        )
    if found.next_checkin is not None:
        lines.append(
            f"Next check-in: {format_dt(found.next_checkin, 'D')} ({format_dt(found.next_checkin, 'R')})."
        )
    return "\n".join(lines)


def _pair_line(pair: Pair, user_id: int) -> str:
    other = pair.other(user_id)
    who = "your buddy" if other == pair.buddy_user_id else "your newcomer"
    if pair.status == "proposed":
        return f"We have suggested <@{other}> as {who}; a coordinator will confirm soon."
    assert pair.started_at is not None
    return f"<@{other}> is {who}, since {format_dt(pair.started_at, 'D')}."


def overview_embed(found: Overview) -> discord.Embed:
    def section(lines: list[str]) -> str:
        return lines_within(lines, FIELD_VALUE) or "None"  # "…and N more" past what fits

    def pair_line(pair: Pair) -> str:
        since = f" since {format_dt(pair.started_at, 'D')}" if pair.started_at else ""
        notes = [
            note
            for note, on in (("talked", pair.talked), ("asked for help", pair.help_requested))
            if on
        ]
        extra = f" ({', '.join(notes)})" if notes else ""
        return f"#{pair.id}: <@{pair.buddy_user_id}> with <@{pair.newcomer_user_id}>{since}{extra}"

    embed = discord.Embed(title="Buddy programme")
    embed.add_field(
        name="Active pairs", value=section([pair_line(p) for p in found.active]), inline=False
    )
    embed.add_field(
        name="Waiting for approval",
        value=section([pair_line(p) for p in found.proposed]),
        inline=False,
    )
    embed.add_field(
        name="Newcomers waiting",
        value=section(
            [f"<@{e.user_id}> since {format_dt(e.joined_at, 'D')}" for e in found.waiting]
        ),
        inline=False,
    )
    embed.add_field(
        name="Buddies with free places",
        value=section([f"<@{user}>: {free} free" for user, free in found.free_places]),
        inline=False,
    )
    return embed
