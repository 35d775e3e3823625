"""Activities: coordinators post, edit and cancel opportunities; everyone browses them."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.activities._cog import Activities
from bot.cogs.activities._messages import ActivityMessages
from bot.cogs.activities._series_views import SERIES_BUTTONS, after_consent_all
from bot.cogs.activities._views import PageButton
from bot.ui.consent import AfterConsent


async def setup(bot: HealthBot) -> None:
    await bot.add_cog(Activities(bot))
    bot.add_dynamic_items(PageButton, *SERIES_BUTTONS)
    bot.after_consent[AfterConsent.SERIES_SIGNUP_ALL] = after_consent_all
    ActivityMessages(bot).register()
