"""The community's set-up: `/setup` (channels, the coordinator role, time zone, quiet hours)."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.community._cog import Setup


async def setup(bot: HealthBot) -> None:
    await bot.add_cog(Setup(bot))
