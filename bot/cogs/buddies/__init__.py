"""The buddy programme: newcomers paired with experienced buddies, introduced, checked in on."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.buddies._cog import Buddies
from bot.cogs.buddies._messages import BuddyMessages
from bot.cogs.buddies._views import (
    CheckinButton,
    EndPairButton,
    InterestsMenu,
    ProposalButton,
    SaveProfileButton,
    TimesMenu,
)
from bot.ui.consent import AfterConsent


async def setup(bot: HealthBot) -> None:
    cog = Buddies(bot)
    await bot.add_cog(cog)
    bot.add_dynamic_items(
        CheckinButton, ProposalButton, EndPairButton, InterestsMenu, TimesMenu, SaveProfileButton
    )
    BuddyMessages(bot).register()
    bot.after_consent[AfterConsent.BUDDY_JOIN] = cog.continue_join
    bot.add_mine_section(20, cog.mine_section)
    bot.erasure_steps.append(cog.erase)
