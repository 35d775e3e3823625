"""Activities: create, edit, cancel, list. Sign-up rules live in `bot.services.signups`; finding
an activity by what was typed lives in `bot.services.activity_lookup`."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotFound
from bot.services import outbox
from bot.services.activity_lookup import UPCOMING, ActivityInfo, get_row, not_found, qualifying
from bot.services.outbox import OutboxKind
from bot.services.text import clean, escape
from bot.services.vocabulary import ACTIVITY_KINDS as KINDS
from db.models import Activity, Signup

MAX_TITLE = 100
MAX_CAPACITY = 500
MAX_DURATION = 24 * 60
MAX_PLACE = 200
MAX_DESCRIPTION = 2000
MAX_REASON = 500
CHANGED = OutboxKind.ACTIVITY_CHANGED
CANCELLED = OutboxKind.ACTIVITY_CANCELLED
RowT = TypeVar("RowT", Activity, Row[Any])
# Every announcement edit that no interaction is waiting for (after an erasure) goes this way.
REFRESH = OutboxKind.ACTIVITY_REFRESH


@dataclass(frozen=True, slots=True)
class ChangedPayload(outbox.OutboxPayload):
    """ "Your activity changed": when it was changed (each change is its own message)."""

    at: datetime


@dataclass(frozen=True, slots=True)
class ActivityView(ActivityInfo):
    """The activity with its sign-ups and announcement, as the activities capability shows it."""

    capacity: int
    description: str | None
    cancel_reason: str | None
    signup_deadline: datetime | None
    confirmed: int
    waiting: int
    announcement_channel_id: int | None
    announcement_message_id: int | None
    scheduled_event_id: int | None

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


def signups_close_at(starts_at: datetime, deadline: datetime | None) -> datetime:
    """Sign-ups close at the deadline if one is set, and at the latest when the activity starts."""
    return min(deadline or starts_at, starts_at)


_COPIED = [
    field.name for field in fields(ActivityView) if field.name not in ("confirmed", "waiting")
]


@dataclass(frozen=True, slots=True)
class ActivityDraft:
    title: str
    kind: str
    starts_at: datetime
    capacity: int
    duration_minutes: int = 60
    place: str | None = None
    description: str | None = None
    lead_user_id: int | None = None
    signup_deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActivityChanges:
    """Only the fields given change; None means 'leave as it is'."""

    title: str | None = None
    starts_at: datetime | None = None
    capacity: int | None = None
    place: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class EditResult:
    activity: ActivityView
    told: int  # people told of a new time or place


@dataclass(frozen=True, slots=True)
class CancelResult:
    activity: ActivityView
    told: int


def check_draft(draft: ActivityDraft, now: datetime) -> ActivityDraft:
    """Refuse bad input before anything is written; returns the draft with its text cleaned
    (`bot.services.text.clean`)."""
    title = _title(draft.title)
    place, description = _place(draft.place), _description(draft.description)
    if draft.kind not in KINDS:
        raise InvalidInput(f"The kind must be one of: {', '.join(KINDS)}.")
    _check_future(draft.starts_at, now)
    _check_capacity(draft.capacity)
    if not 1 <= draft.duration_minutes <= MAX_DURATION:
        raise InvalidInput(
            "The duration is in minutes and must be between 1 and 1440 (24 hours). "
            "For example 90 for an hour and a half."
        )
    return replace(draft, title=title, place=place, description=description)


async def create_activity(
    session: AsyncSession, guild_id: int, draft: ActivityDraft, now: datetime
) -> ActivityView:
    draft = check_draft(draft, now)
    activity = Activity(
        guild_id=guild_id,
        title=draft.title,
        kind=draft.kind,
        starts_at=draft.starts_at,
        duration_minutes=draft.duration_minutes,
        capacity=draft.capacity,
        place=draft.place,
        description=draft.description,
        lead_user_id=draft.lead_user_id,
        signup_deadline=draft.signup_deadline,
        status="open",
        created_at=now,
    )
    session.add(activity)
    await session.flush()
    return to_view(activity, 0, 0)


async def discard(session: AsyncSession, activity_id: int) -> None:
    """Undo a creation whose announcement could not be posted."""
    activity = await session.get(Activity, activity_id)
    if activity is not None:
        await session.delete(activity)


async def record_announcement(
    session: AsyncSession, activity_id: int, channel_id: int, message_id: int
) -> None:
    activity = await get_row(session, activity_id)
    activity.announcement_channel_id, activity.announcement_message_id = channel_id, message_id


async def record_scheduled_event(
    session: AsyncSession, activity_id: int, event_id: int | None
) -> None:
    (await get_row(session, activity_id)).scheduled_event_id = event_id


async def edit_activity(
    session: AsyncSession, guild_id: int, activity_id: int, changes: ActivityChanges, now: datetime
) -> EditResult:
    """Change what was given. The caller fills places freed by a higher capacity
    (`signups.fill_free_places`) in the same transaction."""
    title = None if changes.title is None else _title(changes.title)
    if changes.starts_at is not None:
        _check_future(changes.starts_at, now)
    if changes.capacity is not None:
        _check_capacity(changes.capacity)
    place, description = _place(changes.place), _description(changes.description)
    activity = await lock_open(session, guild_id, activity_id)
    if title is not None:
        activity.title = title
    moved = changes.starts_at is not None and changes.starts_at != activity.starts_at
    relocated = changes.place is not None and place != activity.place
    if changes.starts_at is not None:
        activity.starts_at = changes.starts_at
    if changes.place is not None:
        activity.place = place
    if changes.description is not None:
        activity.description = description
    if changes.capacity is not None:
        await _set_capacity(session, activity, changes.capacity)
    told = 0
    if moved or relocated:
        told = await _tell_everyone(session, activity, CHANGED, now, ChangedPayload(now))
    return EditResult(await view_of(session, activity), told)


async def cancel_activity(
    session: AsyncSession, guild_id: int, activity_id: int, reason: str | None, now: datetime
) -> CancelResult:
    cleaned = _optional(reason, "reason", MAX_REASON, multiline=True)
    activity = await lock_open(session, guild_id, activity_id)
    activity.status = "cancelled"
    activity.cancel_reason = cleaned
    told = await _tell_everyone(session, activity, CANCELLED, now, None)
    return CancelResult(await view_of(session, activity), told)


async def get_activity(session: AsyncSession, guild_id: int, activity_id: int) -> ActivityView:
    return await view_of(session, await get_row(session, activity_id, guild_id))


async def view_by_id(session: AsyncSession, activity_id: int) -> ActivityView | None:
    activity = await session.get(Activity, activity_id)
    return None if activity is None else await view_of(session, activity)


async def upcoming_page(
    session: AsyncSession, guild_id: int, now: datetime, kind: str | None, page: int, size: int
) -> tuple[list[ActivityView], int]:
    """One page of open activities not started yet (soonest first) and the number of pages."""
    query = qualifying(guild_id, now, UPCOMING)
    if kind is not None:
        query = query.where(Activity.kind == kind)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max((total + size - 1) // size, 1)
    page = min(max(page, 0), pages - 1)
    rows = list(await session.scalars(query.offset(page * size).limit(size)))
    return await _views(session, rows), pages


async def lock_open(session: AsyncSession, guild_id: int, activity_id: int) -> Activity:
    """The activity's row, locked until the transaction ends; refuses unknown or cancelled ones."""
    activity = await session.scalar(
        select(Activity).where(Activity.id == activity_id).with_for_update()
    )
    return refuse_unless_open(activity, guild_id, activity_id)


