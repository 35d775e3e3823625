"""The buddy programme's rules: joining and leaving, weekly pairing, check-ins, ending pairs.

Messages owed to people go through the outbox in the same transaction as the change. Their
dedupe keys start with `buddy:<pair id>:` so a pair's pending messages can be withdrawn when it
ends, and no Discord id is ever written into a key or a payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotFound
from bot.services import matching, outbox
from db.models import BotState, BuddyEnrolment, BuddyPair, Member, OutboxMessage

ROLES = ("buddy", "newcomer")
MIN_CAPACITY, MAX_CAPACITY = 1, 5
OPEN = ("proposed", "active")  # pairs that hold a buddy's place and a newcomer's turn
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Answer = Literal["yes", "notyet", "help"]
EndReason = Literal["ended", "new_buddy", "left", "finished"]

NOT_IN_PROGRAMME = (
    "You are not in the buddy programme, so there is nothing to change. "
    "You can join any time with `/buddy join`."
)
PAIR_OVER = (
    "This buddy pairing has ended, so there is nothing to do here. Thank you for taking part. "
    "If you would like a buddy again, use `/buddy join`."
)


@dataclass(frozen=True, slots=True)
class Profile:
    interests: frozenset[str]
    availability: frozenset[str]
    paused: bool


NO_PROFILE = Profile(frozenset(), frozenset(), paused=False)


@dataclass(frozen=True, slots=True)
class Plan:
    """How pairs run, from `settings.buddies`."""

    approve_first: bool
    checkin_days: tuple[int, ...]
    pair_weeks: int


@dataclass(frozen=True, slots=True)
class Pair:
    id: int
    buddy_user_id: int
    newcomer_user_id: int
    status: str
    reason: str
    started_at: datetime | None
    ends_at: datetime | None
    thread_id: int | None
    talked: bool
    help_requested: bool

    def other(self, user_id: int) -> int:
        return self.newcomer_user_id if user_id == self.buddy_user_id else self.buddy_user_id


@dataclass(frozen=True, slots=True)
class Enrolment:
    user_id: int
    role: str
    capacity: int
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Status:
    enrolment: Enrolment
    pairs: tuple[Pair, ...]
    next_checkin: datetime | None


@dataclass(frozen=True, slots=True)
class RunResult:
    pairs: tuple[Pair, ...]
    waiting: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Overview:
    active: tuple[Pair, ...]
    proposed: tuple[Pair, ...]
    waiting: tuple[Enrolment, ...]
    free_places: tuple[tuple[int, int], ...]  # (buddy user id, places free)


# -- joining and leaving ------------------------------------------------------------


async def has_profile(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """Whether the person told us their interests and when they are free (matching needs both)."""
    member = await _member(session, guild_id, user_id)
    return member is not None and bool(member.interests) and bool(member.availability)


async def save_profile(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    interests: Sequence[str],
    availability: Sequence[str],
) -> None:
    member = await _member(session, guild_id, user_id)
    if member is None:
        raise NotFound("Please agree to how we keep your details first: use `/join`.")
    unknown = set(interests) - set(matching.INTEREST_KINDS)
    unknown |= set(availability) - set(matching.AVAILABILITY_KINDS)
    if unknown or not interests or not availability:
        raise InvalidInput("Please pick at least one interest and one time you are usually free.")
    member.interests, member.availability = list(interests), list(availability)


def check_capacity(capacity: int) -> None:
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            f"A buddy can look after {MIN_CAPACITY} to {MAX_CAPACITY} newcomers. "
            f"Please choose a number from {MIN_CAPACITY} to {MAX_CAPACITY}. Nothing was changed."
        )


async def join(
    session: AsyncSession, guild_id: int, user_id: int, role: str, capacity: int, now: datetime
) -> Enrolment:
    if role not in ROLES:
        raise InvalidInput("Please choose buddy or newcomer.")
    check_capacity(capacity)
    existing = await _enrolment(session, guild_id, user_id)
    if existing is not None:
        raise Conflict(
            f"You are already in the buddy programme as a {existing.role}. Nothing was changed. "
            "`/buddy status` shows your pairing; `/buddy leave` lets you step back."
        )
    row = BuddyEnrolment(
        guild_id=guild_id,
        user_id=user_id,
        role=role,
        capacity=capacity if role == "buddy" else 1,
        joined_at=now,
    )
    session.add(row)
    await session.flush()
    return _enrolment_view(row)


async def leave(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> int:
    """Leave the programme, ending the person's pairs kindly; returns how many pairs ended."""
    enrolment = await _enrolment(session, guild_id, user_id)
    if enrolment is None:
        raise NotFound(NOT_IN_PROGRAMME)
    pairs = await _open_pairs_of(session, guild_id, user_id)
    for pair in pairs:
        await _end(session, pair, ended_by=user_id, reason="left", now=now)
    await session.delete(enrolment)
    return len(pairs)


