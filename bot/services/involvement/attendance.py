"""Attendance and hours: after an activity ends its lead (or a coordinator) marks each
confirmed person attended, did not come, or cancelled late. Hours are the activity's duration
plus the card's reading time, rounded up to the quarter hour, and can be changed per person
(0 to 24 hours, in quarter hours). They are stored as whole minutes. Marking again updates the
mark; it never counts anyone twice. On a paid activity marking keeps the fee in step.

After an activity ends the planner queues one prompt to its lead (or each coordinator when it
has none) to mark who came.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotAllowed
from bot.services import outbox, programme
from bot.services.activity_lookup import ActivityInfo, activity_info, to_info
from bot.services.involvement.common import activity_row, year_start
from bot.services.involvement.payments import sync_fee
from bot.services.involvement.role_cards import get_card
from bot.services.involvement.settings import PaymentSettings
from bot.services.outbox import OutboxItem
from db.models import Activity, Attendance, Member, Signup

ATTENDANCE_PROMPT = outbox.OutboxKind.ATTENDANCE_PROMPT
ATTENDED, NO_SHOW, LATE_CANCEL = "attended", "no_show", "late_cancel"
STATUSES = (ATTENDED, NO_SHOW, LATE_CANCEL)
QUARTER = 15
MOST_MINUTES = 24 * 60
PROMPT_WITHIN = timedelta(days=7)  # an activity that ended longer ago is not prompted for


@dataclass(frozen=True, slots=True)
class AttendancePayload(outbox.OutboxPayload):
    """The attendance prompt's payload: when the activity started (a Unix time), so a prompt for
    an activity that moved since is dropped."""

    starts_at: int


@dataclass(frozen=True, slots=True)
class Mark:
    """One person's mark; `minutes` None means the activity's usual hours."""

    user_id: int
    status: str  # attended | no_show | late_cancel
    minutes: int | None = None


@dataclass(frozen=True, slots=True)
class SheetLine:
    user_id: int
    display_name: str | None
    status: str | None  # None: not marked yet
    minutes: int  # what counts (0 unless attended)


@dataclass(frozen=True, slots=True)
class Sheet:
    activity: ActivityInfo
    usual_minutes: int
    people: tuple[SheetLine, ...]

    @property
    def unmarked(self) -> int:
        return sum(line.status is None for line in self.people)


@dataclass(frozen=True, slots=True)
class Marked:
    user_id: int
    status: str
    minutes: int
    owed_pence: int | None  # the fee now owed, on a paid activity


@dataclass(frozen=True, slots=True)
class Hours:
    this_year_minutes: int
    total_minutes: int


@dataclass(frozen=True, slots=True)
class AttendancePrompt:
    activity: ActivityInfo
    unmarked: int


def usual_minutes(duration_minutes: int, reading_minutes: int) -> int:
    """The duration plus reading time, rounded up to a quarter hour, at most 24 hours."""
    total = duration_minutes + reading_minutes
    return min(-(-total // QUARTER) * QUARTER, MOST_MINUTES)


def check_minutes(minutes: int) -> int:
    if not 0 <= minutes <= MOST_MINUTES or minutes % QUARTER:
        raise InvalidInput(
            "Hours must be from 0 to 24, in quarter hours (like 1.25 for an hour and a "
            "quarter). Please change it and try again."
        )
    return minutes


def refuse_unless_may_mark(
    activity: ActivityInfo, by_user_id: int, is_coordinator: bool, now: datetime
) -> None:
    if not is_coordinator and activity.lead_user_id != by_user_id:
        raise NotAllowed(f"Only the lead of {activity.title} or a coordinator can mark who came.")
    if activity.cancelled:
        raise Conflict(f"{activity.title} was cancelled, so there is nobody to mark.")
    if now < activity.ends_at:
        raise Conflict(
            f"{activity.title} has not ended yet. You can mark who came once it is over."
        )


async def sheet(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    *,
    by_user_id: int,
    is_coordinator: bool,
    now: datetime,
) -> Sheet:
    """Everyone confirmed (or already marked), with their mark so far and the usual hours."""
    row = await activity_row(session, guild_id, activity_id)
    info = to_info(row)
    refuse_unless_may_mark(info, by_user_id, is_coordinator, now)
    return await _sheet(session, row)


async def mark(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    marks: Sequence[Mark],
    *,
    by_user_id: int,
    is_coordinator: bool,
    now: datetime,
    settings: PaymentSettings,
    zone: ZoneInfo | None = None,
) -> list[Marked]:
    """Record marks (a second mark for someone replaces the first) and keep fees in step.
    Refuses people who were not confirmed for the activity. At a training activity, everyone
    marked attended holds the module it teaches, from its day in `zone` (the community's time
    zone; UTC if not given): `bot.services.programme.record_from_attendance`."""
    row = await activity_row(session, guild_id, activity_id, lock=True)
    info = to_info(row)
    refuse_unless_may_mark(info, by_user_id, is_coordinator, now)
    card = await get_card(session, activity_id)
    usual = usual_minutes(row.duration_minutes, card.reading_minutes)
    rate = settings.rate(card.payment_rate)
    existing = {
        found.user_id: found
        for found in await session.scalars(
            select(Attendance).where(Attendance.activity_id == activity_id).with_for_update()
        )
    }
    confirmed = set(
        await session.scalars(
            select(Signup.user_id).where(
                Signup.activity_id == activity_id, Signup.status == "confirmed"
            )
        )
    )
    for entry in marks:
        if entry.status not in STATUSES:
            raise InvalidInput("Mark each person attended, did not come, or cancelled late.")
        if entry.user_id not in confirmed and entry.user_id not in existing:
            raise InvalidInput(
                "Someone picked did not have a place on this activity. Pick from the list."
            )
        if entry.minutes is not None:
            check_minutes(entry.minutes)
    done = []
    for entry in {entry.user_id: entry for entry in marks}.values():
        minutes = (
            (usual if entry.minutes is None else entry.minutes) if entry.status == ATTENDED else 0
        )
        owed = await sync_fee(
            session,
            row,
            entry.user_id,
            attended=entry.status == ATTENDED,
            minutes=minutes,
            rate=rate,
            now=now,
        )
        record = existing.get(entry.user_id)
        if record is None:
            record = Attendance(activity_id=activity_id, user_id=entry.user_id)
            session.add(record)
            existing[entry.user_id] = record
        record.status, record.minutes = entry.status, minutes
        record.marked_by, record.marked_at = by_user_id, now
        done.append(Marked(entry.user_id, entry.status, minutes, owed))
    await session.flush()
    came = [marked.user_id for marked in done if marked.status == ATTENDED]
    if came and row.teaches is not None:
        await programme.record_from_attendance(
            session, activity_id, came, now, zone=zone or ZoneInfo("UTC"), recorded_by=by_user_id
        )
    return done


async def hours_of(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime, zone: tzinfo = UTC
) -> Hours:
    """The person's counted minutes this (calendar) year and in total, for `/mine`."""
    since = year_start(now, zone)
    total, this_year = (
        await session.execute(
            select(
                func.coalesce(func.sum(Attendance.minutes), 0),
                func.coalesce(func.sum(Attendance.minutes).filter(Activity.starts_at >= since), 0),
            )
            .join(Activity, Activity.id == Attendance.activity_id)
            .where(
                Activity.guild_id == guild_id,
                Attendance.user_id == user_id,
                Attendance.status == ATTENDED,
            )
        )
    ).one()
    return Hours(this_year_minutes=int(this_year), total_minutes=int(total))