def refuse_unless_open(found: RowT | None, guild_id: int, activity_id: int) -> RowT:
    """`found` (an Activity or a row of its columns), if it is this community's and not cancelled."""
    if found is None or found.guild_id != guild_id:
        raise NotFound(not_found(str(activity_id)))
    if found.status == "cancelled":
        raise Conflict(
            f"{escape(found.title)} was cancelled. Try `/activities` to see what is coming up."
        )
    return found


async def counts(session: AsyncSession, activity_id: int) -> tuple[int, int]:
    """(confirmed, waiting) for one activity."""
    row = (
        await session.execute(
            select(
                func.count(case((Signup.status == "confirmed", 1))),
                func.count(case((Signup.status == "waiting", 1))),
            ).where(Signup.activity_id == activity_id)
        )
    ).one()
    return int(row[0]), int(row[1])


async def view_of(session: AsyncSession, activity: Activity) -> ActivityView:
    return to_view(activity, *await counts(session, activity.id))


def to_view(activity: Activity | Row[Any], confirmed: int, waiting: int) -> ActivityView:
    """The view of an Activity, or of a row of its columns, with its counts."""
    copied = {name: getattr(activity, name) for name in _COPIED}
    return ActivityView(**copied, confirmed=confirmed, waiting=waiting)


