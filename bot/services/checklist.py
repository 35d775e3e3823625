"""The co-production checklist: items from config/checklist.toml, ticked per activity by its
lead or a coordinator."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, NotAllowed, NotFound

# Re-exported: the checklist's views and messages take the shared read model.
from bot.services.activity_lookup import ActivityInfo as ActivityInfo
from bot.services.activity_lookup import activity_info as activity_info
from bot.services.text import escape
from bot.services.toml_file import Table, read_toml, table_starts
from db.engine import insert_for
from db.models import ChecklistTick

FILE_NAME = "checklist.toml"
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CHOICES = {"stage": ("before", "after"), "for": ("lead", "participants"), "from": ("start", "end")}
_FIELDS = ("key", "text", "stage", "for", "from", "offset_hours")


class ChecklistFileError(Exception):
    """config/checklist.toml cannot be used; the message names the line and the problem."""


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    text: str
    stage: str  # before | after
    audience: str  # lead | participants
    anchor: str  # start | end
    offset_hours: float

    def due_at(self, starts_at: datetime, duration_minutes: int) -> datetime:
        point = starts_at
        if self.anchor == "end":
            point += timedelta(minutes=duration_minutes)
        return point + timedelta(hours=self.offset_hours)


@dataclass(frozen=True, slots=True)
class Entry:
    item: ChecklistItem
    ticked_by: int | None
    ticked_at: datetime | None

    @property
    def done(self) -> bool:
        return self.ticked_at is not None


@dataclass(frozen=True, slots=True)
class ActivityChecklist:
    activity: ActivityInfo
    entries: tuple[Entry, ...]

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [entry.item for entry in self.entries if not entry.done]


# -- the file -----------------------------------------------------------------------------


def load_items(directory: Path) -> tuple[ChecklistItem, ...]:
    path = directory / FILE_NAME
    text, data = read_toml(path, ChecklistFileError)
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ChecklistFileError(f"{path} line 1: there are no [[items]]; add at least one.")
    starts = table_starts(text, "[[items]]")
    items: list[ChecklistItem] = []
    for index, raw in enumerate(raw_items):
        block = Table(path, text, starts[index] if index < len(starts) else 1, ChecklistFileError)
        item = _parse_item(raw, block)
        if any(seen.key == item.key for seen in items):
            raise block.error("key", f"the key {item.key!r} is used twice; keys must differ.")
        items.append(item)
    return tuple(items)


def _parse_item(raw: dict[str, Any], block: Table[ChecklistFileError]) -> ChecklistItem:
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise block.error(unknown[0], f"unknown field {unknown[0]!r}; use {', '.join(_FIELDS)}.")
    for field in _FIELDS:
        if field not in raw:
            raise block.error(field, f"this item has no {field!r}.")
    key, text, offset = raw["key"], raw["text"], raw["offset_hours"]
    if not isinstance(key, str) or not _KEY.match(key):
        raise block.error("key", "the key must be lowercase letters, digits and _ (up to 40).")
    if not isinstance(text, str) or not text.strip():
        raise block.error("text", "the text must not be empty.")
    for field, allowed in _CHOICES.items():
        if raw[field] not in allowed:
            raise block.error(field, f"{field} must be {' or '.join(map(repr, allowed))}.")
    if isinstance(offset, bool) or not isinstance(offset, int | float):
        raise block.error("offset_hours", "offset_hours must be a number of hours.")
    if raw["stage"] == "before" and offset >= 0 and raw["from"] == "start":
        raise block.error("offset_hours", "a 'before' item needs a negative offset from the start.")
    if raw["stage"] == "after" and offset < 0:
        raise block.error("offset_hours", "an 'after' item needs an offset of 0 or more.")
    return ChecklistItem(key, text.strip(), raw["stage"], raw["for"], raw["from"], float(offset))


# -- ticks -----------------------------------------------------------------------------------


async def checklist(
    session: AsyncSession, activity: ActivityInfo, items: Sequence[ChecklistItem]
) -> ActivityChecklist:
    ticks = {
        tick.item_key: tick
        for tick in await session.scalars(
            select(ChecklistTick).where(ChecklistTick.activity_id == activity.id)
        )
    }
    entries = []
    for item in items:
        tick = ticks.get(item.key)
        entries.append(
            Entry(item, tick.ticked_by if tick else None, tick.ticked_at if tick else None)
        )
    return ActivityChecklist(activity, tuple(entries))


def check_may_manage(activity: ActivityInfo, user_id: int, *, is_coordinator: bool) -> None:
    if not (is_coordinator or activity.lead_user_id == user_id):
        raise NotAllowed(
            f"Only the lead of '{escape(activity.title)}' or a coordinator can see and tick its "
            "checklist. If you are leading it, ask a coordinator to set you as the lead."
        )


async def tick(
    session: AsyncSession,
    *,
    activity_id: int,
    item_key: str,
    user_id: int,
    is_coordinator: bool,
    items: Sequence[ChecklistItem],
    now: datetime,
) -> ActivityChecklist:
    """Tick an item (ticking it again changes nothing) and return the checklist as it is now."""
    activity = await activity_info(session, activity_id)
    if activity is None:
        raise NotFound("That activity no longer exists, so its checklist is gone.")
    check_may_manage(activity, user_id, is_coordinator=is_coordinator)
    if not activity.is_open:
        raise Conflict(
            f"'{escape(activity.title)}' was cancelled, so its checklist cannot be changed any more."
        )
    if all(item.key != item_key for item in items):
        raise NotFound("That checklist item is no longer on the list. Use /checklist again.")
    await session.execute(
        insert_for(session)(ChecklistTick)
        .values(activity_id=activity_id, item_key=item_key, ticked_by=user_id, ticked_at=now)
        .on_conflict_do_nothing(index_elements=["activity_id", "item_key"])
    )
    return await checklist(session, activity, items)
