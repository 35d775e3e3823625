"""Pairs over time: starting a pair, check-ins, ending it early or at the end of its weeks
(with a thank-you), and ending it kindly when someone leaves or erases their data."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict
from bot.services import outbox
from bot.services.buddies.common import (
    OPEN,
    Answer,
    EndedPayload,
    EndReason,
    Pair,
    PairPayload,
    Plan,
    pair_view,
)
from bot.services.outbox import OutboxKind
from db.models import BuddyEnrolment, BuddyPair, OutboxMessage

PAIR_OVER = (
    "This buddy pairing has ended, so there is nothing to do here. Thank you for taking part. "
    "If you would like a buddy again, use `/buddy join`."
)


async def erase_person(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> None:
    """Before `/mydata delete` removes every row naming them: end their pairs and tell the
    other person kindly, without saying why."""
    for pair in await open_pairs_of(session, guild_id, user_id):
        await close_pair(session, pair, ended_by=user_id, reason="left", now=now)


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
            kind=OutboxKind.BUDDY_HELP,
            due_at=now,
            dedupe_key=f"buddy:{pair.id}:help:{now:%Y-%m-%d}",
            payload=PairPayload(pair.id),
        )
    return pair_view(pair)


async def end_pair(
    session: AsyncSession, pair_id: int, user_id: int, reason: EndReason, now: datetime
) -> Pair:
    """Either person ends the pair early ("ended") or asks for a new buddy ("new_buddy")."""
    pair = await _active_pair_of(session, pair_id, user_id)
    await close_pair(session, pair, ended_by=user_id, reason=reason, now=now)
    return pair_view(pair)


async def finish_if_due(session: AsyncSession, pair_id: int, now: datetime) -> bool:
    """End a pair whose time is up (safe to repeat); True if it ran its full course."""
    pair = await session.scalar(select(BuddyPair).where(BuddyPair.id == pair_id).with_for_update())
    if pair is None or pair.ends_at is None or pair.ends_at > now:
        return False
    if pair.status == "active":
        await close_pair(session, pair, ended_by=None, reason="finished", now=now)
    return pair.status == "ended" and pair.ended_at is not None and pair.ended_at >= pair.ends_at


async def find_pair(session: AsyncSession, pair_id: int) -> Pair | None:
    pair = await session.get(BuddyPair, pair_id)
    return pair_view(pair) if pair is not None else None


async def remember_thread(session: AsyncSession, pair_id: int, thread_id: int) -> None:
    pair = await session.get(BuddyPair, pair_id)
    if pair is not None:
        pair.thread_id = thread_id


async def start_pair(session: AsyncSession, pair: BuddyPair, now: datetime, plan: Plan) -> None:
    """Make the pair active: an introduction now, check-ins later, a thank-you at the end."""
    pair.status, pair.started_at = "active", now
    pair.ends_at = now + timedelta(weeks=plan.pair_weeks)
    await _queue(session, pair, OutboxKind.BUDDY_INTRO, now, "intro")
    for person in (pair.buddy_user_id, pair.newcomer_user_id):
        side = _side(pair, person)
        for day in plan.checkin_days:
            due = now + timedelta(days=day)
            await _queue(
                session, pair, OutboxKind.BUDDY_CHECKIN, due, f"checkin:{day}:{side}", person
            )
        await _queue(session, pair, OutboxKind.BUDDY_THANKS, pair.ends_at, f"thanks:{side}", person)


async def close_pair(
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
            kind=OutboxKind.BUDDY_ENDED,
            user_id=other,
            due_at=now,
            dedupe_key=f"buddy:ended:{pair.id}:{_side(pair, other)}",
            payload=EndedPayload(other == pair.newcomer_user_id and not newcomer_done),
        )


async def open_pairs_of(session: AsyncSession, guild_id: int, user_id: int) -> list[BuddyPair]:
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


async def _queue(
    session: AsyncSession,
    pair: BuddyPair,
    kind: OutboxKind,
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
        payload=PairPayload(pair.id),
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
