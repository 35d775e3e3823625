"""Fair choosing: on an activity whose card says coordinators choose, signing up is an
application (with an optional "why I'd like to"). Coordinators see the applicants with how
often each has taken part, get a fair suggestion (fewest activities this year first, then the
longest since they last took part, then the earliest application), and confirm a choice of up
to the places left. The chosen get confirmed sign-ups; everyone else is thanked.

The cog sends sign-ups for such activities here instead of `signups.sign_up`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, ConsentNeeded, InvalidInput
from bot.services.activities import signups_close_at
from bot.services.activity_lookup import ActivityInfo, to_info
from bot.services.involvement.common import activity_row, clean, year_start
from bot.services.involvement.role_cards import get_card
from db.models import Activity, Application, Attendance, Member, Signup

APPLIED, CHOSEN, NOT_CHOSEN = "applied", "chosen", "not_chosen"
ATTENDED = "attended"
MAX_WHY = 300
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Applicant:
    user_id: int
    display_name: str | None
    why: str | None
    applied_at: datetime
    attended_this_year: int
    last_took_part: datetime | None  # the start of the last activity they attended


@dataclass(frozen=True, slots=True)
class Applicants:
    activity: ActivityInfo
    places: int  # capacity less the places already confirmed
    people: tuple[Applicant, ...]  # still waiting for a decision, in the fair order

    @property
    def suggestion(self) -> tuple[int, ...]:
        """The fair choice: the first `places` applicants."""
        return tuple(person.user_id for person in self.people[: max(self.places, 0)])


@dataclass(frozen=True, slots=True)
class Choice:
    activity: ActivityInfo
    chosen: tuple[int, ...]  # tell them they have a place
    not_chosen: tuple[int, ...]  # thank them


async def chosen_by_coordinators(session: AsyncSession, activity_id: int) -> bool:
    return (await get_card(session, activity_id)).chosen_by_coordinators


async def apply(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    user_id: int,
    why: str | None,
    now: datetime,
) -> ActivityInfo:
    """Record an application; refuses closed, cancelled or first-come activities and repeats."""
    activity = await _open(session, guild_id, activity_id, now)
    if not await chosen_by_coordinators(session, activity_id):
        raise Conflict(
            f"Places on {activity.title} go first come, first served. Use Sign up instead."
        )
    consented = await session.scalar(
        select(Member.id).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    if consented is None:
        raise ConsentNeeded
    reason = clean(why, "Why you would like to take part", MAX_WHY)
    if await _applied(session, activity_id, user_id):
        raise Conflict(f"You have already applied for {activity.title}. We will let you know.")
    try:
        async with session.begin_nested():
            session.add(
                Application(activity_id=activity_id, user_id=user_id, why=reason, applied_at=now)
            )
    except IntegrityError as error:
        raise Conflict(f"You have already applied for {activity.title}.") from error
    return activity


async def withdraw_application(
    session: AsyncSession, guild_id: int, activity_id: int, user_id: int
) -> ActivityInfo:
    """Take back an application not decided yet."""
    row = await activity_row(session, guild_id, activity_id, lock=True)
    application = await _applied(session, activity_id, user_id)
    if application is None or application.status != APPLIED:
        raise Conflict(f"You have no application waiting for {row.title}.")
    await session.delete(application)
    await session.flush()
    return to_info(row)


async def applicant_count(session: AsyncSession, activity_id: int) -> int:
    """How many have applied (for the announcement)."""
    return int(
        await session.scalar(select(func.count()).where(Application.activity_id == activity_id))
        or 0
    )


async def applicants(
    session: AsyncSession, guild_id: int, activity_id: int, now: datetime, zone: tzinfo = UTC
) -> Applicants:
    """Applicants still waiting for a decision, in the fair order, with their history."""
    row = await activity_row(session, guild_id, activity_id)
    return await _applicants(session, row, now, zone)


async def choose(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    user_ids: Sequence[int],
    now: datetime,
) -> Choice:
    """Give places to `user_ids` (applicants); everyone else who applied is not chosen.
    Refuses more people than places, and anyone who did not apply."""
    row = await activity_row(session, guild_id, activity_id, lock=True)
    activity = to_info(row)
    if activity.cancelled:
        raise Conflict(f"{activity.title} was cancelled, so nobody can be chosen for it.")
    wanted = list(dict.fromkeys(user_ids))
    waiting = {
        application.user_id: application
        for application in await session.scalars(
            select(Application).where(
                Application.activity_id == activity_id, Application.status == APPLIED
            )
        )
    }
    strangers = [user_id for user_id in wanted if user_id not in waiting]
    if strangers:
        raise InvalidInput(
            "Some of the people picked have not applied, or were already told. "
            "Pick only from the applicants list."
        )
    places = row.capacity - await _confirmed(session, activity_id)
    if len(wanted) > places:
        raise Conflict(
            f"{activity.title} has {max(places, 0)} places left, and {len(wanted)} people were "
            f"picked. Pick {max(places, 0)} or fewer, or add places first."
        )
    for user_id, application in waiting.items():
        application.status = CHOSEN if user_id in wanted else NOT_CHOSEN
        application.decided_at = now
        if user_id in wanted:
            session.add(Signup(activity_id=activity_id, user_id=user_id, status="confirmed"))
    await session.flush()
    not_chosen = tuple(sorted(user_id for user_id in waiting if user_id not in wanted))
    return Choice(activity, tuple(wanted), not_chosen)


async def _open(
    session: AsyncSession, guild_id: int, activity_id: int, now: datetime
) -> ActivityInfo:
    row = await activity_row(session, guild_id, activity_id, lock=True)
    if row.status != "open":
        raise Conflict(f"{row.title} was cancelled. Try `/activities` for what is coming up.")
    if now >= signups_close_at(row.starts_at, row.signup_deadline):
        raise Conflict(
            f"Applications for {row.title} have closed. Try `/activities` for what is coming up."
        )
    return to_info(row)


async def _applied(session: AsyncSession, activity_id: int, user_id: int) -> Application | None:
    found: Application | None = await session.scalar(
        select(Application).where(
            Application.activity_id == activity_id, Application.user_id == user_id
        )
    )
    return found


async def _confirmed(session: AsyncSession, activity_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                Signup.activity_id == activity_id, Signup.status == "confirmed"
            )
        )
        or 0
    )


async def _applicants(
    session: AsyncSession, row: Activity, now: datetime, zone: tzinfo
) -> Applicants:
    since = year_start(now, zone)
    history = (
        select(
            Attendance.user_id,
            func.count(Activity.id).filter(Activity.starts_at >= since).label("this_year"),
            func.max(Activity.starts_at).label("last"),
        )
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(Attendance.status == ATTENDED, Activity.guild_id == row.guild_id)
        .group_by(Attendance.user_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Application,
            Member.display_name,
            func.coalesce(history.c.this_year, 0),
            history.c["last"],
        )
        .outerjoin(history, history.c.user_id == Application.user_id)
        .outerjoin(
            Member, (Member.user_id == Application.user_id) & (Member.guild_id == row.guild_id)
        )
        .where(Application.activity_id == row.id, Application.status == APPLIED)
    )
    people = [
        Applicant(
            user_id=application.user_id,
            display_name=name,
            why=application.why,
            applied_at=application.applied_at,
            attended_this_year=int(count),
            last_took_part=_aware(last),
        )
        for application, name, count, last in rows
    ]
    people.sort(key=_fair_order)
    places = row.capacity - await _confirmed(session, row.id)
    return Applicants(to_info(row), places, tuple(people))


def _fair_order(person: Applicant) -> tuple[int, datetime, datetime, int]:
    return (
        person.attended_this_year,
        person.last_took_part or _NEVER,
        person.applied_at,
        person.user_id,
    )


def _aware(value: datetime | None) -> datetime | None:
    """max() over a UTCDateTime column comes back naive on SQLite."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
