"""The co-production checklist: what each activity's lead and participants should do."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.checklist._cog import Checklist
from bot.cogs.checklist._views import TickButton


async def setup(bot: HealthBot) -> None:
    bot.add_dynamic_items(TickButton)
    await bot.add_cog(Checklist(bot))