async def erase_person(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> None:
    """Before `/mydata delete` removes every row naming them: end their pairs and tell the
    other person kindly, without saying why."""
    for pair in await _open_pairs_of(session, guild_id, user_id):
        await _end(session, pair, ended_by=user_id, reason="left", now=now)


async def status(session: AsyncSession, guild_id: int, user_id: int) -> Status:
    enrolment = await _enrolment(session, guild_id, user_id)
    if enrolment is None:
        raise NotFound(NOT_IN_PROGRAMME)
    pairs = await _open_pairs_of(session, guild_id, user_id)
    next_checkin = await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.kind == "buddy_checkin",
            OutboxMessage.user_id == user_id,
            OutboxMessage.guild_id == guild_id,
            OutboxMessage.sent_at.is_(None),
        )
    )
    return Status(_enrolment_view(enrolment), tuple(map(_view, pairs)), next_checkin)


# -- pairing ----------------------------------------------------------------------


async def run_pairing(session: AsyncSession, guild_id: int, now: datetime, plan: Plan) -> RunResult:
    """Pair waiting newcomers with buddies who have free places; introduce them at once or
    propose them to coordinators. Newcomers left waiting are told they are on the list."""
    enrolments = (
        await session.scalars(
            select(BuddyEnrolment)
            .where(BuddyEnrolment.guild_id == guild_id)
            .order_by(BuddyEnrolment.id)
            .with_for_update()  # one run per community at a time
        )
    ).all()
    pairs = (await session.scalars(select(BuddyPair).where(BuddyPair.guild_id == guild_id))).all()
    profiles = await _profiles(session, guild_id, [e.user_id for e in enrolments], now)
    taken = _places_taken(pairs)
    result = matching.match(
        [
            matching.Buddy(
                e.user_id,
                profiles[e.user_id].interests,
                profiles[e.user_id].availability,
                free_places=e.capacity - taken.get(e.user_id, 0),
                paused=profiles[e.user_id].paused,
            )
            for e in enrolments
            if e.role == "buddy"
        ],
        [
            matching.Newcomer(
                e.user_id,
                profiles[e.user_id].interests,
                profiles[e.user_id].availability,
                waiting_since=e.joined_at,
                paused=profiles[e.user_id].paused,
            )
            for e in enrolments
            if e.role == "newcomer" and e.user_id not in taken
        ],
        {(p.buddy_user_id, p.newcomer_user_id) for p in pairs},
    )
    made = [await _make_pair(session, guild_id, pairing, now, plan) for pairing in result.pairings]
    waiting_ids = {e.user_id: e.id for e in enrolments}
    for newcomer_id in result.unmatched:
        await outbox.enqueue(
            session,
            guild_id=guild_id,
            kind="buddy_waiting",
            user_id=newcomer_id,
            due_at=now,
            dedupe_key=f"buddy:waiting:{waiting_ids[newcomer_id]}",
        )
    return RunResult(tuple(made), result.unmatched)


async def decide_proposal(
    session: AsyncSession, pair_id: int, approve: bool, now: datetime, plan: Plan
) -> Pair:
    pair = await session.scalar(select(BuddyPair).where(BuddyPair.id == pair_id).with_for_update())
    if pair is None:
        raise NotFound("This proposal no longer exists: one of the two people has left.")
    if pair.status != "proposed":
        raise Conflict(f"This proposal was already decided (the pair is {pair.status}).")
    if approve:
        await _start(session, pair, now, plan)
    else:
        pair.status = "skipped"
    return _view(pair)


# -- check-ins and ending -----------------------------------------------------------


async def answer_checkin(
    session: AsyncSession, pair_id: int, user_id: int, answer: Answer, now: datetime
) -> Pair:
    pair = await _active_pair_of(session, pair_id, user_id)
    if answer == "yes":
        pair.talked_at = pair.talked_at or now
    elif answer == "help":
        pair.help_requested_at = now
        await outbox.enqueue(
            session,
            guild_id=pair.guild_id,
            kind="buddy_help",
            due_at=now,
            dedupe_key=f"buddy:{pair.id}:help:{now:%Y-%m-%d}",
            payload={"pair_id": pair.id},
        )
    return _view(pair)


async def end_pair(
    session: AsyncSession, pair_id: int, user_id: int, reason: EndReason, now: datetime
) -> Pair:
    """Either person ends the pair early ("ended") or asks for a new buddy ("new_buddy")."""
    pair = await _active_pair_of(session, pair_id, user_id)
    await _end(session, pair, ended_by=user_id, reason=reason, now=now)
    return _view(pair)


