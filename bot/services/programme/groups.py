"""Groups such as the advisory group: each has a Discord role and a private channel, members
with start and end dates, requests to join with a short why, optional terms that end kindly,
and a log of decisions.

Nothing is half-made: the cog checks the group with `check_new_group` first, then makes the
role and channel, then calls `create_group`; if that refuses (a name taken meanwhile), or the
transaction fails, the cog deletes the role and channel it made. Every change to who is in a
group locks the group's row first, so two changes at once cannot both pass their checks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, ConsentNeeded, InvalidInput, NotAllowed, NotFound
from bot.services import outbox
from bot.services.consent import has_consented
from bot.services.outbox import OutboxItem
from bot.services.programme.common import NOT_JOINED, GroupOnly, clean_text
from bot.services.programme.training import ActivityGate
from db.models import Group, GroupDecision, GroupJoinRequest, GroupMembership, Member

# Discord's limits: a role name and a channel name are each at most 100 characters.
MAX_NAME = 100
MAX_DESCRIPTION = 1000
MAX_WHY = 300
MAX_DECISION = 1000
MAX_TERM_MONTHS = 120
TERM_PROMPT_DAYS = 14

# Outbox kinds. The carry-on prompt is held back by pauses and quiet hours; the others are
# answers and thanks.
TERM_PROMPT = "group-term-ending"
TERM_ENDED = "group-term-ended"
REQUEST_ANSWERED = "group-request-answered"
KINDS = (TERM_PROMPT, TERM_ENDED, REQUEST_ANSWERED)

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"

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


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    group_id: int
    text: str
    decided_at: datetime


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
    return _group_view(group)


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
    return _group_view(await _group_row(session, guild_id, group_id))


async def resolve_group(session: AsyncSession, guild_id: int, typed: str) -> GroupView:
    """What was given in a `group` option: the id picked from the list, or a name (any case)."""
    text = typed.strip()
    if text.isdigit():
        found = await session.get(Group, int(text))
        if found is not None and found.guild_id == guild_id:
            return _group_view(found)
    found = await session.scalar(
        select(Group).where(Group.guild_id == guild_id, Group.name_key == text.lower())
    )
    if found is None:
        raise NotFound(
            f"I could not find a group called {text!r}. Start typing its name and pick it "
            "from the list."
        )
    return _group_view(found)


async def search_groups(
    session: AsyncSession, guild_id: int, typed: str, limit: int = 25
) -> list[GroupView]:
    """Groups whose name contains `typed` (any case), for autocomplete."""
    statement = select(Group).where(Group.guild_id == guild_id).order_by(Group.name_key)
    if typed.strip():
        statement = statement.where(Group.name_key.contains(typed.strip().lower()))
    return [_group_view(row) for row in await session.scalars(statement.limit(limit))]


async def _group_row(
    session: AsyncSession, guild_id: int, group_id: int, *, lock: bool = False
) -> Group:
    statement = select(Group).where(Group.id == group_id, Group.guild_id == guild_id)
    group = await session.scalar(statement.with_for_update() if lock else statement)
    if group is None:
        raise NotFound("That group no longer exists. Use `/group list` to see the groups.")
    return group


# -- asking to join -------------------------------------------------------------------------


async def ask_to_join(
    session: AsyncSession, guild_id: int, group_id: int, user_id: int, why: str, now: datetime
) -> JoinRequestView:
    """A request to join with a short why, for coordinators to answer. Raises ConsentNeeded
    for someone who has not joined (the cog shows the consent card)."""
    group = await _group_row(session, guild_id, group_id, lock=True)
    reason = clean_text(why, label="Why you would like to join", limit=MAX_WHY)
    if not await has_consented(session, guild_id, user_id):
        raise ConsentNeeded
    if await _current(session, group.id, user_id) is not None:
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
    return _request_view(request, group)


async def accept_request(
    session: AsyncSession, guild_id: int, request_id: int, by: int, now: datetime
) -> RequestAnswer:
    request, group = await _pending(session, guild_id, request_id)
    request.status, request.decided_at, request.decided_by = ACCEPTED, now, by
    added = False
    if await _current(session, group.id, request.user_id) is None:
        await _start(session, group, request.user_id, now)
        added = True
    await _tell_answer(session, group, request, now)
    return RequestAnswer(_request_view(request, group), True, added, accepted_words(group.name))


async def decline_request(
    session: AsyncSession, guild_id: int, request_id: int, by: int, now: datetime
) -> RequestAnswer:
    request, group = await _pending(session, guild_id, request_id)
    request.status, request.decided_at, request.decided_by = DECLINED, now, by
    await _tell_answer(session, group, request, now)
    return RequestAnswer(_request_view(request, group), False, False, declined_words(group.name))


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
    group = await _group_row(session, guild_id, request.group_id, lock=True)
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
        payload={"request_id": request.id},
    )


async def request_answer_to_send(session: AsyncSession, item: OutboxItem) -> str | None:
    """What to tell the person about their request, or None if it is gone."""
    request = await session.get(GroupJoinRequest, item.payload.get("request_id", 0))
    if request is None or request.status == PENDING:
        return None
    group = await session.get(Group, request.group_id)
    if group is None:
        return None
    return accepted_words(group.name) if request.status == ACCEPTED else declined_words(group.name)


# -- coordinators adding and removing, people leaving ----------------------------------------


async def add_member(
    session: AsyncSession, guild_id: int, group_id: int, user_id: int, now: datetime
) -> MembershipChange:
    group = await _group_row(session, guild_id, group_id, lock=True)
    if not await has_consented(session, guild_id, user_id):
        raise NotAllowed(NOT_JOINED)
    if await _current(session, group.id, user_id) is not None:
        raise Conflict(f"That person is already a member of {group.name}. Nothing changed.")
    membership = await _start(session, group, user_id, now)
    for request in await _pending_requests(session, group.id, user_id):
        request.status, request.decided_at = ACCEPTED, now
    return MembershipChange(
        _membership_view(membership, group),
        added=True,
        removed=False,
        message=f"They are now a member of {group.name}.",
    )


async def remove_member(
    session: AsyncSession, guild_id: int, group_id: int, user_id: int, now: datetime
) -> MembershipChange:
    group = await _group_row(session, guild_id, group_id, lock=True)
    membership = await _current(session, group.id, user_id)
    if membership is None:
        raise Conflict(f"That person is not a member of {group.name}, so nothing changed.")
    _end(membership, now, "removed")
    return MembershipChange(
        _membership_view(membership, group),
        added=False,
        removed=True,
        message=f"They are no longer a member of {group.name}.",
    )


async def leave_group(
    session: AsyncSession, guild_id: int, group_id: int, user_id: int, now: datetime
) -> MembershipChange:
    group = await _group_row(session, guild_id, group_id, lock=True)
    membership = await _current(session, group.id, user_id)
    if membership is None:
        raise Conflict(f"You are not a member of {group.name}, so there is nothing to leave.")
    _end(membership, now, "left")
    return MembershipChange(
        _membership_view(membership, group),
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
        payload={"membership_id": membership.id, "term_ends_at": ends},
    )


async def term_prompt_to_send(
    session: AsyncSession, item: OutboxItem, now: datetime
) -> MembershipView | None:
    """The membership the prompt asks about, unless it ended or already carried on."""
    membership = await session.get(GroupMembership, item.payload.get("membership_id", 0))
    if membership is None or membership.ended_at is not None or membership.term_ends_at is None:
        return None
    if int(membership.term_ends_at.timestamp()) != item.payload.get("term_ends_at"):
        return None
    if membership.term_ends_at <= now:
        return None
    group = await session.get(Group, membership.group_id)
    return None if group is None else _membership_view(membership, group)


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
        _membership_view(membership, group),
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
        _membership_view(membership, group),
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
            payload={"group_id": group.id},
        )
        ended.append(
            EndedTerm(group.guild_id, group.id, group.name, membership.user_id, group.role_id)
        )
    await session.flush()
    return ended


async def term_ended_to_send(session: AsyncSession, item: OutboxItem) -> str | None:
    group = await session.get(Group, item.payload.get("group_id", 0))
    if group is None:
        return None
    return (
        f"Your term on {group.name} has ended. Thank you for all you gave to it. "
        "If you would like to take part again, you can ask to join from the group's card."
    )


# -- decisions ------------------------------------------------------------------------------


async def record_decision(
    session: AsyncSession, guild_id: int, group_id: int, text: str, by: int, now: datetime
) -> Decision:
    group = await _group_row(session, guild_id, group_id)
    cleaned = clean_text(text, label="The decision", limit=MAX_DECISION)
    decision = GroupDecision(group_id=group.id, text=cleaned, decided_at=now, recorded_by=by)
    session.add(decision)
    await session.flush()
    return _decision(decision)


async def decisions(
    session: AsyncSession, guild_id: int, group_id: int, limit: int = 20
) -> list[Decision]:
    """The group's decisions, newest first."""
    group = await _group_row(session, guild_id, group_id)
    rows = await session.scalars(
        select(GroupDecision)
        .where(GroupDecision.group_id == group.id)
        .order_by(GroupDecision.decided_at.desc(), GroupDecision.id.desc())
        .limit(limit)
    )
    return [_decision(row) for row in rows]


