"""What reminders look like: the 24-hour reminder and "what to expect"."""

from __future__ import annotations

from collections.abc import Sequence

from bot.delivery import Outgoing
from bot.services.checklist import ActivityInfo, ChecklistItem
from bot.ui.announcement import when_words
from bot.ui.text import shown_line


def reminder_message(info: ActivityInfo) -> Outgoing:
    place = f" Place: {shown_line(info.place)}." if info.place else ""
    return Outgoing(
        content=(
            f"Reminder: **{shown_line(info.title)}** starts {when_words(info)}.{place}\n"
            "If you can no longer come, use `/withdraw` so someone waiting can take your place."
        )
    )


def expect_message(info: ActivityInfo, items: Sequence[ChecklistItem]) -> Outgoing:
    place = f"\nPlace: {shown_line(info.place)}" if info.place else ""
    body = "\n".join(f"- {item.text}" for item in items)
    return Outgoing(
        content=(
            f"**{shown_line(info.title)}** is coming up: {when_words(info)}, for {info.duration_minutes} "
            f"minutes.{place}\n{body}"
        )
    )
