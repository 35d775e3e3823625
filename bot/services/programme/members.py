"""Who is in a group: requests to join with a short why and their answers, coordinators adding
and removing people, leaving, terms that end kindly (a "would you like to carry on?" prompt
two weeks before, Carry on or Step down, and the job that ends terms that are over), the
sign-up check for group-only activities, and erasure.

Every change to who is in a group locks the group's row first, so two changes at once cannot
both pass their checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, ConsentNeeded, NotAllowed, NotFound
from bot.services import outbox
from bot.services.consent import has_consented
from bot.services.outbox import OutboxItem
from bot.services.programme.common import NOT_JOINED, GroupOnly, clean_text
from bot.services.programme.groups import GroupView, group_row, group_view
from bot.services.programme.training import ActivityGate
from db.models import Group, GroupJoinRequest, GroupMembership

MAX_WHY = 300
TERM_PROMPT_DAYS = 14

# Outbox kinds. The carry-on prompt is held back by pauses and quiet hours; the others are
# an answer and a thank-you.
TERM_PROMPT = outbox.OutboxKind.GROUP_TERM_ENDING
TERM_ENDED = outbox.OutboxKind.GROUP_TERM_ENDED
REQUEST_ANSWERED = outbox.OutboxKind.GROUP_REQUEST_ANSWERED
KINDS = (TERM_PROMPT, TERM_ENDED, REQUEST_ANSWERED)


@dataclass(frozen=True, slots=True)
class RequestAnsweredPayload(outbox.OutboxPayload):
    request_id: int


@dataclass(frozen=True, slots=True)
class TermEndingPayload(outbox.OutboxPayload):
    """Which membership, and the end of term (a Unix time) the prompt was planned for."""

    membership_id: int
    term_ends_at: int


@dataclass(frozen=True, slots=True)
class TermEndedPayload(outbox.OutboxPayload):
    group_id: int


PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


@dataclass(frozen=True, slots=True)
class MembershipView:
    id: int
    group: GroupView
    user_id: int
    started_at: datetime
    term_ends_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None

    @property
    def current(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """A membership that began, moved on or ended. The cog adds `group.role_id` when `added`,
    removes it when `removed`, and can show `message` to the person pressing."""

    membership: MembershipView
    added: bool
    removed: bool
    message: str

    @property
    def role_id(self) -> int:
        return self.membership.group.role_id


@dataclass(frozen=True, slots=True)
class JoinRequestView:
    id: int
    group: GroupView
    user_id: int
    why: str
    status: str
    asked_at: datetime


@dataclass(frozen=True, slots=True)
class RequestAnswer:
    """A coordinator's answer. `tell` is what the person is told (queued to them through the
    outbox as REQUEST_ANSWERED too); when accepted, the cog gives them `request.group.role_id`
    (`added` is False if they were already a member)."""

    request: JoinRequestView
    accepted: bool
    added: bool
    tell: str


@dataclass(frozen=True, slots=True)
class EndedTerm:
    guild_id: int
    group_id: int
    group_name: str
    user_id: int
    role_id: int


# -- asking to join -------------------------------------------------------------------------


async def ask_to_join(
    session: AsyncSession, guild_id: int, group_id: int, user_id: int, why: str, now: datetime
) -> JoinRequestView:
    """A request to join with a short why, for coordinators to answer. Raises ConsentNeeded
    for someone who has not joined (the cog shows the consent card)."""
    group = await group_row(session, guild_id, group_id, lock=True)
    reason = clean_text(why, label="Why you would like to join", limit=MAX_WHY)
    if not await has_consented(session, guild_id, user_id):
        raise ConsentNeeded
    if await current_membership(session, group.id, user_id) is not None:
        raise Conflict(f"You are already a member of {group.name}. Nothing else to do.")
    if await _pending_request(session, group.id, user_id) is not None:
        raise Conflict(
            f"You have already asked to join {group.name}. A coordinator will answer soon, "
            "and we will tell you."
        )
    request = GroupJoinRequest(
        group_id=group.id, user_id=user_id, why=reason, status=PENDING, asked_at=now
    )
    session.add(request)
    await session.flush()
    return request_view(request, group)


async def accept_request(
    session: AsyncSession, guild_id: int, request_id: int, by: int, now: datetime
) -> RequestAnswer:
    request, group = await _pending(session, guild_id, request_id)
    request.status, request.decided_at, request.decided_by = ACCEPTED, now, by
    added = False
    if await current_membership(session, group.id, request.user_id) is None:
        await _start(session, group, request.user_id, now)
        added = True
    await _tell_answer(session, group, request, now)
    return RequestAnswer(request_view(request, group), True, added, accepted_words(group.name))


async def decline_request(
    session: AsyncSession, guild_id: int, request_id: int, by: int, now: datetime
) -> RequestAnswer:
    request, group = await _pending(session, guild_id, request_id)
    request.status, request.decided_at, request.decided_by = DECLINED, now, by
    await _tell_answer(session, group, request, now)
    return RequestAnswer(request_view(request, group), False, False, declined_words(group.name))


def accepted_words(group_name: str) -> str:
    return (
        f"Good news: you are now a member of {group_name}. You can see its private channel. "
        "Use `/mine` to see your groups."
    )


def declined_words(group_name: str) -> str:
    return (
        f"Thank you for asking to join {group_name}. This time the answer is no. "
        "A coordinator can tell you why, and about other ways to take part."
    )


async def _pending(
    session: AsyncSession, guild_id: int, request_id: int
) -> tuple[GroupJoinRequest, Group]:
    request = await session.get(GroupJoinRequest, request_id)
    if request is None:
        raise NotFound("That request to join is no longer there. Use `/group list` to see them.")
    group = await group_row(session, guild_id, request.group_id, lock=True)
    await session.refresh(request, with_for_update=True)
    if request.status != PENDING:
        raise Conflict(
            f"That request was already {request.status}, so nothing changed. "
            "Use `/group list` to see the requests still waiting."
        )
    return request, group


async def _tell_answer(
    session: AsyncSession, group: Group, request: GroupJoinRequest, now: datetime
) -> None:
    await outbox.enqueue(
        session,
        guild_id=group.guild_id,
        kind=REQUEST_ANSWERED,
        dedupe_key=f"{REQUEST_ANSWERED}:{request.id}",
        due_at=now,
        user_id=request.user_id,
        payload=RequestAnsweredPayload(request.id),
    )


async def request_answer_to_send(session: AsyncSession, item: OutboxItem) -> str | None:
    """What to tell the person about their request, or None if it is gone."""
    request = await session.get(
        GroupJoinRequest, item.payload_as(RequestAnsweredPayload).request_id
    )
    if request is None or request.status == PENDING:
        return None
    group = await session.get(Group, request.group_id)
    if group is None:
        return None
    return accepted_words(group.name) if request.status == ACCEPTED else declined_words(group.name)


# -- coordinators adding and removing, people leaving ----------------------------------------


async def add_member(
    session: AsyncSession,
    guild_id: int,
    group_id: int,
    user_id: int,
    now: datetime,
    *,
    by: int | None = None,
) -> MembershipChange:
    """A coordinator (`by`) adds someone who has joined the community; a request of theirs
    still waiting is answered yes with it."""
    group = await group_row(session, guild_id, group_id, lock=True)
    if not await has_consented(session, guild_id, user_id):
        raise NotAllowed(NOT_JOINED)
    if await current_membership(session, group.id, user_id) is not None:
        raise Conflict(f"That person is already a member of {group.name}. Nothing changed.")
    membership = await _start(session, group, user_id, now)
    for request in await pending_requests(session, group.id, user_id):
        request.status, request.decided_at, request.decided_by = ACCEPTED, now, by
    return MembershipChange(
        membership_view(membership, group),
        added=True,
        removed=False,
        message=f"They are now a member of {group.name}.",
    )


async def remove_member(
    session: AsyncSession, guild_id: int, group_id: int, user_id: int, now: datetime
) -> MembershipChange:
    group = await group_row(session, guild_id, group_id, lock=True)
    membership = await current_membership(session, group.id, user_id)
    if membership is None:
        raise Conflict(f"That person is not a member of {group.name}, so nothing changed.")
    _end(membership, now, "removed")
    return MembershipChange(
        membership_view(membership, group),
        added=False,
        removed=True,
        message=f"They are no longer a member of {group.name}.",
    )


async def leave_group(
    session: AsyncSession, guild_id: int, group_id: int, user_id: int, now: datetime
) -> MembershipChange:
    group = await group_row(session, guild_id, group_id, lock=True)
    membership = await current_membership(session, group.id, user_id)
    if membership is None:
        raise Conflict(f"You are not a member of {group.name}, so there is nothing to leave.")
    _end(membership, now, "left")
    return MembershipChange(
        membership_view(membership, group),
        added=False,
        removed=True,
        message=(
            f"You have left {group.name}. Thank you for everything you did. "
            "You can ask to join again at any time."
        ),
    )


async def _start(
    session: AsyncSession, group: Group, user_id: int, now: datetime
) -> GroupMembership:
    term_ends_at = now + relativedelta(months=group.term_months) if group.term_months else None
    membership = GroupMembership(
        group_id=group.id, user_id=user_id, started_at=now, term_ends_at=term_ends_at
    )
    session.add(membership)
    await session.flush()
    await _plan_term_prompt(session, group, membership, now)
    return membership


def _end(membership: GroupMembership, now: datetime, reason: str) -> None:
    membership.ended_at = now
    membership.end_reason = reason


# -- terms ----------------------------------------------------------------------------------


async def _plan_term_prompt(
    session: AsyncSession, group: Group, membership: GroupMembership, now: datetime
) -> None:
    """The "would you like to carry on?" prompt, `TERM_PROMPT_DAYS` days before the term ends
    (at once if that is already past)."""
    if membership.term_ends_at is None:
        return
    ends = int(membership.term_ends_at.timestamp())
    await outbox.enqueue(
        session,
        guild_id=group.guild_id,
        kind=TERM_PROMPT,
        dedupe_key=f"{TERM_PROMPT}:{membership.id}:{ends}",
        due_at=max(membership.term_ends_at - timedelta(days=TERM_PROMPT_DAYS), now),
        user_id=membership.user_id,
        payload=TermEndingPayload(membership.id, ends),
    )


async def term_prompt_to_send(
    session: AsyncSession, item: OutboxItem, now: datetime
) -> MembershipView | None:
    """The membership the prompt asks about, unless it ended or already carried on."""
    payload = item.payload_as(TermEndingPayload)
    membership = await session.get(GroupMembership, payload.membership_id)
    if membership is None or membership.ended_at is not None or membership.term_ends_at is None:
        return None
    if int(membership.term_ends_at.timestamp()) != payload.term_ends_at:
        return None
    if membership.term_ends_at <= now:
        return None
    group = await session.get(Group, membership.group_id)
    return None if group is None else membership_view(membership, group)


def term_prompt_words(membership: MembershipView) -> str:
    """What the prompt says; the cog adds the Carry on and Step down buttons."""
    assert membership.term_ends_at is not None
    return (
        f"Your term on {membership.group.name} ends on "
        f"<t:{int(membership.term_ends_at.timestamp())}:D>. Would you like to carry on for "
        "another term? Press Carry on or Step down. Either is fine."
    )


async def carry_on(
    session: AsyncSession, membership_id: int, user_id: int, now: datetime
) -> MembershipChange:
    """Another term, from the end of this one. Only in the weeks before the term ends, so a
    second press does not add a second term."""
    membership, group = await _own_current(session, membership_id, user_id)
    if group.term_months is None or membership.term_ends_at is None:
        raise Conflict(f"{group.name} has no terms, so there is nothing to carry on. Thank you.")
    if membership.term_ends_at - now > timedelta(days=TERM_PROMPT_DAYS):
        raise Conflict(
            f"Your term on {group.name} already runs until "
            f"<t:{int(membership.term_ends_at.timestamp())}:D>. Nothing else to do."
        )
    membership.term_ends_at += relativedelta(months=group.term_months)
    await session.flush()
    await _plan_term_prompt(session, group, membership, now)
    return MembershipChange(
        membership_view(membership, group),
        added=False,
        removed=False,
        message=(
            f"Thank you for carrying on with {group.name}. Your new term ends on "
            f"<t:{int(membership.term_ends_at.timestamp())}:D>."
        ),
    )


async def step_down(
    session: AsyncSession, membership_id: int, user_id: int, now: datetime
) -> MembershipChange:
    """End the membership now, with thanks. Nothing more is asked."""
    membership, group = await _own_current(session, membership_id, user_id)
    _end(membership, now, "stepped_down")
    return MembershipChange(
        membership_view(membership, group),
        added=False,
        removed=True,
        message=(
            f"Thank you for your time on {group.name}. You have stepped down, and we will not "
            "ask you again. You are welcome to ask to join in future."
        ),
    )


async def _own_current(
    session: AsyncSession, membership_id: int, user_id: int
) -> tuple[GroupMembership, Group]:
    membership = await session.get(GroupMembership, membership_id)
    if membership is None or membership.user_id != user_id:
        raise NotFound("That group membership is no longer there. Use `/mine` to see your groups.")
    group = await session.scalar(
        select(Group).where(Group.id == membership.group_id).with_for_update()
    )
    assert group is not None
    await session.refresh(membership, with_for_update=True)
    if membership.ended_at is not None:
        raise Conflict(
            f"Your time on {group.name} has already ended, so nothing changed. "
            "You can ask to join again from the group's card."
        )
    return membership, group


async def end_finished_terms(session: AsyncSession, now: datetime) -> list[EndedTerm]:
    """The job: end every membership whose term is over, thank the person (TERM_ENDED) and
    return whose role to remove."""
    rows = await session.execute(
        select(GroupMembership, Group)
        .join(Group, Group.id == GroupMembership.group_id)
        .where(GroupMembership.ended_at.is_(None), GroupMembership.term_ends_at <= now)
        .order_by(GroupMembership.id)
        .with_for_update(of=GroupMembership, skip_locked=True)
    )
    ended = []
    for membership, group in rows:
        _end(membership, now, "term_ended")
        await outbox.enqueue(
            session,
            guild_id=group.guild_id,
            kind=TERM_ENDED,
            dedupe_key=f"{TERM_ENDED}:{membership.id}",
            due_at=now,
            user_id=membership.user_id,
            payload=TermEndedPayload(group.id),
        )
        ended.append(
            EndedTerm(group.guild_id, group.id, group.name, membership.user_id, group.role_id)
        )
    await session.flush()
    return ended


async def term_ended_to_send(session: AsyncSession, item: OutboxItem) -> str | None:
    group = await session.get(Group, item.payload_as(TermEndedPayload).group_id)
    if group is None:
        return None
    return (
        f"Your term on {group.name} has ended. Thank you for all you gave to it. "
        "If you would like to take part again, you can ask to join from the group's card."
    )


async def is_member(session: AsyncSession, group_id: int, user_id: int) -> bool:
    return await current_membership(session, group_id, user_id) is not None


# -- the sign-up check and erasure ----------------------------------------------------------


async def check_group(session: AsyncSession, activity: ActivityGate, user_id: int) -> None:
    """Refuse (`GroupOnly`, a NotAllowed) a sign-up by someone outside the activity's group."""
    if activity.group_id is None or await is_member(session, activity.group_id, user_id):
        return
    group = await group_row(session, activity.guild_id, activity.group_id)
    raise GroupOnly(
        f"{activity.title} is only for members of {group.name}. To ask to join, press "
        "Ask to join on the group's card, or ask a coordinator.",
        group.id,
    )


