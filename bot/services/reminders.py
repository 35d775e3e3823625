"""The planner of scheduled prompts: reminders to everyone confirmed, "what to expect" to
participants, and checklist prompts to the lead (or coordinators when there is no lead).

It runs every minute and queues outbox rows for what it sees; the rows' keys carry the
activity's start time, so a new time means new rows, and the planner takes back rows that no
longer fit (time moved, activity cancelled, person withdrew). Each prompt is checked again when
it is sent (`reminder_to_send`, `expect_to_send`, `checklist_prompt_to_send`), so even a row
the planner has not tidied yet never says something untrue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services import outbox
from bot.services.activity_lookup import ActivityInfo, activity_info, to_info
from bot.services.checklist import ActivityChecklist, ChecklistItem, checklist
from bot.services.outbox import OutboxItem, OutboxKind
from db.models import Activity, Signup

REMINDER, EXPECT, CHECKLIST_PROMPT = (
    OutboxKind.REMINDER,
    OutboxKind.EXPECT,
    OutboxKind.CHECKLIST_PROMPT,
)
KINDS = (REMINDER, EXPECT, CHECKLIST_PROMPT)


@dataclass(frozen=True, slots=True)
class PromptPayload(outbox.OutboxPayload):
    """ "What to expect" and checklist prompts: when the activity started and when the prompt
    was due (Unix times), so one planned for an activity that moved since is dropped."""

    starts_at: int
    due: int


@dataclass(frozen=True, slots=True)
class ReminderPayload(outbox.OutboxPayload):
    """A reminder: as a prompt, and how many hours before the start it was planned for."""

    starts_at: int
    due: int
    offset_hours: float


def _payload(item: OutboxItem) -> PromptPayload | ReminderPayload:
    if item.kind == REMINDER:
        return item.payload_as(ReminderPayload)
    return item.payload_as(PromptPayload)


@dataclass(frozen=True, slots=True)
class Plan:
    queued: int
    cancelled: int
    # Activities that could not be planned (id, what went wrong), skipped so the rest go on.
    broken: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Wanted:
    """One prompt the planner wants queued."""

    kind: OutboxKind
    user_id: int
    due_at: datetime
    tag: str = ""
    offset_hours: float | None = None


@dataclass(frozen=True, slots=True)
class _Seen:
    """An activity as the planner sees it: who is confirmed, who gets checklist prompts."""

    info: ActivityInfo
    confirmed: frozenset[int]
    checklist_people: frozenset[int]


def reminder_still_useful(starts_at: datetime, offset_hours: float, now: datetime) -> bool:
    """A reminder meant for `offset_hours` before is worth sending until half that time is
    left (a "tomorrow" reminder an hour before would only repeat the next one)."""
    return starts_at - now >= timedelta(hours=offset_hours / 2)


async def plan(
    session: AsyncSession,
    *,
    now: datetime,
    offsets_hours: Sequence[float],
    items: Sequence[ChecklistItem],
    coordinators: Mapping[int, Sequence[int]],
    activity_id: int | None = None,
) -> Plan:
    """Queue every prompt owed for open activities and take back those that no longer fit.
    `coordinators` maps a guild to the people prompted about activities with no lead. Give
    `activity_id` to plan just that one (straight after a sign-up)."""
    seen = await _activities(session, now, items, coordinators, activity_id)
    cancelled = await _cancel_stale(session, seen, activity_id)
    queue = _Queue(session, await outbox.keys(session, activity_ids=list(seen), kinds=KINDS))
    broken: list[tuple[int, str]] = []
    for activity in seen.values():
        try:
            wanted = [
                *_plan_reminders(activity, offsets_hours, now),
                *_plan_expect(activity, items, now),
                *_plan_checklist(activity, items, now),
            ]
        # One activity's bad data (a date no prompt time can be worked out for) is skipped,
        # so every other activity, in every community, is still planned.
        except (ArithmeticError, ValueError, TypeError, KeyError) as error:
            broken.append((activity.info.id, f"{type(error).__name__}: {error}"))
            continue
        for prompt in wanted:
            await queue.add(prompt, activity.info)
    return Plan(queue.queued, cancelled, tuple(broken))


async def _activities(
    session: AsyncSession,
    now: datetime,
    items: Sequence[ChecklistItem],
    coordinators: Mapping[int, Sequence[int]],
    activity_id: int | None,
) -> dict[int, _Seen]:
    longest_after = max((item.offset_hours for item in items if item.stage == "after"), default=0)
    # Long enough for the latest "after" prompt of an activity lasting up to a day.
    horizon = now - timedelta(hours=longest_after + 24)
    statement = (
        select(Activity)
        .where(Activity.status == "open", Activity.starts_at >= horizon)
        .options(selectinload(Activity.signups))
    )
    if activity_id is not None:
        statement = statement.where(Activity.id == activity_id)
    seen = {}
    for row in await session.scalars(statement):
        confirmed = frozenset(s.user_id for s in row.signups if s.status == "confirmed")
        leads = (row.lead_user_id,) if row.lead_user_id else coordinators.get(row.guild_id, ())
        seen[row.id] = _Seen(to_info(row), confirmed, frozenset(leads))
    return seen


async def _cancel_stale(
    session: AsyncSession, seen: Mapping[int, _Seen], activity_id: int | None
) -> int:
    cancelled = 0
    stale = set()
    for item in await outbox.pending(session, kinds=KINDS):
        if activity_id is not None and item.activity_id != activity_id:
            continue
        activity = seen.get(item.activity_id or 0)
        if activity is None or not _still_fits(item, activity):
            stale.add((item.activity_id, item.user_id, item.kind))
    for stale_activity, user_id, kind in stale:
        cancelled += await outbox.cancel_pending(
            session, activity_id=stale_activity, user_id=user_id, kinds=[kind]
        )
    return cancelled


def _still_fits(item: OutboxItem, activity: _Seen) -> bool:
    try:
        if _payload(item).starts_at != _stamp(activity.info.starts_at):
            return False
    except outbox.PayloadError:
        return False  # a row that no longer parses is cancelled with the stale ones
    people = activity.checklist_people if item.kind == CHECKLIST_PROMPT else activity.confirmed
    return item.user_id in people


def _plan_reminders(
    activity: _Seen, offsets_hours: Sequence[float], now: datetime
) -> list[_Wanted]:
    info = activity.info
    wanted = []
    for offset in offsets_hours:
        if not reminder_still_useful(info.starts_at, offset, now):
            continue
        due_at = info.starts_at - timedelta(hours=offset)
        wanted += [
            _Wanted(REMINDER, user_id, due_at, tag=f"{offset:g}h", offset_hours=offset)
            for user_id in activity.confirmed
        ]
    return wanted


def _plan_expect(activity: _Seen, items: Sequence[ChecklistItem], now: datetime) -> list[_Wanted]:
    info = activity.info
    if info.starts_at <= now:
        return []
    return [
        _Wanted(EXPECT, user_id, due_at)
        for due_at in _times_to_plan(items, "participants", info, now)
        for user_id in activity.confirmed
    ]


def _plan_checklist(
    activity: _Seen, items: Sequence[ChecklistItem], now: datetime
) -> list[_Wanted]:
    return [
        _Wanted(CHECKLIST_PROMPT, user_id, due_at)
        for due_at in _times_to_plan(items, "lead", activity.info, now)
        for user_id in activity.checklist_people
    ]


def _times_to_plan(
    items: Sequence[ChecklistItem], audience: str, info: ActivityInfo, now: datetime
) -> list[datetime]:
    """The prompt times still ahead, plus the latest one already passed (one catch-up prompt
    for an activity planned late, instead of one for every time missed)."""
    times = sorted(
        {
            item.due_at(info.starts_at, info.duration_minutes)
            for item in items
            if item.audience == audience
        }
    )
    passed = [time for time in times if time <= now]
    return passed[-1:] + [time for time in times if time > now]


class _Queue:
    """Queues outbox rows, skipping keys already there (sent or not) without a round trip."""

    def __init__(self, session: AsyncSession, known: set[str]) -> None:
        self.session = session
        self.known = known
        self.queued = 0

    async def add(self, prompt: _Wanted, info: ActivityInfo) -> None:
        kind, user_id, due_at = prompt.kind, prompt.user_id, prompt.due_at
        tag, offset_hours = prompt.tag, prompt.offset_hours
        starts = _stamp(info.starts_at)
        key = f"{kind}:{info.id}:{user_id}:{starts}:{tag or _stamp(due_at)}"
        if key in self.known:
            return
        payload = (
            PromptPayload(starts, _stamp(due_at))
            if offset_hours is None
            else ReminderPayload(starts, _stamp(due_at), offset_hours)
        )
        self.queued += await outbox.enqueue(
            self.session,
            guild_id=info.guild_id,
            kind=kind,
            dedupe_key=key,
            due_at=due_at,
            user_id=user_id,
            activity_id=info.id,
            payload=payload,
        )
        self.known.add(key)


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


# -- checks at send time ---------------------------------------------------------------------


async def _current(session: AsyncSession, item: OutboxItem) -> ActivityInfo | None:
    """The activity, if it is still open and at the time the prompt was planned for."""
    info = await activity_info(session, item.activity_id or 0)
    if info is None or not info.is_open or _stamp(info.starts_at) != _payload(item).starts_at:
        return None
    return info


async def _is_confirmed(session: AsyncSession, activity_id: int, user_id: int | None) -> bool:
    status = await session.scalar(
        select(Signup.status).where(Signup.activity_id == activity_id, Signup.user_id == user_id)
    )
    return status == "confirmed"


async def reminder_to_send(
    session: AsyncSession, item: OutboxItem, now: datetime
) -> ActivityInfo | None:
    info = await _current(session, item)
    if info is None or not await _is_confirmed(session, info.id, item.user_id):
        return None
    if not reminder_still_useful(
        info.starts_at, item.payload_as(ReminderPayload).offset_hours, now
    ):
        return None
    return info


async def expect_to_send(
    session: AsyncSession, item: OutboxItem, items: Sequence[ChecklistItem], now: datetime
) -> tuple[ActivityInfo, list[ChecklistItem]] | None:
    """The activity and the participants' items, unless it started or they are not confirmed."""
    info = await _current(session, item)
    if info is None or info.starts_at <= now:
        return None
    if not await _is_confirmed(session, info.id, item.user_id):
        return None
    return info, [entry for entry in items if entry.audience == "participants"]


async def checklist_prompt_to_send(
    session: AsyncSession, item: OutboxItem, items: Sequence[ChecklistItem]
) -> tuple[ActivityChecklist, list[ChecklistItem]] | None:
    """The checklist and the lead's items due by this prompt that are still open; None when
    all are done (nothing to nag about) or the activity changed."""
    info = await _current(session, item)
    if info is None:
        return None
    state = await checklist(session, info, items)
    due = datetime.fromtimestamp(_payload(item).due, info.starts_at.tzinfo)
    still_open = [
        entry
        for entry in state.open_items
        if entry.audience == "lead" and entry.due_at(info.starts_at, info.duration_minutes) <= due
    ]
    return (state, still_open) if still_open else None
