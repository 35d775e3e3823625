"""Keeping nothing longer than needed: people who leave the server, and people away a long time.

Someone who leaves gives up their upcoming places (the next person is promoted and told) and
their buddy pairs (the other person is told kindly), and is marked as left. If they do not come
back within `retention.after_leaving_days`, everything about them is erased. Someone who has not
used the bot for `retention.inactive_months` is asked privately whether to stay, and erased
`retention.no_answer_days` later if they do not answer. The periodic job reads only what falls
due (indexed columns, a bounded batch), so its cost follows that, not the size of the community.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.privacy import Retention
from bot.services import outbox, signups
from bot.services.buddies.pairs import erase_person as end_buddy_pairs
from bot.services.outbox import OutboxKind
from db.models import BuddyEnrolment, Member

BATCH = 100  # people handled per kind per run; the next run takes the rest


@dataclass(frozen=True, slots=True)
class StayPayload(outbox.OutboxPayload):
    """The stay question's payload: how many days the person has to answer."""

    no_answer_days: int


@dataclass(frozen=True, slots=True)
class Person:
    guild_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class Counts:
    """For coordinators: how many, never who."""

    left_waiting_erasure: int
    asked_to_stay: int


def inactive_since(now: datetime, retention: Retention) -> datetime:
    return now - relativedelta(months=retention.inactive_months)


async def member_left(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> bool:
    """They left the server: give up upcoming places and waiting places, end buddy pairs
    kindly, take them off the buddy list, and mark them as left. False if we hold nothing."""
    member = await session.scalar(
        select(Member)
        .where(Member.guild_id == guild_id, Member.user_id == user_id)
        .with_for_update()
    )
    if member is None:
        return False
    await signups.withdraw_everywhere(session, guild_id, user_id, now, upcoming_only=True)
    await end_buddy_pairs(session, guild_id, user_id, now)
    await session.execute(
        delete(BuddyEnrolment).where(
            BuddyEnrolment.guild_id == guild_id, BuddyEnrolment.user_id == user_id
        )
    )
    member.left_at = member.left_at or now
    return True


async def member_returned(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """They came back before being erased: nothing will be erased now. True if they had left."""
    result = await session.execute(
        update(Member)
        .where(Member.guild_id == guild_id, Member.user_id == user_id, Member.left_at.is_not(None))
        .values(left_at=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def note_seen(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> None:
    """They used the bot: restart their inactivity clock (at most one write a day) and take
    back any question about staying."""
    await session.execute(
        update(Member)
        .where(
            Member.guild_id == guild_id,
            Member.user_id == user_id,
            or_(
                Member.last_seen_at.is_(None),
                Member.last_seen_at < now - timedelta(days=1),
                Member.stay_asked_at.is_not(None),
            ),
        )
        .values(last_seen_at=now, stay_asked_at=None)
    )


async def stay(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> bool:
    """They pressed **Stay**: keep them. False if we hold nothing about them any more."""
    result = await session.execute(
        update(Member)
        .where(Member.guild_id == guild_id, Member.user_id == user_id)
        .values(last_seen_at=now, stay_asked_at=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _left_long_ago(now: datetime, retention: Retention) -> ColumnElement[bool]:
    return and_(
        Member.left_at.is_not(None),
        Member.left_at <= now - timedelta(days=retention.after_leaving_days),
    )


def _no_answer(now: datetime, retention: Retention) -> ColumnElement[bool]:
    return and_(
        Member.stay_asked_at.is_not(None),
        Member.stay_asked_at <= now - timedelta(days=retention.no_answer_days),
    )


def _inactive(now: datetime, retention: Retention) -> ColumnElement[bool]:
    since = inactive_since(now, retention)
    return and_(
        Member.left_at.is_(None),
        Member.stay_asked_at.is_(None),
        or_(
            Member.last_seen_at < since,
            and_(Member.last_seen_at.is_(None), Member.consented_at < since),
        ),
    )


async def due_for_erasure(
    session: AsyncSession, now: datetime, retention: Retention, limit: int = BATCH
) -> list[Person]:
    """People who left long enough ago, or never answered the question about staying."""
    found: list[Person] = []
    for condition in (_left_long_ago(now, retention), _no_answer(now, retention)):
        rows = await session.execute(
            select(Member.guild_id, Member.user_id).where(condition).limit(limit)
        )
        found += [Person(guild, user) for guild, user in rows]
    return found


async def still_due(
    session: AsyncSession, person: Person, now: datetime, retention: Retention
) -> bool:
    """Checked again, row locked, inside the erasing transaction: they may have come back."""
    found = await session.scalar(
        select(Member.id)
        .where(
            Member.guild_id == person.guild_id,
            Member.user_id == person.user_id,
            or_(_left_long_ago(now, retention), _no_answer(now, retention)),
        )
        .with_for_update()
    )
    return found is not None


async def ask_inactive(
    session: AsyncSession, now: datetime, retention: Retention, limit: int = BATCH
) -> int:
    """Ask people away for `inactive_months` whether to stay (privately, through the outbox).
    Returns how many were asked."""
    rows = list(
        await session.scalars(
            select(Member).where(_inactive(now, retention)).limit(limit).with_for_update()
        )
    )
    for member in rows:
        member.stay_asked_at = now
        await outbox.enqueue(
            session,
            guild_id=member.guild_id,
            kind=OutboxKind.STAY_QUESTION,
            user_id=member.user_id,
            due_at=now,
            dedupe_key=f"retention:stay:{member.id}:{now:%Y-%m-%d}",
            payload=StayPayload(no_answer_days=retention.no_answer_days),
        )
    return len(rows)


async def counts(session: AsyncSession, guild_id: int) -> Counts:
    """How many people have left and wait to be erased, and how many were asked to stay."""
    left = await session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.guild_id == guild_id, Member.left_at.is_not(None))
    )
    asked = await session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.guild_id == guild_id, Member.stay_asked_at.is_not(None))
    )
    return Counts(left_waiting_erasure=int(left or 0), asked_to_stay=int(asked or 0))


async def has_left(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    found = await session.scalar(
        select(Member.left_at).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return found is not None
