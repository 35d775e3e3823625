"""Membership: consent, the profile, pauses, privacy, and a person's data (export and erase)."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.membership._cog import Membership
from bot.cogs.membership._retention import (
    LeaveAndDeleteButton,
    Retention,
    StayButton,
    render_stay_question,
)
from bot.cogs.membership._views import (
    AgreeButton,
    ConfirmEraseButton,
    EditProfileButton,
    GetStartedButton,
    NotNowButton,
    ProfileModal,
    ReadMoreButton,
    open_profile_form,
)
from bot.services.outbox import OutboxKind
from bot.ui.base import register_modal
from bot.ui.consent import AfterConsent


async def setup(bot: HealthBot) -> None:
    cog = Membership(bot)
    await bot.add_cog(cog)
    await bot.add_cog(Retention(bot))
    bot.add_dynamic_items(
        AgreeButton,
        NotNowButton,
        ReadMoreButton,
        GetStartedButton,
        EditProfileButton,
        ConfirmEraseButton,
        StayButton,
        LeaveAndDeleteButton,
    )
    register_modal(bot, ProfileModal)
    bot.outbox.register(OutboxKind.STAY_QUESTION, render_stay_question, held_back=True)
    bot.after_consent[AfterConsent.JOIN] = open_profile_form
    bot.add_mine_section(90, cog.pause_section)