def hours_words(minutes: int) -> str:
    """540 -> "9 hours", 75 -> "1.25 hours"."""
    hours, rest = divmod(minutes, 60)
    if not rest:
        return f"{hours} hour" + ("" if hours == 1 else "s")
    return f"{hours}.{rest * 100 // 60:02d}".rstrip("0") + " hours"


# -- the prompt to the lead ------------------------------------------------------------------


async def plan_attendance_prompts(
    session: AsyncSession, *, now: datetime, coordinators: Mapping[int, Sequence[int]]
) -> int:
    """Queue a prompt to mark who came for each activity that ended in the last week with
    confirmed people and nobody marked yet; to the lead, or to each of the guild's
    `coordinators` when there is no lead. Returns how many were queued."""
    longest = timedelta(hours=24)  # an activity lasts at most a day
    rows = await session.execute(
        select(Activity)
        .where(
            Activity.status == "open",
            Activity.starts_at <= now,
            Activity.starts_at >= now - PROMPT_WITHIN - longest,
            select(Signup.id)
            .where(Signup.activity_id == Activity.id, Signup.status == "confirmed")
            .exists(),
            ~select(Attendance.id).where(Attendance.activity_id == Activity.id).exists(),
        )
        .order_by(Activity.id)
    )
    queued = 0
    for (activity,) in rows:
        info = to_info(activity)
        if not now - PROMPT_WITHIN <= info.ends_at <= now:
            continue
        people = (
            (activity.lead_user_id,)
            if activity.lead_user_id
            else coordinators.get(activity.guild_id, ())
        )
        stamp = int(info.starts_at.timestamp())
        for user_id in people:
            queued += await outbox.enqueue(
                session,
                guild_id=info.guild_id,
                kind=ATTENDANCE_PROMPT,
                dedupe_key=f"{ATTENDANCE_PROMPT}:{info.id}:{user_id}:{stamp}",
                due_at=info.ends_at,
                user_id=user_id,
                activity_id=info.id,
                payload=AttendancePayload(stamp),
            )
    return queued


async def attendance_prompt_to_send(
    session: AsyncSession, item: OutboxItem
) -> AttendancePrompt | None:
    """What the prompt should say, or None when it no longer fits (cancelled, moved, or
    everyone is marked)."""
    info = await activity_info(session, item.activity_id or 0)
    if info is None or info.cancelled:
        return None
    if int(info.starts_at.timestamp()) != item.payload_as(AttendancePayload).starts_at:
        return None
    row = await activity_row(session, info.guild_id, info.id)
    unmarked = (await _sheet(session, row)).unmarked
    return AttendancePrompt(info, unmarked) if unmarked else None


async def _sheet(session: AsyncSession, row: Activity) -> Sheet:
    card = await get_card(session, row.id)
    marks = {
        found.user_id: found
        for found in await session.scalars(
            select(Attendance).where(Attendance.activity_id == row.id)
        )
    }
    confirmed = list(
        await session.scalars(
            select(Signup.user_id)
            .where(Signup.activity_id == row.id, Signup.status == "confirmed")
            .order_by(Signup.id)
        )
    )
    people = list(dict.fromkeys([*confirmed, *marks]))
    found = await session.execute(
        select(Member.user_id, Member.display_name).where(
            Member.guild_id == row.guild_id, Member.user_id.in_(people)
        )
    )
    names: dict[int, str | None] = dict(found.all())
    lines = tuple(
        SheetLine(
            user_id=user_id,
            display_name=names.get(user_id),
            status=marks[user_id].status if user_id in marks else None,
            minutes=marks[user_id].minutes if user_id in marks else 0,
        )
        for user_id in people
    )
    return Sheet(to_info(row), usual_minutes(row.duration_minutes, card.reading_minutes), lines)
