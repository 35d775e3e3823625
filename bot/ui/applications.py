"""Signing up for an activity where coordinators choose: the sign-up becomes an application,
with an optional "why" in a form. The signups cog asks `opens_application` first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.errors import ConsentNeeded
from bot.services.involvement import choosing
from bot.services.involvement.common import activity
from bot.ui.announcement import keeper
from bot.ui.base import GuardedModal
from bot.ui.consent import AfterConsent, show_consent_card
from bot.ui.custom_ids import CustomId, custom_id
from bot.ui.reply import reply
from bot.ui.text import shown_line

if TYPE_CHECKING:
    from bot.client import HealthBot


async def opens_application(interaction: discord.Interaction[HealthBot], activity_id: int) -> bool:
    """For a "coordinators choose" activity, show the application form and say True."""
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.sessions() as session:
        if not await choosing.chosen_by_coordinators(session, activity_id):
            return False
        info = await activity(session, interaction.guild_id, activity_id)
    await interaction.response.send_modal(ApplyForm(activity_id, info.title))
    return True


class ApplyForm(GuardedModal):
    """An application, with an optional "why"."""

    def __init__(self, activity_id: int, title: str) -> None:
        heading = f"Apply: {title}"
        super().__init__(
            title=heading if len(heading) <= 45 else heading[:44] + "…",
            custom_id=custom_id(CustomId.APPLY_FORM, activity_id),
            timeout=30 * 60,
        )
        self.activity_id = activity_id
        self.why: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Why you would like to (optional)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=choosing.MAX_WHY,
        )
        self.add_item(self.why)

    async def on_submit(self, interaction: discord.Interaction[HealthBot]) -> None:  # type: ignore[override]
        assert interaction.guild_id is not None
        bot = interaction.client
        try:
            async with bot.db.sessions() as session, session.begin():
                info = await choosing.apply(
                    session,
                    interaction.guild_id,
                    self.activity_id,
                    interaction.user.id,
                    self.why.value,
                    bot.clock.now(),
                )
        except ConsentNeeded:
            await show_consent_card(interaction, AfterConsent.SIGNUP, str(self.activity_id))
            return
        await reply(
            interaction,
            f"Thank you. Your application for **{shown_line(info.title, 100)}** is in. "
            "Coordinators choose fairly, and we will tell you either way.",
        )
        await keeper(bot).refresh(self.activity_id)
