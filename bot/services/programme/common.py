"""Small pieces the programme's training and groups share: refusals that carry what the cog
needs to offer a next step, cleaning free text, safe spreadsheet cells, local dates."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput, NotAllowed

NOT_JOINED = (
    "That person has not joined the community yet, so we cannot keep anything about them. "
    "Ask them to use `/join` first, then try again."
)


class TrainingNeeded(NotAllowed):
    """Signing up needs a module the person does not hold (or that runs out too soon).
    `training_activity_id` is the next training that teaches it, for a Sign up button."""

    def __init__(self, message: str, module_key: str, training_activity_id: int | None) -> None:
        super().__init__(message)
        self.module_key = module_key
        self.training_activity_id = training_activity_id


class GroupOnly(NotAllowed):
    """The activity is for one group's members only; `group_id` is that group, so the cog can
    offer its Ask to join button."""

    def __init__(self, message: str, group_id: int) -> None:
        super().__init__(message)
        self.group_id = group_id


_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str, *, label: str, limit: int, multiline: bool = True) -> str:
    """Text a person typed, tidied: no control or invisible format characters, runs of spaces
    made one, at most one blank line in a row, trimmed. Refuses it empty or too long."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    kept = [
        char
        for char in text
        if char == "\n" or unicodedata.category(char) not in {"Cc", "Cf", "Co", "Cs"}
    ]
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(kept).split("\n")]
    cleaned = "\n".join(lines) if multiline else " ".join(lines)
    cleaned = _BLANK_LINES.sub("\n\n", cleaned).strip()
    cleaned = _SPACES.sub(" ", cleaned) if not multiline else cleaned
    if not cleaned:
        raise InvalidInput(f"{label} is empty. Please write a few words and try again.")
    if len(cleaned) > limit:
        raise InvalidInput(
            f"{label} is {len(cleaned):,} characters long. Please keep it to {limit:,} or fewer. "
            "Nothing was saved."
        )
    return cleaned


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A spreadsheet cell that cannot run as a formula: text starting with = + - @ or a tab or
    carriage return gets a leading single quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar date at `moment` in the community's time zone."""
    return moment.astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in the community's time zone, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=zone)


def words_date(day: date) -> str:
    """A date in words, like 5 March 2029."""
    return f"{day.day} {day:%B %Y}"
