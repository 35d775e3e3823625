"""What the checklist prompt looks like: the items still to do, with their "Done" buttons."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.cogs.checklist._views import tick_view
from bot.delivery import Outgoing
from bot.services.checklist import ActivityChecklist, ChecklistItem
from bot.ui.announcement import when_words
from bot.ui.limits import CONTENT, lines_within
from bot.ui.text import shown_line


def checklist_prompt_message(state: ActivityChecklist, due: Sequence[ChecklistItem]) -> Outgoing:
    head = (
        f"Co-production checklist for **{shown_line(state.activity.title, 200)}** "
        f"({when_words(state.activity)}). Still to do:"
    )
    tail = "Press a button when an item is done, or use `/checklist`."
    room = CONTENT - len(head) - len(tail) - 2
    listed = lines_within([f"- {shown_line(item.text, 300)}" for item in due], room)
    return Outgoing(
        content=f"{head}\n{listed}\n{tail}",
        view=tick_view(state.activity, due),
        allowed_mentions=discord.AllowedMentions.none(),
    )
