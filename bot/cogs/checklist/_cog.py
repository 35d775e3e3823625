"""The checklist cog: `/checklist activity`, and the checklist prompt the outbox sends (the
planner that queues it is in the reminders cog)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HealthBot
from bot.cogs.checklist._messages import checklist_prompt_message
from bot.cogs.checklist._views import checklist_embed, tick_view
from bot.delivery import Outgoing
from bot.permissions import is_coordinator_of
from bot.services import activity_lookup, checklist, outbox, reminders
from bot.services.outbox import OutboxItem, OutboxKind
from bot.ui.activity_option import RecentActivityArg


class Checklist(commands.Cog):
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.outbox.register(OutboxKind.CHECKLIST_PROMPT, self.render_checklist_prompt)

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

    async def render_checklist_prompt(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            found = await reminders.checklist_prompt_to_send(
                session, item, self.bot.checklist_items
            )
        return checklist_prompt_message(*found) if found else None
