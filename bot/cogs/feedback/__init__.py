"""Feedback: asked for after each activity, given by reaction, reply or a short form, read by
coordinators, and answered with "you said, we did"."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.feedback._cog import Feedback
from bot.cogs.feedback._messages import FeedbackMessages
from bot.cogs.feedback._views import FeedbackForm, QuickRatingButton, TellUsMoreButton
from bot.ui.base import register_modal
from bot.ui.consent import AfterConsent


async def setup(bot: HealthBot) -> None:
    cog = Feedback(bot)
    await bot.add_cog(cog)
    bot.add_dynamic_items(QuickRatingButton, TellUsMoreButton)
    register_modal(bot, FeedbackForm)
    FeedbackMessages(bot).register()
    bot.after_consent[AfterConsent.FEEDBACK_GIVE] = cog.continue_give
    bot.add_mine_section(30, cog.mine_section)
