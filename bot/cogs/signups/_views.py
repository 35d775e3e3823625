"""What pressing Sign up, Withdraw or Add to calendar on an announcement does; `/signup` and
`/withdraw` do the same. Each is one transaction here, then the announcement is refreshed."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import ConsentNeeded
from bot.services import activities, calendar, signups
from bot.ui.announcement import ACTIVITY_FIELDS, BUTTON_LABELS, keeper, when_words
from bot.ui.applications import CONFIRM_LABEL, opens_application, shows_key_lines
from bot.ui.base import GuardedButton
from bot.ui.consent import AfterConsent, show_consent_card
from bot.ui.custom_ids import CustomId
from bot.ui.text import shown_line

if TYPE_CHECKING:
    from bot.client import HealthBot


class ActivityButton(GuardedButton, prefix=CustomId.ACTIVITY, fields=ACTIVITY_FIELDS):
    """Sign up, Withdraw and Add to calendar on an announcement (`bot.ui.announcement`)."""

    def __init__(self, action: str, activity_id: int) -> None:
        style = (
            discord.ButtonStyle.success
            if action in ("signup", "confirm")
            else discord.ButtonStyle.secondary
        )
        label = BUTTON_LABELS.get(action, CONFIRM_LABEL)
        super().__init__(action, activity_id, label=label, style=style)
        self.action, self.activity_id = action, activity_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> ActivityButton:
        return cls(match["action"], int(match["id"]))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        if self.action in ("signup", "confirm"):
            await sign_up(interaction, self.activity_id, confirmed=self.action == "confirm")
        elif self.action == "withdraw":
            await withdraw(interaction, self.activity_id)
        else:
            await send_calendar(interaction, self.activity_id)


async def sign_up(
    interaction: discord.Interaction[HealthBot],
    activity_id: int,
    *,
    after_consent: bool = False,
    confirmed: bool = False,
) -> None:
    """Consent first, then a place or a waitlist position; the announcement follows.
    Acknowledged at once ("thinking"), so fifty people pressing together all get an answer
    well inside Discord's three seconds."""
    assert interaction.guild_id is not None
    if await opens_application(interaction, activity_id):
        return
    if not (confirmed or after_consent) and await shows_key_lines(interaction, activity_id):
        return
    if not after_consent:
        await interaction.response.defer(ephemeral=True, thinking=True)
    bot = interaction.client
    try:
        async with bot.db.sessions() as session, session.begin():
            result = await signups.sign_up(
                session,
                interaction.guild_id,
                activity_id,
                interaction.user.id,
                bot.clock.now(),
                notice_version=bot.consent_notice.version,
            )
    except ConsentNeeded:
        await show_consent_card(interaction, AfterConsent.SIGNUP, str(activity_id))
        return
    activity = result.activity
    if result.position is None:
        text = (
            f"You have a place at **{shown_line(activity.title)}** on {when_words(activity)}. "
            "If you can no longer come, press Withdraw on the announcement or use `/withdraw`."
        )
    else:
        text = (
            f"**{shown_line(activity.title)}** is full, so you are number {result.position} on the waiting "
            "list. If a place comes up it is yours, and we will tell you."
        )
    if after_consent:  # the answer replaces the consent card
        await interaction.response.edit_message(content=text, embed=None, view=None)
    else:
        await interaction.followup.send(text, ephemeral=True)
    await keeper(bot).refresh(activity_id)


async def withdraw(interaction: discord.Interaction[HealthBot], activity_id: int) -> None:
    assert interaction.guild_id is not None
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = interaction.client
    async with bot.db.sessions() as session, session.begin():
        result = await signups.withdraw(
            session, interaction.guild_id, activity_id, interaction.user.id, bot.clock.now()
        )
    title = shown_line(result.activity.title)
    if result.had_place:
        text = f"You have given up your place at **{title}**. Thank you for letting us know."
        if result.promoted_user_id is not None:
            text += " The next person waiting has been given your place."
            bot.outbox.wake()
    else:
        text = f"You have left the waiting list for **{title}**."
    await interaction.followup.send(text, ephemeral=True)
    await keeper(bot).refresh(activity_id)


async def send_calendar(interaction: discord.Interaction[HealthBot], activity_id: int) -> None:
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.sessions() as session:
        activity = await activities.get_activity(session, interaction.guild_id, activity_id)
    ics = calendar.ics_for(activity, bot.clock.now())
    await interaction.response.send_message(
        f"Here is **{shown_line(activity.title)}** for your calendar. Open the file to add it.",
        file=discord.File(io.BytesIO(ics.encode()), filename=calendar.file_name(activity)),
        ephemeral=True,
    )
