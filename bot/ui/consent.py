"""The consent card, shown before anything about a person is stored.

"I agree" carries what the person was doing (`action` and `arg`, for example a sign-up for
activity 12) in its custom id, so it completes that same action afterwards, even after a
restart. Cogs register what each action does in `bot.after_consent`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.reporting import guarded
from bot.services import consent

if TYPE_CHECKING:
    from bot.client import HealthBot

NOT_NOW = (
    "No problem. Nothing about you has been stored. You can agree any time with `/join`, "
    "and read `/privacy` to see what we would keep."
)


def consent_card(
    notice: consent.ConsentNotice, action: str, arg: str = ""
) -> tuple[discord.Embed, discord.ui.View]:
    embed = discord.Embed(title=notice.title, description=notice.text)
    embed.set_footer(text=f"Consent version {notice.version}")
    view = discord.ui.View(timeout=None)
    view.add_item(AgreeButton(action, arg))
    view.add_item(NotNowButton())
    return embed, view


async def require_consent(
    interaction: discord.Interaction[HealthBot], action: str, arg: str = ""
) -> bool:
    """True if the person consented already; otherwise show them the consent card (privately)
    and return False: "I agree" will then run `action` for them. Works after a deferral too."""
    assert interaction.guild_id is not None
    async with interaction.client.db.sessions() as session:
        if await consent.has_consented(session, interaction.guild_id, interaction.user.id):
            return True
    await show_consent_card(interaction, action, arg)
    return False


async def show_consent_card(
    interaction: discord.Interaction[HealthBot], action: str, arg: str = ""
) -> None:
    """Show the consent card privately; "I agree" then runs `action` for them."""
    embed, view = consent_card(interaction.client.consent_notice, action, arg)
    if interaction.response.is_done():
        await interaction.followup.send(embed=embed, view=view, ephemeral=True)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class AgreeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"consent:agree:(?P<action>[a-z_]+):(?P<arg>[0-9A-Za-z_]*)",
):
    def __init__(self, action: str, arg: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label="I agree",
                style=discord.ButtonStyle.success,
                custom_id=f"consent:agree:{action}:{arg}",
            )
        )
        self.action = action
        self.arg = arg

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AgreeButton:
        return cls(match["action"], match["arg"])

    @guarded
    async def callback(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        if interaction.guild_id is None:
            await interaction.response.send_message(
                "Please use this inside the community server.", ephemeral=True
            )
            return
        async with bot.db.sessions() as session, session.begin():
            await consent.record_consent(
                session,
                interaction.guild_id,
                interaction.user.id,
                bot.consent_notice.version,
                bot.clock.now(),
            )
        continuation = bot.after_consent.get(self.action)
        if continuation is not None:
            await continuation(interaction, self.arg)
            return
        await interaction.response.edit_message(
            content="Thank you. You are part of the community now. Try `/activities` to see what is coming up.",
            embed=None,
            view=None,
        )


class NotNowButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"consent:no"):
    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Not now", style=discord.ButtonStyle.secondary, custom_id="consent:no"
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> NotNowButton:
        return cls()

    @guarded
    async def callback(self, interaction: discord.Interaction[HealthBot]) -> None:
        await interaction.response.edit_message(content=NOT_NOW, embed=None, view=None)
