"""Sign-ups: places, a first-come waitlist and promotion, all decided under the activity's lock.

Every change starts by locking the activity row (`SELECT ... FOR UPDATE` on PostgreSQL;
BEGIN IMMEDIATE on SQLite), so counting places and taking one cannot interleave. The
waitlist order is the sign-up id, assigned while the lock is held: arrival order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, ScalarSelect, Table, bindparam, case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, ConsentNeeded
from bot.services import activities, outbox, programme
from bot.services.activities import ActivityView
from bot.services.outbox import OutboxKind
from bot.services.spreadsheet import csv_text
from db.models import Activity, Member, Signup

PROMOTED = OutboxKind.SIGNUP_PROMOTED
CONFIRMED, WAITING = "confirmed", "waiting"
ACTIVITIES = cast(Table, Activity.__table__)
SIGNUPS = cast(Table, Signup.__table__)
MEMBERS = cast(Table, Member.__table__)

# The sign-up hot path's statements, built once: building them per call cost more than
# running them (bench/signups.py).
# The version of the notice the person agreed to (None: they have not agreed).
CONSENTED = (
    select(MEMBERS.c.consent_version)
    .where(MEMBERS.c.guild_id == ACTIVITIES.c.guild_id, MEMBERS.c.user_id == bindparam("user_id"))
    .scalar_subquery()
    .label("consented")
)
LOCK_ACTIVITY = (
    select(ACTIVITIES, CONSENTED)
    .where(ACTIVITIES.c.id == bindparam("activity_id"))
    .with_for_update(of=ACTIVITIES)
)
PLACES_AND_MINE = select(
    func.count(case((SIGNUPS.c.status == CONFIRMED, 1))),
    func.count(case((SIGNUPS.c.status == WAITING, 1))),
    func.max(case((SIGNUPS.c.user_id == bindparam("user_id"), SIGNUPS.c.status))),
).where(SIGNUPS.c.activity_id == bindparam("activity_id"))
INSERT_SIGNUP = SIGNUPS.insert()


def _count_of(status: str) -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(SIGNUPS.c.activity_id == ACTIVITIES.c.id, SIGNUPS.c.status == status)
        .scalar_subquery()
    )


# SQLite only: BEGIN IMMEDIATE already holds the write lock, so the activity and its places can
# be read in one statement (a third fewer round trips to the database thread). On PostgreSQL a
# count inside the locking statement would use a snapshot from before the lock was granted and
# miss the previous holder's sign-up, so there it is lock, then count.
ACTIVITY_AND_PLACES = select(
    ACTIVITIES,
    CONSENTED,
    _count_of(CONFIRMED).label("confirmed"),
    _count_of(WAITING).label("waiting"),
    select(SIGNUPS.c.status)
    .where(SIGNUPS.c.activity_id == ACTIVITIES.c.id, SIGNUPS.c.user_id == bindparam("user_id"))
    .scalar_subquery()
    .label("mine"),
).where(ACTIVITIES.c.id == bindparam("activity_id"))


@dataclass(frozen=True, slots=True)
class SignupResult:
    activity: ActivityView
    status: str
    position: int | None  # on the waitlist, from 1; None with a place


@dataclass(frozen=True, slots=True)
class WithdrawResult:
    activity: ActivityView
    had_place: bool
    promoted_user_id: int | None


@dataclass(frozen=True, slots=True)
class MySignup:
    activity: ActivityView
    status: str
    position: int | None


@dataclass(frozen=True, slots=True)
class Attendee:
    user_id: int
    display_name: str | None
    adjustments: str | None
    status: str
    position: int | None
    signed_up_at: datetime
    left: bool = False  # they have left the server


@dataclass(frozen=True, slots=True)
class Attendees:
    activity: ActivityView
    confirmed: list[Attendee]
    waiting: list[Attendee]


async def sign_up(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    user_id: int,
    now: datetime,
    *,
    by_coordinator: bool = False,
    notice_version: str | None = None,
) -> SignupResult:
    """A place if one is free, else the end of the waitlist. This is the hot path, so it is a
    few prebuilt Core statements: lock the activity row and count its places (see
    `_lock_with_places`), then insert. An activity for one group, or that needs a training,
    refuses others unless a coordinator adds them by hand (`by_coordinator`). With
    `notice_version`, an agreement to an older notice asks them again (`ConsentNeeded`)."""
    found, (confirmed, waiting, mine) = await _lock_with_places(session, activity_id, user_id)
    activity = activities.refuse_unless_open(found, guild_id, activity_id)
    if now >= activities.signups_close_at(activity.starts_at, activity.signup_deadline):
        raise Conflict(
            f"Sign-ups for {activity.title} have closed. Try `/activities` for what is coming up."
        )
    if activity.consented is None or (  # nothing is stored for someone who has not agreed
        notice_version is not None and activity.consented != notice_version
    ):  # (or who agreed to an older notice: they are asked again first)
        raise ConsentNeeded
    if mine is not None:
        raise await _already(session, activity, user_id, mine)
    if not by_coordinator and programme.is_gated(activity):
        await programme.check_signup(session, activity, user_id, now)
    status = CONFIRMED if confirmed < activity.capacity else WAITING
    try:
        await session.execute(
            INSERT_SIGNUP,
            {"activity_id": activity.id, "user_id": user_id, "status": status, "created_at": now},
        )
    except IntegrityError as error:  # the same person twice at once, past the lock somehow
        raise Conflict(f"You are already signed up for {activity.title}.") from error
    if status == CONFIRMED:
        return SignupResult(activities.to_view(activity, confirmed + 1, waiting), status, None)
    return SignupResult(activities.to_view(activity, confirmed, waiting + 1), status, waiting + 1)


async def _lock_with_places(
    session: AsyncSession, activity_id: int, user_id: int
) -> tuple[Row[Any] | None, tuple[int, int, str | None]]:
    """The locked activity row, and (confirmed, waiting, this person's status)."""
    params = {"activity_id": activity_id, "user_id": user_id}
    if session.get_bind().dialect.name == "sqlite":
        row = (await session.execute(ACTIVITY_AND_PLACES, params)).one_or_none()
        return row, ((row.confirmed, row.waiting, row.mine) if row else (0, 0, None))
    row = (await session.execute(LOCK_ACTIVITY, params)).one_or_none()
    confirmed, waiting, mine = (await session.execute(PLACES_AND_MINE, params)).one()
    return row, (confirmed, waiting, mine)


async def withdraw(
    session: AsyncSession, guild_id: int, activity_id: int, user_id: int, now: datetime
) -> WithdrawResult:
    activity = await activities.lock_open(session, guild_id, activity_id)
    status = await _status(session, activity.id, user_id)
    if status is None:
        raise Conflict(
            f"You are not signed up for {activity.title}, so there is nothing to withdraw from."
        )
    if now >= activity.starts_at:
        raise Conflict(
            f"{activity.title} has already started, so it is too late to withdraw here. "
            "If you cannot be there, please tell a coordinator."
        )
    await _remove(session, activity.id, user_id)
    promoted = await _promote(session, activity, now) if status == CONFIRMED else []
    return WithdrawResult(
        await activities.view_of(session, activity),
        had_place=status == CONFIRMED,
        promoted_user_id=promoted[0] if promoted else None,
    )


async def fill_free_places(
    session: AsyncSession, guild_id: int, activity_id: int, now: datetime
) -> list[int]:
    """Give free places (after the capacity went up) to the people waiting longest."""
    activity = await activities.lock_open(session, guild_id, activity_id)
    return await _promote(session, activity, now)


async def withdraw_everywhere(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    now: datetime,
    *,
    upcoming_only: bool = False,
) -> int:
    """For `/mydata delete`: give up every place the person holds, passing each one on to the
    next person waiting (who is told), and refresh the announcements. Returns how many.
    `upcoming_only` (someone left the server) keeps the record of what they took part in."""
    query = (
        select(Signup.activity_id)
        .join(Activity)
        .where(Activity.guild_id == guild_id, Signup.user_id == user_id)
        .order_by(Signup.activity_id)
    )
    if upcoming_only:
        query = query.where(Activity.starts_at > now)
    activity_ids = list(await session.scalars(query))
    for activity_id in activity_ids:
        activity = await session.scalar(
            select(Activity).where(Activity.id == activity_id).with_for_update()
        )
        assert activity is not None
        status = await _status(session, activity_id, user_id)
        await _remove(session, activity_id, user_id)
        if activity.status == "open" and activity.starts_at > now:
            if status == CONFIRMED:
                await _promote(session, activity, now)
            await activities.queue_announcement_refresh(session, activity, now)
    return len(activity_ids)


async def status_of(session: AsyncSession, activity_id: int, user_id: int) -> str | None:
    return await _status(session, activity_id, user_id)


async def my_signups(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> list[MySignup]:
    """The person's places and waitlist positions for activities still to come, soonest first."""
    rows = list(
        await session.execute(
            select(Activity, Signup.id, Signup.status)
            .join(Signup)
            .where(
                Activity.guild_id == guild_id,
                Activity.status == "open",
                Activity.starts_at > now,
                Signup.user_id == user_id,
            )
            .order_by(Activity.starts_at, Activity.id)
        )
    )
    found = []
    for activity, signup_id, status in rows:
        position = await _position(session, activity.id, signup_id) if status == WAITING else None
        found.append(MySignup(await activities.view_of(session, activity), status, position))
    return found


async def attendees(session: AsyncSession, guild_id: int, activity_id: int) -> Attendees:
    """Who has a place and who is waiting, in order, with what helps them take part."""
    view = await activities.get_activity(session, guild_id, activity_id)
    rows = await session.execute(
        select(Signup, Member.display_name, Member.adjustments, Member.left_at)
        .outerjoin(Member, (Member.guild_id == guild_id) & (Member.user_id == Signup.user_id))
        .where(Signup.activity_id == activity_id)
        .order_by(Signup.id)
    )
    confirmed: list[Attendee] = []
    waiting: list[Attendee] = []
    for signup, name, adjustments, left_at in rows:
        group = confirmed if signup.status == CONFIRMED else waiting
        position = len(waiting) + 1 if signup.status == WAITING else None
        group.append(
            Attendee(
                signup.user_id,
                name,
                adjustments,
                signup.status,
                position,
                signup.created_at,
                left_at is not None,
            )
        )
    return Attendees(view, confirmed, waiting)


def attendees_csv(found: Attendees) -> str:
    """Everyone with a place, then the waiting list; text cells cannot run as formulas."""
    return csv_text(
        ["status", "waitlist_position", "discord_id", "name", "adjustments", "signed_up_utc"],
        (
            [
                person.status,
                person.position or "",
                person.user_id,
                person.display_name,
                person.adjustments,
                f"{person.signed_up_at:%Y-%m-%d %H:%M}",
            ]
            for person in [*found.confirmed, *found.waiting]
        ),
    )


async def _promote(session: AsyncSession, activity: Activity, now: datetime) -> list[int]:
    """Move the longest-waiting people into free places and queue their good news."""
    if activity.status != "open" or now >= activity.starts_at:
        return []
    confirmed, _ = await activities.counts(session, activity.id)
    free = activity.capacity - confirmed
    if free <= 0:
        return []
    chosen = list(
        await session.scalars(
            select(Signup)
            .where(Signup.activity_id == activity.id, Signup.status == WAITING)
            .order_by(Signup.id)
            .limit(free)
        )
    )
    for signup in chosen:
        signup.status = CONFIRMED
        await outbox.enqueue(
            session,
            guild_id=activity.guild_id,
            kind=PROMOTED,
            user_id=signup.user_id,
            activity_id=activity.id,
            due_at=now,
            dedupe_key=f"{PROMOTED}:{activity.id}:{signup.id}",
        )
    await session.flush()
    return [signup.user_id for signup in chosen]


async def _already(
    session: AsyncSession, activity: Row[Any], user_id: int, status: str
) -> Conflict:
    if status == CONFIRMED:
        return Conflict(f"You already have a place at {activity.title}. Nothing else to do.")
    signup_id = await session.scalar(
        select(Signup.id).where(Signup.activity_id == activity.id, Signup.user_id == user_id)
    )
    assert signup_id is not None
    position = await _position(session, activity.id, signup_id)
    return Conflict(
        f"You are already on the waiting list for {activity.title}, at number {position}. "
        "If a place comes up, it is yours and we will tell you."
    )


async def _position(session: AsyncSession, activity_id: int, signup_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                Signup.activity_id == activity_id,
                Signup.status == WAITING,
                Signup.id <= signup_id,
            )
        )
        or 0
    )


async def _status(session: AsyncSession, activity_id: int, user_id: int) -> str | None:
    return await session.scalar(
        select(Signup.status).where(Signup.activity_id == activity_id, Signup.user_id == user_id)
    )


async def _remove(session: AsyncSession, activity_id: int, user_id: int) -> None:
    await session.execute(
        delete(Signup).where(Signup.activity_id == activity_id, Signup.user_id == user_id)
    )
