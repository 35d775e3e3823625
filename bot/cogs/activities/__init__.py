"""Activities: coordinators post, edit and cancel opportunities; everyone browses them."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.activities._cog import Activities
from bot.cogs.activities._messages import ActivityMessages
from bot.cogs.activities._views import PageButton


async def setup(bot: HealthBot) -> None:
    await bot.add_cog(Activities(bot))
    bot.add_dynamic_items(PageButton)
    ActivityMessages(bot).register()
