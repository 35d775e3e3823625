"""What the checklist prompt looks like: the items still to do, with their "Done" buttons."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cogs.checklist._views import tick_view
from bot.delivery import Outgoing
from bot.services.checklist import ActivityChecklist, ChecklistItem
from bot.ui.announcement import when_words


def checklist_prompt_message(state: ActivityChecklist, due: Sequence[ChecklistItem]) -> Outgoing:
    listed = "\n".join(f"- {item.text}" for item in due)
    return Outgoing(
        content=(
            f"Co-production checklist for **{state.activity.title}** ({when_words(state.activity)}). "
            f"Still to do:\n{listed}\nPress a button when an item is done, or use `/checklist`."
        ),
        view=tick_view(state.activity, due),
    )
