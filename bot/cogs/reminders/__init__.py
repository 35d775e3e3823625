"""Reminders: the 24-hour reminder and "what to expect" before each activity."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.reminders._cog import Reminders


async def setup(bot: HealthBot) -> None:
    await bot.add_cog(Reminders(bot))
