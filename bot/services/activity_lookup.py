"""Finding an activity, for every capability: the read model (`ActivityInfo`), the search behind
an `activity` option's autocomplete, and the resolver of what was typed in it. Which activities
qualify is a `Scope`: `UPCOMING` (open, not started), `RECENT` (open, upcoming or ended in the
last 30 days) or `STARTED` (started and not cancelled)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotFound
from bot.services.ids import is_id, looks_numeric, parse_id
from bot.services.text import excerpt, tidy
from db.models import Activity

RECENT_DAYS = 30


@dataclass(frozen=True, slots=True)
class ActivityInfo:
    """An activity as other capabilities see it (`activities.ActivityView` adds sign-ups)."""

    id: int
    guild_id: int
    title: str
    kind: str
    starts_at: datetime
    duration_minutes: int
    place: str | None
    lead_user_id: int | None
    status: str  # open | cancelled

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


_INFO_FIELDS = [field.name for field in fields(ActivityInfo)]


@dataclass(frozen=True, slots=True)
class Scope:
    """Which activities an `activity` option offers and accepts by title, in which order, and
    how its refusals name them."""

    conditions: Callable[[datetime], tuple[ColumnElement[bool], ...]]
    newest_first: bool
    noun: str  # "More than one <noun> is called ..."
    hint: str  # ends "Start typing its name and pick it from the list<hint>."


UPCOMING = Scope(
    lambda now: (Activity.status == "open", Activity.starts_at > now),
    newest_first=False,
    noun="open activity",
    hint=", or try `/activities`",
)
RECENT = Scope(
    lambda now: (
        Activity.status == "open",
        Activity.starts_at >= now - timedelta(days=RECENT_DAYS),
    ),
    newest_first=False,
    noun="open activity",
    hint="",
)
STARTED = Scope(
    lambda now: (Activity.status != "cancelled", Activity.starts_at <= now),
    newest_first=True,
    noun="activity",
    hint="",
)


def to_info(activity: Activity | Row[Any]) -> ActivityInfo:
    """The info of an Activity, or of a row of its columns."""
    return ActivityInfo(**{name: getattr(activity, name) for name in _INFO_FIELDS})


def qualifying(guild_id: int, now: datetime, scope: Scope) -> Select[Activity]:
    """This community's activities in `scope`, in the scope's order."""
    if scope.newest_first:
        order = (Activity.starts_at.desc(), Activity.id.desc())
    else:
        order = (Activity.starts_at.asc(), Activity.id.asc())
    return (
        select(Activity)
        .where(Activity.guild_id == guild_id, *scope.conditions(now))
        .order_by(*order)
    )


async def search(
    session: AsyncSession,
    guild_id: int,
    typed: str,
    now: datetime,
    scope: Scope = UPCOMING,
    limit: int = 25,
) -> list[ActivityInfo]:
    """Activities in `scope` whose title contains `typed` (any case), for autocomplete. `%` and
    `_` match themselves (`autoescape` adds an ESCAPE clause, on SQLite and PostgreSQL)."""
    query = qualifying(guild_id, now, scope).limit(limit)
    needle = tidy(typed).lower()
    if needle:
        query = query.where(func.lower(Activity.title).contains(needle, autoescape=True))
    return [to_info(row) for row in await session.scalars(query)]


async def resolve(
    session: AsyncSession, guild_id: int, typed: str, now: datetime, scope: Scope = UPCOMING
) -> ActivityInfo:
    """What was given in an `activity` option: the id picked from the list (any activity of
    this community), else the one activity in `scope` called `typed`, else the only one in
    `scope` whose title contains it. A number too big to be an id is refused in plain words."""
    text = tidy(typed)
    if looks_numeric(text) and not is_id(text):
        parse_id(text)  # raises the plain refusal
    if is_id(text):
        found = await session.get(Activity, int(text))
        if found is not None and found.guild_id == guild_id:
            return to_info(found)
    called = func.lower(Activity.title) == text.lower()
    matches = list(await session.scalars(qualifying(guild_id, now, scope).where(called).limit(2)))
    if len(matches) > 1:
        raise InvalidInput(
            f"More than one {scope.noun} is called '{excerpt(text)}'. Pick the one you mean from the list."
        )
    if matches:
        return to_info(matches[0])
    partly = await search(session, guild_id, text, now, scope, limit=2) if text else []
    if len(partly) == 1:
        return partly[0]
    raise NotFound(not_found(text, scope))


async def activity_info(session: AsyncSession, activity_id: int) -> ActivityInfo | None:
    """The activity with this id in any community (for jobs), or None."""
    activity = await session.get(Activity, activity_id)
    return None if activity is None else to_info(activity)


async def get_info(
    session: AsyncSession, activity_id: int, guild_id: int | None = None
) -> ActivityInfo:
    return to_info(await get_row(session, activity_id, guild_id))


async def get_row(session: AsyncSession, activity_id: int, guild_id: int | None = None) -> Activity:
    """The activity's row; refuses an unknown id (or one of another community, given one)."""
    activity = await session.get(Activity, activity_id)
    if activity is None or (guild_id is not None and activity.guild_id != guild_id):
        raise NotFound(not_found(str(activity_id)))
    return activity


def not_found(typed: str, scope: Scope = UPCOMING) -> str:
    return (
        f"I could not find an activity matching '{excerpt(typed)}'. "
        f"Start typing its name and pick it from the list{scope.hint}."
    )
