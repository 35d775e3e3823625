"""A member's profile (what helps them take part, never why) and their pause."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotFound
from bot.services.text import clean, excerpt, tidy
from bot.services.vocabulary import AVAILABILITY, INTEREST_KINDS
from db.models import Member

__all__ = ["AVAILABILITY", "INTEREST_KINDS"]

NAME_MAX = 80
ADJUSTMENTS_MAX = 500
PAUSE_DAYS_MIN, PAUSE_DAYS_MAX = 1, 365

NOT_JOINED = (
    "You have not joined the community yet, so we hold nothing about you. "
    "Use `/join` when you are ready."
)


@dataclass(frozen=True, slots=True)
class Profile:
    display_name: str | None
    interests: tuple[str, ...]
    availability: tuple[str, ...]
    adjustments: str | None
    wants_dms: bool
    paused_until: datetime | None

    @property
    def filled_in(self) -> bool:
        """The profile form was saved at least once (the name is the one field it requires)."""
        return self.display_name is not None


@dataclass(frozen=True, slots=True)
class ProfileForm:
    """What the person typed and picked in the profile form."""

    display_name: str
    interests: tuple[str, ...]
    availability: tuple[str, ...]
    adjustments: str
    wants_dms: bool


async def find_profile(session: AsyncSession, guild_id: int, user_id: int) -> Profile | None:
    """None when the person has not consented (then nothing is held about them)."""
    member = await _member(session, guild_id, user_id)
    return None if member is None else _to_profile(member)


async def save_profile(
    session: AsyncSession, guild_id: int, user_id: int, form: ProfileForm
) -> Profile:
    if not tidy(form.display_name):
        raise InvalidInput("Please tell us the name you would like us to use.")
    display_name = clean(form.display_name, field="name", max_length=NAME_MAX)
    adjustments = clean(
        form.adjustments,
        field="answer about what helps you take part",
        max_length=ADJUSTMENTS_MAX,
        required=False,
        multiline=True,
    )
    member = await _locked_member(session, guild_id, user_id)
    member.display_name = display_name
    _write_interests(
        member,
        _known(form.interests, INTEREST_KINDS, "interest"),
        _known(form.availability, AVAILABILITY, "time"),
    )
    member.adjustments = adjustments or None
    member.wants_dms = form.wants_dms
    await session.flush()
    return _to_profile(member)


async def pause(
    session: AsyncSession, guild_id: int, user_id: int, days: int, now: datetime
) -> datetime:
    """Hold every prompt and reminder for `days` days from `now`; returns when the pause ends."""
    if not PAUSE_DAYS_MIN <= days <= PAUSE_DAYS_MAX:
        raise InvalidInput(
            f"A pause can be from {PAUSE_DAYS_MIN} to {PAUSE_DAYS_MAX} days. "
            "Try `/pause 14` for two weeks."
        )
    member = await _locked_member(session, guild_id, user_id)
    member.paused_until = now + timedelta(days=days)
    return member.paused_until


async def resume(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> bool:
    """End the pause; True if there was one still running. What it held back is claimable
    again at once (the caller wakes the outbox after commit)."""
    member = await _locked_member(session, guild_id, user_id)
    was_paused = member.paused_until is not None and member.paused_until > now
    member.paused_until = None
    return was_paused


async def paused_until(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> datetime | None:
    """When the person's pause ends, if they are paused at `now`."""
    until = await session.scalar(
        select(Member.paused_until).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return until if until is not None and until > now else None


def _known(picked: Iterable[str], allowed: Iterable[str], what: str) -> list[str]:
    allowed = list(allowed)
    unknown = [value for value in picked if value not in allowed]
    if unknown:
        raise InvalidInput(
            f"We do not know the {what} '{excerpt(unknown[0])}'. Please pick from the list."
        )
    return [value for value in allowed if value in picked]  # a stable order, no repeats


async def _member(session: AsyncSession, guild_id: int, user_id: int) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )


async def save_interests(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    interests: Iterable[str],
    availability: Iterable[str],
) -> None:
    """Save what a member is interested in and when they are usually free (checked by the
    caller), for the buddy programme's questions."""
    _write_interests(await _locked_member(session, guild_id, user_id), interests, availability)


def _write_interests(member: Member, interests: Iterable[str], availability: Iterable[str]) -> None:
    """The one place a profile's interests and times are written."""
    member.interests, member.availability = list(interests), list(availability)


async def _locked_member(session: AsyncSession, guild_id: int, user_id: int) -> Member:
    member = await session.scalar(
        select(Member)
        .where(Member.guild_id == guild_id, Member.user_id == user_id)
        .with_for_update()
    )
    if member is None:
        raise NotFound(NOT_JOINED)
    return member


def _to_profile(member: Member) -> Profile:
    return Profile(
        display_name=member.display_name,
        interests=tuple(member.interests),
        availability=tuple(member.availability),
        adjustments=member.adjustments,
        wants_dms=member.wants_dms,
        paused_until=member.paused_until,
    )
