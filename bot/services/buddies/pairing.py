"""Pairing runs: the weekly schedule, matching waiting newcomers with buddies who have free
places, proposals a coordinator approves or skips (in the coordinators' private thread, whose
id is kept here), and the coordinators' overview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, NotFound
from bot.services import matching, outbox
from bot.services.buddies.common import (
    OPEN,
    Overview,
    Pair,
    PairPayload,
    Plan,
    RunResult,
    enrolment_view,
    pair_view,
)
from bot.services.buddies.pairs import start_pair
from bot.services.outbox import OutboxKind
from db.models import BotState, BuddyEnrolment, BuddyPair, Member

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Profile:
    interests: frozenset[str]
    availability: frozenset[str]
    paused: bool


NO_PROFILE = Profile(frozenset(), frozenset(), paused=False)


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
            kind=OutboxKind.BUDDY_WAITING,
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
        await start_pair(session, pair, now, plan)
    else:
        pair.status = "skipped"
    return pair_view(pair)


async def coordinator_thread(session: AsyncSession, guild_id: int) -> int | None:
    """The private thread where coordinators get proposals and help alerts, once it is made."""
    state = await session.get(BotState, _coordinator_thread_key(guild_id))
    return int(state.value) if state is not None else None


async def remember_coordinator_thread(session: AsyncSession, guild_id: int, thread_id: int) -> None:
    key = _coordinator_thread_key(guild_id)
    state = await session.scalar(select(BotState).where(BotState.key == key).with_for_update())
    if state is None:
        session.add(BotState(key=key, value=str(thread_id)))
    else:
        state.value = str(thread_id)


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
        active=tuple(pair_view(p) for p in pairs if p.status == "active"),
        proposed=tuple(pair_view(p) for p in pairs if p.status == "proposed"),
        waiting=tuple(
            enrolment_view(e) for e in enrolments if e.role == "newcomer" and e.user_id not in taken
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
            kind=OutboxKind.BUDDY_PROPOSAL,
            due_at=now,
            dedupe_key=f"buddy:{pair.id}:proposal",
            payload=PairPayload(pair.id),
        )
    else:
        await start_pair(session, pair, now, plan)
    return pair_view(pair)


def _coordinator_thread_key(guild_id: int) -> str:
    return f"buddy_coordinator_thread:{guild_id}"


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