async def finish_if_due(session: AsyncSession, pair_id: int, now: datetime) -> bool:
    """End a pair whose time is up (safe to repeat); True if it ran its full course."""
    pair = await session.scalar(select(BuddyPair).where(BuddyPair.id == pair_id).with_for_update())
    if pair is None or pair.ends_at is None or pair.ends_at > now:
        return False
    if pair.status == "active":
        await _end(session, pair, ended_by=None, reason="finished", now=now)
    return pair.status == "ended" and pair.ended_at is not None and pair.ended_at >= pair.ends_at


async def get_pair(session: AsyncSession, pair_id: int) -> Pair | None:
    pair = await session.get(BuddyPair, pair_id)
    return _view(pair) if pair is not None else None


async def remember_thread(session: AsyncSession, pair_id: int, thread_id: int) -> None:
    pair = await session.get(BuddyPair, pair_id)
    if pair is not None:
        pair.thread_id = thread_id


async def overview(session: AsyncSession, guild_id: int) -> Overview:
    enrolments = (
        await session.scalars(
            select(BuddyEnrolment)
            .where(BuddyEnrolment.guild_id == guild_id)
            .order_by(BuddyEnrolment.joined_at, BuddyEnrolment.id)
        )
    ).all()
    pairs = (
        await session.scalars(
            select(BuddyPair)
            .where(BuddyPair.guild_id == guild_id, BuddyPair.status.in_(OPEN))
            .order_by(BuddyPair.id)
        )
    ).all()
    taken = _places_taken(pairs)
    return Overview(
        active=tuple(_view(p) for p in pairs if p.status == "active"),
        proposed=tuple(_view(p) for p in pairs if p.status == "proposed"),
        waiting=tuple(
            _enrolment_view(e)
            for e in enrolments
            if e.role == "newcomer" and e.user_id not in taken
        ),
        free_places=tuple(
            (e.user_id, e.capacity - taken.get(e.user_id, 0))
            for e in enrolments
            if e.role == "buddy" and e.capacity > taken.get(e.user_id, 0)
        ),
    )


def latest_run(now: datetime, zone: ZoneInfo, run_day: str, run_time: str) -> datetime:
    """The most recent scheduled weekly run at or before `now` (community time), in UTC."""
    local = now.astimezone(zone)
    hour, minute = (int(part) for part in run_time.split(":"))
    days_back = (local.weekday() - WEEKDAYS.index(run_day.lower()[:3])) % 7
    day = (local - timedelta(days=days_back)).date()
    moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
    if moment > local:
        moment -= timedelta(days=7)
    return moment.astimezone(now.tzinfo)


async def guilds_in_programme(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(BuddyEnrolment.guild_id).distinct()))


async def claim_weekly_run(session: AsyncSession, guild_id: int, scheduled: datetime) -> bool:
    """True once for each scheduled run not done yet (kept in the database, so a run missed
    while the bot was down happens when it is back). A community seen for the first time
    waits for its next scheduled run rather than pairing at once."""
    key = f"buddies:last_run:{guild_id}"
    state = await session.scalar(select(BotState).where(BotState.key == key).with_for_update())
    if state is None:
        session.add(BotState(key=key, value=scheduled.isoformat()))
        return False
    if datetime.fromisoformat(state.value) >= scheduled:
        return False
    state.value = scheduled.isoformat()
    return True


# -- helpers ----------------------------------------------------------------------


async def _make_pair(
    session: AsyncSession, guild_id: int, pairing: matching.Pairing, now: datetime, plan: Plan
) -> Pair:
    pair = BuddyPair(
        guild_id=guild_id,
        buddy_user_id=pairing.buddy_id,
        newcomer_user_id=pairing.newcomer_id,
        status="proposed",
        score=pairing.score,
        reason=pairing.reason,
    )
    session.add(pair)
    await session.flush()
    if plan.approve_first:
        await outbox.enqueue(
            session,
            guild_id=guild_id,
            kind="buddy_proposal",
            due_at=now,
            dedupe_key=f"buddy:{pair.id}:proposal",
            payload={"pair_id": pair.id},
        )
    else:
        await _start(session, pair, now, plan)
    return _view(pair)


async def _start(session: AsyncSession, pair: BuddyPair, now: datetime, plan: Plan) -> None:
    """Make the pair active: an introduction now, check-ins later, a thank-you at the end."""
    pair.status, pair.started_at = "active", now
    pair.ends_at = now + timedelta(weeks=plan.pair_weeks)
    await _queue(session, pair, "buddy_intro", now, "intro")
    for person in (pair.buddy_user_id, pair.newcomer_user_id):
        side = _side(pair, person)
        for day in plan.checkin_days:
            due = now + timedelta(days=day)
            await _queue(session, pair, "buddy_checkin", due, f"checkin:{day}:{side}", person)
        await _queue(session, pair, "buddy_thanks", pair.ends_at, f"thanks:{side}", person)