async def queue_announcement_refresh(
    session: AsyncSession, activity: Activity, now: datetime
) -> None:
    """Ask the dispatcher to bring the announcement up to date (used where no interaction does)."""
    await outbox.enqueue(
        session,
        guild_id=activity.guild_id,
        kind=REFRESH,
        activity_id=activity.id,
        due_at=now,
        dedupe_key=f"{REFRESH}:{activity.id}:{now.isoformat()}",
    )


async def _tell_everyone(
    session: AsyncSession,
    activity: Activity,
    kind: OutboxKind,
    now: datetime,
    payload: outbox.OutboxPayload | None,
) -> int:
    """Queue a message for everyone signed up or waiting; keys carry no Discord ids."""
    signups = list(
        await session.execute(
            select(Signup.id, Signup.user_id).where(Signup.activity_id == activity.id)
        )
    )
    for signup_id, user_id in signups:
        await outbox.enqueue(
            session,
            guild_id=activity.guild_id,
            kind=kind,
            user_id=user_id,
            activity_id=activity.id,
            due_at=now,
            dedupe_key=f"{kind}:{activity.id}:{signup_id}:{now.isoformat()}",
            payload=payload,
        )
    return len(signups)


async def _set_capacity(session: AsyncSession, activity: Activity, capacity: int) -> None:
    confirmed, _ = await counts(session, activity.id)
    if capacity < confirmed:
        raise Conflict(
            f"{confirmed} people already have a place, so the capacity cannot go below {confirmed}. "
            "Nothing was changed."
        )
    activity.capacity = capacity


async def _views(session: AsyncSession, activities: list[Activity]) -> list[ActivityView]:
    if not activities:
        return []
    rows = await session.execute(
        select(
            Signup.activity_id,
            func.count(case((Signup.status == "confirmed", 1))),
            func.count(case((Signup.status == "waiting", 1))),
        )
        .where(Signup.activity_id.in_([a.id for a in activities]))
        .group_by(Signup.activity_id)
    )
    by_id = {activity_id: (int(c), int(w)) for activity_id, c, w in rows}
    return [to_view(a, *by_id.get(a.id, (0, 0))) for a in activities]


def _title(title: str) -> str:
    return clean(title, field="title", max_length=MAX_TITLE)


def _place(place: str | None) -> str | None:
    return _optional(place, "place", MAX_PLACE)


def _description(description: str | None) -> str | None:
    return _optional(description, "description", MAX_DESCRIPTION, multiline=True)


def _optional(value: str | None, field: str, most: int, *, multiline: bool = False) -> str | None:
    """The cleaned text, or None when it was not given or is blank."""
    if value is None:
        return None
    return clean(value, field=field, max_length=most, required=False, multiline=multiline) or None


def _check_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise InvalidInput("That time has already passed. Pick a time in the future.")


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            f"The number of places must be between 1 and {MAX_CAPACITY}. Nothing was saved."
        )
