"""Enrolment: the short profile matching needs, joining as a buddy or a newcomer, leaving,
and where a person stands (`/buddy status`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotFound
from bot.services import matching, membership
from bot.services.buddies.common import Enrolment, Status, enrolment_view, pair_view
from bot.services.buddies.pairs import close_pair, open_pairs_of
from bot.services.outbox import OutboxKind
from db.models import BuddyEnrolment, Member, OutboxMessage

ROLES = ("buddy", "newcomer")
MIN_CAPACITY, MAX_CAPACITY = 1, 5

NOT_IN_PROGRAMME = (
    "You are not in the buddy programme, so there is nothing to change. "
    "You can join any time with `/buddy join`."
)


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
    await membership.save_interests(session, guild_id, user_id, interests, availability)


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
    return enrolment_view(row)


async def leave(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> int:
    """Leave the programme, ending the person's pairs kindly; returns how many pairs ended."""
    enrolment = await _enrolment(session, guild_id, user_id)
    if enrolment is None:
        raise NotFound(NOT_IN_PROGRAMME)
    pairs = await open_pairs_of(session, guild_id, user_id)
    for pair in pairs:
        await close_pair(session, pair, ended_by=user_id, reason="left", now=now)
    await session.delete(enrolment)
    return len(pairs)


async def status(session: AsyncSession, guild_id: int, user_id: int) -> Status:
    enrolment = await _enrolment(session, guild_id, user_id)
    if enrolment is None:
        raise NotFound(NOT_IN_PROGRAMME)
    pairs = await open_pairs_of(session, guild_id, user_id)
    next_checkin = await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.kind == OutboxKind.BUDDY_CHECKIN,
            OutboxMessage.user_id == user_id,
            OutboxMessage.guild_id == guild_id,
            OutboxMessage.sent_at.is_(None),
        )
    )
    return Status(enrolment_view(enrolment), tuple(map(pair_view, pairs)), next_checkin)


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
