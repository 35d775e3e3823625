"""`/activities`: upcoming open activities, soonest first, a page at a time."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.services import activities
from bot.ui import limits
from bot.ui.announcement import place_words, places_line, when_words
from bot.ui.base import GuardedButton
from bot.ui.custom_ids import CustomId
from bot.ui.text import shown_line

if TYPE_CHECKING:
    from bot.client import HealthBot

PAGE_SIZE = 5


async def listing_page(
    bot: HealthBot, guild_id: int, kind: str | None, page: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    async with bot.db.sessions() as session:
        found, pages = await activities.upcoming_page(
            session, guild_id, bot.clock.now(), kind, page, PAGE_SIZE
        )
    page = min(max(page, 0), pages - 1)
    heading = f"Coming up: {kind}" if kind else "Coming up"
    if not found:
        return discord.Embed(
            title=heading,
            description="Nothing is coming up right now. New activities are announced as they are planned.",
        ), None
    embed = discord.Embed(title=heading)
    for activity in found:
        embed.add_field(
            name=shown_line(activity.title, limits.FIELD_NAME),
            value=(
                f"{when_words(activity)}\n{activity.kind.capitalize()}, "
                f"{place_words(activity.place, 'online', 300)}. {places_line(activity)}.\n"
                f"Sign up with `/signup` (Activity #{activity.id})."
            ),
            inline=False,
        )
    embed.set_footer(text=f"Page {page + 1} of {pages}")
    embed = limits.fit_embed(embed)
    if pages == 1:
        return embed, None
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(kind, page - 1, "Previous", disabled=page == 0))
    view.add_item(PageButton(kind, page + 1, "Next", disabled=page + 1 >= pages))
    return embed, view


class PageButton(
    GuardedButton,
    prefix=CustomId.ACTIVITIES_PAGE,
    fields=r"(?P<kind>[a-z]+):(?P<page>-?[0-9]+)",
):
    def __init__(self, kind: str | None, page: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(
            kind or "all", page, label=label, style=discord.ButtonStyle.secondary, disabled=disabled
        )
        self.kind, self.page = kind, page

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> PageButton:
        kind = None if match["kind"] == "all" else match["kind"]
        return cls(kind, int(match["page"]), item.label or "")

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        embed, view = await listing_page(
            interaction.client, interaction.guild_id, self.kind, self.page
        )
        await interaction.response.edit_message(embed=embed, view=view)
