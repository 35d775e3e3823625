"""What signing up shows first when an activity has a role card: the card's key lines (time,
payment, expenses, contact) with a Confirm button; and, where coordinators choose, an
application form with an optional "why" instead of a place. The signups cog asks
`opens_application`, then `shows_key_lines`, before it signs anyone up."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.errors import ConsentNeeded
from bot.services.involvement import choosing, role_cards
from bot.services.involvement.common import activity
from bot.ui.announcement import keeper
from bot.ui.base import PersistentModal
from bot.ui.consent import AfterConsent, show_consent_card
from bot.ui.custom_ids import CustomId, custom_id
from bot.ui.reply import reply
from bot.ui.text import shown, shown_line

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


CONFIRM_LABEL = "Confirm sign-up"


async def shows_key_lines(interaction: discord.Interaction[HealthBot], activity_id: int) -> bool:
    """For an activity with a role card, show its key lines and a Confirm button; say True."""
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.sessions() as session:
        card = await role_cards.get_card(session, activity_id)
        if card == role_cards.NO_CARD:
            return False
        info = await activity(session, interaction.guild_id, activity_id)
    key = role_cards.key_lines(card, info.duration_minutes, bot.payment_settings)
    lines = [shown(line, 400) if line == key.contact else line for line in key.lines()]
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=CONFIRM_LABEL,
            style=discord.ButtonStyle.success,
            custom_id=custom_id(CustomId.ACTIVITY, "confirm", activity_id),
        )
    )
    text = "\n".join([f"Before you sign up for **{shown_line(info.title, 100)}**:", *lines])
    await reply(interaction, text[:2000], view=view)
    return True


class ApplyForm(PersistentModal, prefix=CustomId.APPLY_FORM, fields=r"(?P<activity>[0-9]+)"):
    """An application, with an optional "why"; answered by its custom id after a restart."""

    def __init__(self, activity_id: int, title: str = "") -> None:
        heading = f"Apply: {title}" if title else "Apply"
        super().__init__(activity_id, title=heading if len(heading) <= 45 else heading[:44] + "…")
        self.activity_id = activity_id
        self.why: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="why",
            label="Why you would like to (optional)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=choosing.MAX_WHY,
        )
        self.add_item(self.why)

    @classmethod
    async def restore(cls, interaction: discord.Interaction[Any], match: re.Match[str]) -> Self:
        return cls(int(match["activity"]))

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
