"""Groups such as the advisory group: each has a Discord role and a private channel, a
description, optional terms and a log of decisions. Who is in a group is in
`bot.services.programme.members`; the lists for `/group list` and `/mine` are in
`bot.services.programme.listing`.

Nothing is half-made: the cog checks the group with `check_new_group` first, then makes the
role and channel, then calls `create_group`; if that refuses (a name taken meanwhile), or the
transaction fails, the cog deletes the role and channel it made."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.programme.common import clean_text
from db.models import Group, GroupDecision

# Discord's limits: a role name and a channel name are each at most 100 characters.
MAX_NAME = 100
MAX_DESCRIPTION = 1000
MAX_DECISION = 1000
MAX_TERM_MONTHS = 120

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class GroupDraft:
    """A group checked and ready to make: the cog makes its role (`name`) and its private
    channel (`slug`), then calls `create_group`."""

    name: str
    slug: str
    description: str
    term_months: int | None


@dataclass(frozen=True, slots=True)
class GroupView:
    id: int
    guild_id: int
    name: str
    slug: str
    description: str
    term_months: int | None
    role_id: int
    channel_id: int


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    group_id: int
    text: str
    decided_at: datetime


# -- making a group -------------------------------------------------------------------------


def slug_of(name: str) -> str:
    """A channel-safe name: lowercase ASCII letters and digits joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NOT_ALNUM.sub("-", ascii_name.lower()).strip("-")[:MAX_NAME].strip("-")


async def check_new_group(
    session: AsyncSession,
    guild_id: int,
    name: str,
    description: str,
    term_months: int | None,
) -> GroupDraft:
    """Check everything before the cog makes a role and a channel. Writes nothing."""
    cleaned = clean_text(name, label="The group's name", limit=MAX_NAME, multiline=False)
    slug = slug_of(cleaned)
    if not slug:
        raise InvalidInput(
            "The group's name needs some letters or numbers, so its channel can be named. "
            "Try a name like Advisory group."
        )
    about = clean_text(description, label="The description", limit=MAX_DESCRIPTION)
    if term_months is not None and not 1 <= term_months <= MAX_TERM_MONTHS:
        raise InvalidInput(
            f"A term can be from 1 to {MAX_TERM_MONTHS} months. Try 12 for a year, "
            "or leave it out for no terms."
        )
    await _refuse_taken(session, guild_id, cleaned, slug)
    return GroupDraft(cleaned, slug, about, term_months)


async def create_group(
    session: AsyncSession,
    guild_id: int,
    draft: GroupDraft,
    *,
    role_id: int,
    channel_id: int,
    now: datetime,
) -> GroupView:
    """Store the group once the cog has made its role and channel. Refuses (Conflict) when the
    name was taken meanwhile; the cog then deletes the role and channel."""
    checked = await check_new_group(
        session, guild_id, draft.name, draft.description, draft.term_months
    )
    group = Group(
        guild_id=guild_id,
        name=checked.name,
        name_key=checked.name.lower(),
        slug=checked.slug,
        description=checked.description,
        term_months=checked.term_months,
        role_id=role_id,
        channel_id=channel_id,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(group)
            await session.flush()
    except IntegrityError as error:  # the same name at the same moment, past the check
        raise _taken(checked.name) from error
    return group_view(group)


async def _refuse_taken(session: AsyncSession, guild_id: int, name: str, slug: str) -> None:
    taken = await session.scalar(
        select(Group.name).where(
            Group.guild_id == guild_id, (Group.name_key == name.lower()) | (Group.slug == slug)
        )
    )
    if taken is not None:
        raise _taken(taken)


def _taken(name: str) -> Conflict:
    return Conflict(
        f"There is already a group called {name}, or one with a name very like it. "
        "Pick a different name, or use that group."
    )


# -- finding groups -------------------------------------------------------------------------


async def get_group(session: AsyncSession, guild_id: int, group_id: int) -> GroupView:
    return group_view(await group_row(session, guild_id, group_id))


async def resolve_group(session: AsyncSession, guild_id: int, typed: str) -> GroupView:
    """What was given in a `group` option: the id picked from the list, or a name (any case)."""
    text = typed.strip()
    if text.isdigit():
        found = await session.get(Group, int(text))
        if found is not None and found.guild_id == guild_id:
            return group_view(found)
    found = await session.scalar(
        select(Group).where(Group.guild_id == guild_id, Group.name_key == text.lower())
    )
    if found is None:
        raise NotFound(
            f"I could not find a group called {text!r}. Start typing its name and pick it "
            "from the list."
        )
    return group_view(found)


async def search_groups(
    session: AsyncSession, guild_id: int, typed: str, limit: int = 25
) -> list[GroupView]:
    """Groups whose name contains `typed` (any case), for autocomplete."""
    statement = select(Group).where(Group.guild_id == guild_id).order_by(Group.name_key)
    if typed.strip():
        statement = statement.where(Group.name_key.contains(typed.strip().lower()))
    return [group_view(row) for row in await session.scalars(statement.limit(limit))]


async def group_row(
    session: AsyncSession, guild_id: int, group_id: int, *, lock: bool = False
) -> Group:
    statement = select(Group).where(Group.id == group_id, Group.guild_id == guild_id)
    group = await session.scalar(statement.with_for_update() if lock else statement)
    if group is None:
        raise NotFound("That group no longer exists. Use `/group list` to see the groups.")
    return group


# -- decisions ------------------------------------------------------------------------------


async def record_decision(
    session: AsyncSession, guild_id: int, group_id: int, text: str, by: int, now: datetime
) -> Decision:
    group = await group_row(session, guild_id, group_id)
    cleaned = clean_text(text, label="The decision", limit=MAX_DECISION)
    decision = GroupDecision(group_id=group.id, text=cleaned, decided_at=now, recorded_by=by)
    session.add(decision)
    await session.flush()
    return decision_view(decision)


async def decisions(
    session: AsyncSession, guild_id: int, group_id: int, limit: int = 20
) -> list[Decision]:
    """The group's decisions, newest first."""
    group = await group_row(session, guild_id, group_id)
    rows = await session.scalars(
        select(GroupDecision)
        .where(GroupDecision.group_id == group.id)
        .order_by(GroupDecision.decided_at.desc(), GroupDecision.id.desc())
        .limit(limit)
    )
    return [decision_view(row) for row in rows]


# -- helpers ----------------------------------------------------------------------------------


def group_view(group: Group) -> GroupView:
    return GroupView(
        id=group.id,
        guild_id=group.guild_id,
        name=group.name,
        slug=group.slug,
        description=group.description,
        term_months=group.term_months,
        role_id=group.role_id,
        channel_id=group.channel_id,
    )


def decision_view(row: GroupDecision) -> Decision:
    return Decision(row.id, row.group_id, row.text, row.decided_at)