async def _end(
    session: AsyncSession,
    pair: BuddyPair,
    *,
    ended_by: int | None,
    reason: EndReason,
    now: datetime,
) -> None:
    """End the pair. The newcomer goes back on the waiting list unless the pair ran its course
    or they chose to end it. Ended early: its pending messages are withdrawn and the other
    person is told kindly (a pair that ran its course has its thank-you rows queued already)."""
    was_active = pair.status == "active"
    pair.status, pair.ended_at = "ended", now
    newcomer_done = reason == "finished" or (
        ended_by == pair.newcomer_user_id and reason != "new_buddy"
    )
    if newcomer_done:
        await session.execute(
            delete(BuddyEnrolment).where(
                BuddyEnrolment.guild_id == pair.guild_id,
                BuddyEnrolment.user_id == pair.newcomer_user_id,
            )
        )
    if ended_by is None:
        return
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith(f"buddy:{pair.id}:"),
            OutboxMessage.sent_at.is_(None),
        )
    )
    if was_active:
        other = pair.newcomer_user_id if ended_by == pair.buddy_user_id else pair.buddy_user_id
        await outbox.enqueue(
            session,
            guild_id=pair.guild_id,
            kind="buddy_ended",
            user_id=other,
            due_at=now,
            dedupe_key=f"buddy:ended:{pair.id}:{_side(pair, other)}",
            payload={"back_on_list": other == pair.newcomer_user_id and not newcomer_done},
        )


async def _queue(
    session: AsyncSession,
    pair: BuddyPair,
    kind: str,
    due_at: datetime,
    key: str,
    user_id: int | None = None,
) -> None:
    await outbox.enqueue(
        session,
        guild_id=pair.guild_id,
        kind=kind,
        user_id=user_id,
        due_at=due_at,
        dedupe_key=f"buddy:{pair.id}:{key}",
        payload={"pair_id": pair.id},
    )


def _side(pair: BuddyPair, user_id: int) -> str:
    return "buddy" if user_id == pair.buddy_user_id else "newcomer"


async def _active_pair_of(session: AsyncSession, pair_id: int, user_id: int) -> BuddyPair:
    pair = await session.scalar(select(BuddyPair).where(BuddyPair.id == pair_id).with_for_update())
    if (
        pair is None
        or pair.status != "active"
        or user_id not in (pair.buddy_user_id, pair.newcomer_user_id)
    ):
        raise Conflict(PAIR_OVER)
    return pair


async def _open_pairs_of(session: AsyncSession, guild_id: int, user_id: int) -> list[BuddyPair]:
    return list(
        await session.scalars(
            select(BuddyPair)
            .where(
                BuddyPair.guild_id == guild_id,
                BuddyPair.status.in_(OPEN),
                or_(BuddyPair.buddy_user_id == user_id, BuddyPair.newcomer_user_id == user_id),
            )
            .order_by(BuddyPair.id)
            .with_for_update()
        )
    )


def _places_taken(pairs: Sequence[BuddyPair]) -> dict[int, int]:
    """Open pairs per person: places used for buddies, "already has one" for newcomers."""
    taken: dict[int, int] = {}
    for pair in pairs:
        if pair.status in OPEN:
            for person in (pair.buddy_user_id, pair.newcomer_user_id):
                taken[person] = taken.get(person, 0) + 1
    return taken


async def _profiles(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int], now: datetime
) -> dict[int, Profile]:
    members = await session.scalars(
        select(Member).where(Member.guild_id == guild_id, Member.user_id.in_(user_ids))
    )
    found = {
        m.user_id: Profile(
            frozenset(m.interests or ()),
            frozenset(m.availability or ()),
            paused=m.paused_until is not None and m.paused_until > now,
        )
        for m in members
    }
    return {user_id: found.get(user_id, NO_PROFILE) for user_id in user_ids}


async def _member(session: AsyncSession, guild_id: int, user_id: int) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )


async def _enrolment(session: AsyncSession, guild_id: int, user_id: int) -> BuddyEnrolment | None:
    return await session.scalar(
        select(BuddyEnrolment)
        .where(BuddyEnrolment.guild_id == guild_id, BuddyEnrolment.user_id == user_id)
        .with_for_update()
    )


def _enrolment_view(row: BuddyEnrolment) -> Enrolment:
    return Enrolment(row.user_id, row.role, row.capacity, row.joined_at)


def _view(pair: BuddyPair) -> Pair:
    return Pair(
        id=pair.id,
        buddy_user_id=pair.buddy_user_id,
        newcomer_user_id=pair.newcomer_user_id,
        status=pair.status,
        reason=pair.reason,
        started_at=pair.started_at,
        ends_at=pair.ends_at,
        thread_id=pair.thread_id,
        talked=pair.talked_at is not None,
        help_requested=pair.help_requested_at is not None,
    )
