"""What the checklist looks like: its embed and the "Done" buttons that tick an item."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.permissions import is_coordinator_of
from bot.services import checklist
from bot.services.checklist import ActivityChecklist, ActivityInfo, ChecklistItem
from bot.ui.announcement import when_words
from bot.ui.base import GuardedButton
from bot.ui.custom_ids import CustomId
from bot.ui.limits import (
    BUTTON_LABEL,
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    FIELD_VALUE,
    fit_embed,
    lines_within,
)
from bot.ui.text import plain, shown_line

if TYPE_CHECKING:
    from bot.client import HealthBot

MAX_BUTTONS = 25  # Discord's limit per message


def checklist_embed(state: ActivityChecklist, unreachable: Sequence[int] = ()) -> discord.Embed:
    info = state.activity
    lines = []
    for entry in state.entries:
        mark = "Done" if entry.done else "To do"
        who = "for the lead" if entry.item.audience == "lead" else "for participants"
        lines.append(f"**{mark}** ({entry.item.stage}, {who}): {shown_line(entry.item.text, 300)}")
    embed = discord.Embed(
        title=f"Checklist: {shown_line(info.title, EMBED_TITLE - 20)}",
        description=lines_within(lines, EMBED_DESCRIPTION),
    )
    embed.add_field(name="When", value=when_words(info), inline=False)
    if not info.is_open:
        embed.add_field(name="Status", value="Cancelled: the checklist is closed.", inline=False)
    if unreachable:
        embed.add_field(
            name="Could not be reached",
            value=lines_within([f"<@{user_id}>" for user_id in unreachable], FIELD_VALUE - 100)
            + "\nThe bot gave up sending them a message; please contact them another way.",
            inline=False,
        )
    embed.set_footer(text=f"Activity #{info.id}")
    return fit_embed(embed)


def tick_view(info: ActivityInfo, items: Sequence[ChecklistItem]) -> discord.ui.View:
    """A "Done" button for each open item (none once the activity is cancelled)."""
    view = discord.ui.View(timeout=None)
    for item in items[:MAX_BUTTONS] if info.is_open else ():
        view.add_item(TickButton(info.id, item.key, item.text))
    return view


class TickButton(
    GuardedButton,
    prefix=CustomId.CHECKLIST_TICK,
    fields=r"(?P<activity>[0-9]+):(?P<key>[a-z0-9_]+)",
):
    def __init__(self, activity_id: int, key: str, text: str = "") -> None:
        label = f"Done: {text}" if text else "Done"
        super().__init__(
            activity_id, key, label=plain(label, BUTTON_LABEL), style=discord.ButtonStyle.success
        )
        self.activity_id = activity_id
        self.key = key

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> TickButton:
        return cls(int(match["activity"]), match["key"])

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session:
            info = await checklist.activity_info(session, self.activity_id)
        coordinator = info is not None and await is_coordinator_of(
            bot, info.guild_id, interaction.user.id
        )
        async with bot.db.sessions() as session, session.begin():
            state = await checklist.tick(
                session,
                activity_id=self.activity_id,
                item_key=self.key,
                user_id=interaction.user.id,
                is_coordinator=coordinator,
                items=bot.checklist_items,
                now=bot.clock.now(),
            )
        view = tick_view(state.activity, state.open_items)
        await interaction.response.edit_message(
            content="Ticked. Here is the checklist now.",
            embed=checklist_embed(state),
            view=view,
            allowed_mentions=discord.AllowedMentions.none(),
        )
