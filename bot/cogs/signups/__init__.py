"""Sign-ups: a place or a waiting-list position, withdrawing, and `/mine`."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.signups._cog import Signups
from bot.cogs.signups._messages import SignupMessages
from bot.cogs.signups._views import ActivityButton
from bot.ui.consent import AfterConsent


async def setup(bot: HealthBot) -> None:
    cog = Signups(bot)
    await bot.add_cog(cog)
    bot.add_dynamic_items(ActivityButton)
    SignupMessages(bot).register()
    bot.after_consent[AfterConsent.SIGNUP] = cog.after_consent
    bot.erasure_steps.append(cog.erase)