# -- listing --------------------------------------------------------------------------------


async def group_list(
    session: AsyncSession, guild_id: int, *, decisions_each: int = 5
) -> list[GroupListing]:
    """For /group list: every group with its members, requests waiting and latest decisions."""
    listings = []
    for group in await session.scalars(
        select(Group).where(Group.guild_id == guild_id).order_by(Group.name_key)
    ):
        view = _group_view(group)
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
                tuple(_request_view(request, group) for request in requests),
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
            MyGroup(_group_view(group), True, membership.started_at, membership.term_ends_at)
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
        found.append(MyGroup(_group_view(group), False, request.asked_at, None))
    return found


async def is_member(session: AsyncSession, group_id: int, user_id: int) -> bool:
    return await _current(session, group_id, user_id) is not None


# -- the sign-up check and erasure ----------------------------------------------------------


async def check_group(session: AsyncSession, activity: ActivityGate, user_id: int) -> None:
    """Refuse (`GroupOnly`, a NotAllowed) a sign-up by someone outside the activity's group."""
    if activity.group_id is None or await is_member(session, activity.group_id, user_id):
        return
    group = await _group_row(session, activity.guild_id, activity.group_id)
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


# -- helpers --------------------------------------------------------------------------------


async def _current(session: AsyncSession, group_id: int, user_id: int) -> GroupMembership | None:
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
    found = await _pending_requests(session, group_id, user_id)
    return found[0] if found else None


async def _pending_requests(
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


def _group_view(group: Group) -> GroupView:
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


def _membership_view(membership: GroupMembership, group: Group) -> MembershipView:
    return MembershipView(
        id=membership.id,
        group=_group_view(group),
        user_id=membership.user_id,
        started_at=membership.started_at,
        term_ends_at=membership.term_ends_at,
        ended_at=membership.ended_at,
        end_reason=membership.end_reason,
    )


def _request_view(request: GroupJoinRequest, group: Group) -> JoinRequestView:
    return JoinRequestView(
        id=request.id,
        group=_group_view(group),
        user_id=request.user_id,
        why=request.why,
        status=request.status,
        asked_at=request.asked_at,
    )


def _decision(row: GroupDecision) -> Decision:
    return Decision(row.id, row.group_id, row.text, row.decided_at)
