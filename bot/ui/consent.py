"""The consent card, shown before anything about a person is stored; several cogs ask for it.

"I agree" carries what the person was doing (an `AfterConsent` continuation and its argument,
for example a sign-up for activity 12) in its custom id, so it completes that same action
afterwards, even after a restart. The buttons' handlers live in the membership cog
(`bot.cogs.membership._views`); each continuation's handler is registered by the cog that owns
it (`bot.after_consent[AfterConsent.X] = fn`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

import discord

from bot.services import consent
from bot.ui.custom_ids import CustomId, custom_id
from bot.ui.reply import reply

if TYPE_CHECKING:
    from bot.client import HealthBot


class AfterConsent(StrEnum):
    """What "I agree" goes on to do. Each one has a handler registered by its cog
    (`bot.after_consent[AfterConsent.SIGNUP] = fn`); tests/test_registries.py checks that."""

    JOIN = "join"
    SIGNUP = "signup"
    SERIES_SIGNUP_ALL = "series_all"
    BUDDY_JOIN = "buddy_join"
    FEEDBACK_GIVE = "feedback_give"


def continuation_of(action: str) -> AfterConsent | None:
    """The continuation an "I agree" custom id names, or None if there is no such one."""
    try:
        return AfterConsent(action)
    except ValueError:
        return None


AGREE_FIELDS = r"(?P<action>[a-z_]+):(?P<arg>[0-9A-Za-z_]*)"


def agree_button(action: AfterConsent, arg: str = "") -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label="I agree",
        style=discord.ButtonStyle.success,
        custom_id=custom_id(CustomId.CONSENT_AGREE, action.value, arg),
    )


def not_now_button() -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label="Not now",
        style=discord.ButtonStyle.secondary,
        custom_id=custom_id(CustomId.CONSENT_NOT_NOW),
    )


def read_more_button() -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label="Read more",
        style=discord.ButtonStyle.secondary,
        custom_id=custom_id(CustomId.READ_MORE),
    )


def consent_card(
    notice: consent.ConsentNotice, action: AfterConsent, arg: str = ""
) -> tuple[discord.Embed, discord.ui.View]:
    embed = discord.Embed(title=notice.title, description=notice.text)
    embed.set_footer(text=f"Consent version {notice.version}")
    view = discord.ui.View(timeout=None)
    view.add_item(agree_button(action, arg))
    view.add_item(not_now_button())
    view.add_item(read_more_button())
    return embed, view


async def require_consent(
    interaction: discord.Interaction[HealthBot], action: AfterConsent, arg: str = ""
) -> bool:
    """True if the person agreed to the current notice; otherwise show them the consent card (privately)
    and return False: "I agree" will then run `action` for them. Works after a deferral too."""
    assert interaction.guild_id is not None
    async with interaction.client.db.sessions() as session:
        if await consent.consented_to(
            session,
            interaction.guild_id,
            interaction.user.id,
            interaction.client.consent_notice.version,
        ):
            return True
    await show_consent_card(interaction, action, arg)
    return False


async def show_consent_card(
    interaction: discord.Interaction[HealthBot], action: AfterConsent, arg: str = ""
) -> None:
    """Show the consent card privately; "I agree" then runs `action` for them."""
    embed, view = consent_card(interaction.client.consent_notice, action, arg)
    await reply(interaction, embed=embed, view=view)
