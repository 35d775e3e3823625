"""Membership: consent, the profile, pauses, privacy, and a person's data (export and erase)."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.membership._cog import Membership
from bot.cogs.membership._views import (
    AgreeButton,
    ConfirmEraseButton,
    EditProfileButton,
    GetStartedButton,
    NotNowButton,
    ProfileModal,
    open_profile_form,
)
from bot.ui.base import register_modal
from bot.ui.consent import AfterConsent


async def setup(bot: HealthBot) -> None:
    cog = Membership(bot)
    await bot.add_cog(cog)
    bot.add_dynamic_items(
        AgreeButton, NotNowButton, GetStartedButton, EditProfileButton, ConfirmEraseButton
    )
    register_modal(bot, ProfileModal)
    bot.after_consent[AfterConsent.JOIN] = open_profile_form
    bot.add_mine_section(90, cog.pause_section)
