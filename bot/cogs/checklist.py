"""`/checklist activity`, and the planner job that queues reminders, "what to expect" and
checklist prompts (their messages are built here when the outbox sends them)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HealthBot
from bot.delivery import Outgoing
from bot.services import activity_lookup, checklist, outbox, reminders
from bot.services.outbox import OutboxItem
from bot.ui.activities import RecentActivityArg
from bot.ui.checklist import (
    TickButton,
    checklist_embed,
    checklist_prompt_message,
    expect_message,
    is_coordinator_of,
    reminder_message,
    tick_view,
)

log = logging.getLogger(__name__)

PLANNER_JOB = "reminder-planner"


class Checklist(commands.Cog):
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        bot = self.bot
        bot.outbox.register(reminders.REMINDER, self.render_reminder)
        bot.outbox.register(reminders.EXPECT, self.render_expect)
        bot.outbox.register(reminders.CHECKLIST_PROMPT, self.render_checklist_prompt)
        bot.schedule(PLANNER_JOB, self.plan, minutes=1, run_at_start=True)

    async def cog_unload(self) -> None:
        self.bot.unschedule(PLANNER_JOB)

    @app_commands.command(name="checklist", description="See and tick an activity's checklist")
    @app_commands.describe(activity="The activity (start typing its title)")
    @app_commands.guild_only()
    async def show(
        self, interaction: discord.Interaction[HealthBot], activity: RecentActivityArg
    ) -> None:
        assert interaction.guild_id is not None
        bot = self.bot
        coordinator = await is_coordinator_of(bot, interaction.guild_id, interaction.user.id)
        async with bot.db.sessions() as session:
            info = await activity_lookup.get_info(session, activity, interaction.guild_id)
            checklist.check_may_manage(info, interaction.user.id, is_coordinator=coordinator)
            state = await checklist.checklist(session, info, bot.checklist_items)
            given_up = await outbox.unreachable(session, info.guild_id, activity_id=info.id)
        unreachable = (
            sorted({item.user_id for item in given_up if item.user_id}) if coordinator else []
        )
        await interaction.response.send_message(
            embed=checklist_embed(state, unreachable),
            view=tick_view(info, state.open_items),
            ephemeral=True,
        )

    async def plan(self, activity_id: int | None = None) -> None:
        """Queue what is owed (all activities, or one), then wake the outbox."""
        async with self.bot.db.sessions() as session, session.begin():
            result = await reminders.plan(
                session,
                now=self.bot.clock.now(),
                offsets_hours=self.bot.settings.reminders.offsets_hours,
                items=self.bot.checklist_items,
                coordinators=await self.coordinators(),
                activity_id=activity_id,
            )
        if result.queued or result.cancelled:
            log.info("Planned %d prompts, took back %d", result.queued, result.cancelled)
            self.bot.outbox.wake()

    async def coordinators(self) -> dict[int, list[int]]:
        """Per server, the people with the coordinator role (prompted when there is no lead)."""
        found = {}
        for guild in self.bot.guilds:
            role_id = (await self.bot.community(guild.id)).coordinator_role_id
            role = guild.get_role(role_id) if role_id else None
            found[guild.id] = [member.id for member in role.members] if role else []
        return found

    async def render_reminder(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            info = await reminders.reminder_to_send(session, item, self.bot.clock.now())
        return reminder_message(info) if info else None

    async def render_expect(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            found = await reminders.expect_to_send(
                session, item, self.bot.checklist_items, self.bot.clock.now()
            )
        return expect_message(*found) if found else None

    async def render_checklist_prompt(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            found = await reminders.checklist_prompt_to_send(
                session, item, self.bot.checklist_items
            )
        return checklist_prompt_message(*found) if found else None


async def setup(bot: HealthBot) -> None:
    bot.add_dynamic_items(TickButton)
    await bot.add_cog(Checklist(bot))