async def erase_person(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> list[int]:
    """Before `/mydata delete` removes their rows: end their memberships and return the group
    roles the cog should take away."""
    rows = await session.execute(
        select(GroupMembership, Group.role_id)
        .join(Group, Group.id == GroupMembership.group_id)
        .where(
            Group.guild_id == guild_id,
            GroupMembership.user_id == user_id,
            GroupMembership.ended_at.is_(None),
        )
        .with_for_update(of=GroupMembership)
    )
    roles = []
    for membership, role_id in rows:
        _end(membership, now, "left")
        roles.append(role_id)
    await session.flush()
    return roles


async def roles_held(session: AsyncSession, guild_id: int, user_id: int) -> list[int]:
    """The roles of the groups the person is a member of now."""
    rows = await session.scalars(
        select(Group.role_id)
        .join(GroupMembership, Group.id == GroupMembership.group_id)
        .where(
            Group.guild_id == guild_id,
            GroupMembership.user_id == user_id,
            GroupMembership.ended_at.is_(None),
        )
        .order_by(Group.role_id)
    )
    return list(rows)


async def current_membership(
    session: AsyncSession, group_id: int, user_id: int
) -> GroupMembership | None:
    return await session.scalar(
        select(GroupMembership).where(
            GroupMembership.group_id == group_id,
            GroupMembership.user_id == user_id,
            GroupMembership.ended_at.is_(None),
        )
    )


async def _pending_request(
    session: AsyncSession, group_id: int, user_id: int
) -> GroupJoinRequest | None:
    found = await pending_requests(session, group_id, user_id)
    return found[0] if found else None


async def pending_requests(
    session: AsyncSession, group_id: int, user_id: int
) -> list[GroupJoinRequest]:
    rows = await session.scalars(
        select(GroupJoinRequest).where(
            GroupJoinRequest.group_id == group_id,
            GroupJoinRequest.user_id == user_id,
            GroupJoinRequest.status == PENDING,
        )
    )
    return list(rows)


def membership_view(membership: GroupMembership, group: Group) -> MembershipView:
    return MembershipView(
        id=membership.id,
        group=group_view(group),
        user_id=membership.user_id,
        started_at=membership.started_at,
        term_ends_at=membership.term_ends_at,
        ended_at=membership.ended_at,
        end_reason=membership.end_reason,
    )


def request_view(request: GroupJoinRequest, group: Group) -> JoinRequestView:
    return JoinRequestView(
        id=request.id,
        group=group_view(group),
        user_id=request.user_id,
        why=request.why,
        status=request.status,
        asked_at=request.asked_at,
    )
