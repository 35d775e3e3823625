"""The signups cog: `/signup`, `/withdraw` and `/mine`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt
from sqlalchemy.ext.asyncio import AsyncSession

from bot.client import HealthBot
from bot.cogs.signups import _views as ui
from bot.services import signups
from bot.services.signups import MySignup
from bot.ui import limits
from bot.ui.activity_option import ActivityArg
from bot.ui.announcement import place_words
from bot.ui.text import shown_line

Interaction = discord.Interaction[HealthBot]
# How much of /mine the sign-ups may take, so the other sections still fit in one message.
SIGNUPS_ROOM = 1200


class Signups(commands.Cog):
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    @app_commands.command(name="signup", description="Sign up for an activity")
    @app_commands.describe(activity="Start typing its name and pick it from the list")
    @app_commands.guild_only()
    async def signup(self, interaction: Interaction, activity: ActivityArg) -> None:
        await ui.sign_up(interaction, activity)

    @app_commands.command(name="withdraw", description="Give up your place or leave a waiting list")
    @app_commands.describe(activity="Start typing its name and pick it from the list")
    @app_commands.guild_only()
    async def withdraw(self, interaction: Interaction, activity: ActivityArg) -> None:
        await ui.withdraw(interaction, activity)

    @app_commands.command(name="mine", description="Your activities, waiting lists, buddy and more")
    @app_commands.guild_only()
    async def mine(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        guild_id, user_id = interaction.guild_id, interaction.user.id
        parts = [await self.signups_section(guild_id, user_id)]
        for section in self.bot.mine_sections():
            text = await section(guild_id, user_id)
            if text:
                parts.append(text)
        text = limits.lines_within("\n\n".join(parts).split("\n"), limits.CONTENT)
        await interaction.response.send_message(text, ephemeral=True)

    async def signups_section(self, guild_id: int, user_id: int) -> str:
        async with self.bot.db.sessions() as session:
            found = await signups.my_signups(session, guild_id, user_id, self.bot.clock.now())
        if not found:
            return (
                "**Your activities**\nYou are not signed up for anything coming up. "
                "Try `/activities` to see what you could join."
            )
        lines = [_line(mine) for mine in found]
        return "**Your activities**\n" + limits.lines_within(
            lines,
            SIGNUPS_ROOM,
            lambda hidden: f"…and {hidden} more. See them all with `/activities`.",
        )

    async def after_consent(self, interaction: Interaction, arg: str) -> None:
        await ui.sign_up(interaction, int(arg), after_consent=True)

    async def erase(self, session: AsyncSession, guild_id: int, user_id: int) -> None:
        await signups.withdraw_everywhere(session, guild_id, user_id, self.bot.clock.now())


def _line(mine: MySignup) -> str:
    activity = mine.activity
    where = f"{format_dt(activity.starts_at, 'F')}, {place_words(activity.place, 'online', 200)}"
    title = shown_line(activity.title)
    if mine.position is None:
        return f"- **{title}**, {where}: you have a place."
    return f"- **{title}**, {where}: number {mine.position} on the waiting list."
