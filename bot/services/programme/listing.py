"""The lists: every group with its members, requests and latest decisions for `/group list`,
and a person's own groups for `/mine`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.programme.groups import Decision, GroupView, decisions, group_view
from bot.services.programme.members import PENDING, JoinRequestView, request_view
from db.models import Group, GroupJoinRequest, GroupMembership, Member


@dataclass(frozen=True, slots=True)
class GroupMember:
    user_id: int
    display_name: str | None
    since: datetime
    term_ends_at: datetime | None


@dataclass(frozen=True, slots=True)
class GroupListing:
    """One group for `/group list`: its members, pending requests and latest decisions."""

    group: GroupView
    members: tuple[GroupMember, ...]
    requests: tuple[JoinRequestView, ...]
    decisions: tuple[Decision, ...]


@dataclass(frozen=True, slots=True)
class MyGroup:
    """For /mine: a group the person is in (`member`) or has asked to join."""

    group: GroupView
    member: bool
    since: datetime
    term_ends_at: datetime | None


# -- listing --------------------------------------------------------------------------------


async def group_list(
    session: AsyncSession, guild_id: int, *, decisions_each: int = 5
) -> list[GroupListing]:
    """For /group list: every group with its members, requests waiting and latest decisions."""
    listings = []
    for group in await session.scalars(
        select(Group).where(Group.guild_id == guild_id).order_by(Group.name_key)
    ):
        view = group_view(group)
        members = await session.execute(
            select(GroupMembership, Member.display_name)
            .outerjoin(
                Member, (Member.guild_id == guild_id) & (Member.user_id == GroupMembership.user_id)
            )
            .where(GroupMembership.group_id == group.id, GroupMembership.ended_at.is_(None))
            .order_by(GroupMembership.started_at, GroupMembership.id)
        )
        requests = await session.scalars(
            select(GroupJoinRequest)
            .where(GroupJoinRequest.group_id == group.id, GroupJoinRequest.status == PENDING)
            .order_by(GroupJoinRequest.id)
        )
        listings.append(
            GroupListing(
                view,
                tuple(
                    GroupMember(m.user_id, name, m.started_at, m.term_ends_at)
                    for m, name in members
                ),
                tuple(request_view(request, group) for request in requests),
                tuple(await decisions(session, guild_id, group.id, decisions_each)),
            )
        )
    return listings


async def my_groups(session: AsyncSession, guild_id: int, user_id: int) -> list[MyGroup]:
    """For /mine: the groups the person is in, then those they have asked to join."""
    found = []
    current = await session.execute(
        select(GroupMembership, Group)
        .join(Group, Group.id == GroupMembership.group_id)
        .where(
            Group.guild_id == guild_id,
            GroupMembership.user_id == user_id,
            GroupMembership.ended_at.is_(None),
        )
        .order_by(Group.name_key)
    )
    for membership, group in current:
        found.append(
            MyGroup(group_view(group), True, membership.started_at, membership.term_ends_at)
        )
    asked = await session.execute(
        select(GroupJoinRequest, Group)
        .join(Group, Group.id == GroupJoinRequest.group_id)
        .where(
            Group.guild_id == guild_id,
            GroupJoinRequest.user_id == user_id,
            GroupJoinRequest.status == PENDING,
        )
        .order_by(Group.name_key)
    )
    for request, group in asked:
        found.append(MyGroup(group_view(group), False, request.asked_at, None))
    return found
