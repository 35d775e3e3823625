"""The outbox: every message owed to someone is queued here, claimed, sent, and marked.

Claiming is one `UPDATE ... RETURNING` over a sub-select that PostgreSQL runs with
`FOR UPDATE SKIP LOCKED` (SQLite ignores that clause, and its BEGIN IMMEDIATE serialises
claimers instead), so two dispatchers never take the same row. Prompts for a paused person are
not claimed at all, so they go out as soon as the pause ends (or `/resume`), with nothing moved.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import insert_for
from db.models import Member, OutboxMessage


class OutboxKind(StrEnum):
    """Every kind of message the outbox sends, declared once. Each has a renderer registered by
    its cog (`bot.outbox.register(OutboxKind.X, render)`); tests/test_registries.py checks that.
    The values are stored in `outbox.kind`: never change one that has shipped."""

    SIGNUP_PROMOTED = "activity-promoted"
    ACTIVITY_CHANGED = "activity-changed"
    ACTIVITY_CANCELLED = "activity-cancelled"
    ACTIVITY_REFRESH = "activity-announcement"
    SERIES_DATES = "series-dates"  # several dates of a series changed or were cancelled
    REMINDER = "reminder"
    EXPECT = "what_to_expect"
    CHECKLIST_PROMPT = "checklist_prompt"
    BUDDY_INTRO = "buddy_intro"
    BUDDY_INTRO_PERSON = "buddy_intro_person"
    BUDDY_PROPOSAL = "buddy_proposal"
    BUDDY_HELP = "buddy_help"
    BUDDY_CHECKIN = "buddy_checkin"
    BUDDY_THANKS = "buddy_thanks"
    BUDDY_ENDED = "buddy_ended"
    BUDDY_WAITING = "buddy_waiting"
    FEEDBACK_REQUEST = "feedback_request"
    FEEDBACK_POST = "feedback_post"
    FEEDBACK_UPDATE = "feedback_update"
    FEEDBACK_UPDATE_POST = "feedback_update_post"
    ATTENDANCE_PROMPT = "attendance_prompt"
    TRAINING_EXPIRING = "training-expiring"
    GROUP_TERM_ENDING = "group-term-ending"
    GROUP_TERM_ENDED = "group-term-ended"
    GROUP_REQUEST_ANSWERED = "group-request-answered"
    PAYMENT_CHOICE = "payment-choice"
    INVOLVEMENT_NOTICE = "involvement-notice"
    STAY_QUESTION = "retention-stay-question"


@dataclass(frozen=True, slots=True)
class OutboxPayload:
    """What an outbox kind carries beyond its columns: a frozen dataclass per kind, declared
    next to the service that enqueues it and listed in `bot.services.payloads.PAYLOADS`.
    Fields are JSON-safe only (int, float, str, bool, date, aware datetime); never a Discord id
    (export and erasure find people through the row's columns, not its payload)."""


class PayloadError(ValueError):
    """A stored payload does not fit its class (a field missing, unknown or of the wrong type).
    The dispatcher logs it once and gives up on that row."""


P = TypeVar("P", bound=OutboxPayload)
_PLAIN: tuple[type, ...] = (bool, int, float, str)


def payload_json(payload: OutboxPayload | None) -> dict[str, Any]:
    """The row's JSON for a payload: `dataclasses.asdict`, dates and datetimes as ISO text."""
    if payload is None:
        return {}
    data = dataclasses.asdict(payload)
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in data.items()
    }


def parse_payload(cls: type[P], data: Mapping[str, Any]) -> P:
    """Read a row's JSON back into its payload class; PayloadError when it does not fit."""
    hints = typing.get_type_hints(cls)
    names = {field.name for field in dataclasses.fields(cls)}
    missing, unknown = names - set(data), set(data) - names
    if missing or unknown:
        raise PayloadError(
            f"{cls.__name__} payload {dict(data)!r}: missing {sorted(missing)}, "
            f"unknown {sorted(unknown)}"
        )
    return cls(**{name: _field(cls, name, hints[name], data[name]) for name in names})


def _field(cls: type, name: str, hint: Any, value: Any) -> Any:
    wanted = hint if isinstance(hint, type) else None
    try:
        if wanted is datetime and isinstance(value, str):
            return datetime.fromisoformat(value)
        if wanted is date and isinstance(value, str):
            return date.fromisoformat(value)
    except ValueError as error:
        raise PayloadError(f"{cls.__name__}.{name}: {value!r} is not an ISO date") from error
    fits = (
        wanted in _PLAIN
        and isinstance(value, wanted)
        and (wanted is bool or not isinstance(value, bool))
    ) or (wanted is float and isinstance(value, int) and not isinstance(value, bool))
    if not fits:
        raise PayloadError(f"{cls.__name__}.{name}: {value!r} is not {hint}")
    return value


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    guild_id: int
    kind: str
    user_id: int | None
    activity_id: int | None
    payload: dict[str, Any]  # the raw JSON; read it through `payload_as`
    due_at: datetime
    attempts: int

    def payload_as(self, cls: type[P]) -> P:
        """The payload as its typed class (PayloadError when the stored JSON does not fit)."""
        return parse_payload(cls, self.payload)


async def enqueue(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: OutboxKind,
    dedupe_key: str,
    due_at: datetime,
    user_id: int | None = None,
    activity_id: int | None = None,
    payload: OutboxPayload | None = None,
) -> bool:
    """Queue a message unless one with the same key exists; True if it was queued."""
    values = {
        "guild_id": guild_id,
        "kind": kind,
        "dedupe_key": dedupe_key,
        "due_at": due_at,
        "user_id": user_id,
        "activity_id": activity_id,
        "payload": payload_json(payload),
        "attempts": 0,
    }
    statement = (
        insert_for(session)(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(statement.returning(OutboxMessage.id))
    return result.scalar() is not None


async def cancel_pending(
    session: AsyncSession,
    *,
    activity_id: int | None = None,
    user_id: int | None = None,
    kinds: Iterable[str] | None = None,
) -> int:
    """Remove messages not sent yet (an activity cancelled, a person withdrew)."""
    statement = delete(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    if activity_id is not None:
        statement = statement.where(OutboxMessage.activity_id == activity_id)
    if user_id is not None:
        statement = statement.where(OutboxMessage.user_id == user_id)
    if kinds is not None:
        statement = statement.where(OutboxMessage.kind.in_(list(kinds)))
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    worker: str,
    limit: int,
    stale_after: timedelta,
    held_back_kinds: Collection[str] = (),
) -> list[OutboxItem]:
    """Take up to `limit` due rows for `worker`: unclaimed ones, or ones whose claim went stale
    (a dispatcher that died mid-send). Rows of `held_back_kinds` wait while their person is
    paused."""
    due_ids = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.due_at <= now,
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - stale_after),
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if held_back_kinds:
        due_ids = due_ids.where(
            or_(OutboxMessage.kind.not_in(list(held_back_kinds)), ~_recipient_paused(now))
        )
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due_ids.scalar_subquery()))
        .values(claimed_at=now, claimed_by=worker)
        .returning(OutboxMessage)
    )
    rows = sorted(result.scalars(), key=lambda row: (row.due_at, row.id))
    return [_to_item(row) for row in rows]


def _recipient_paused(now: datetime) -> Any:
    return exists().where(
        and_(
            Member.guild_id == OutboxMessage.guild_id,
            Member.user_id == OutboxMessage.user_id,
            Member.paused_until > now,
        )
    )


async def claimants(session: AsyncSession) -> set[str]:
    """The workers holding claims on rows not sent yet."""
    rows = await session.scalars(
        select(OutboxMessage.claimed_by)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.claimed_by.is_not(None))
        .distinct()
    )
    return {worker for worker in rows if worker is not None}


async def release_claims(session: AsyncSession, workers: Collection[str]) -> int:
    """Give back the rows claimed by workers known to be dead, so they go out now rather than
    when their claim goes stale."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.claimed_by.in_(list(workers)))
        .values(claimed_at=None, claimed_by=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def pending(
    session: AsyncSession, *, kinds: Collection[str], guild_id: int | None = None
) -> list[OutboxItem]:
    """Rows of these kinds not sent nor given up yet (for planners that tidy what they queued)."""
    statement = select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.kind.in_(list(kinds)),
    )
    if guild_id is not None:
        statement = statement.where(OutboxMessage.guild_id == guild_id)
    return [_to_item(row) for row in await session.scalars(statement)]


async def mark_sent(session: AsyncSession, item_id: int, now: datetime) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item_id)
        .values(sent_at=now, last_error=None)
    )


async def postpone(session: AsyncSession, item_id: int, until: datetime) -> None:
    """Hold a message back (quiet hours, a pause) without counting it as a failure."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item_id)
        .values(due_at=until, claimed_at=None, claimed_by=None)
    )


async def record_failure(
    session: AsyncSession, item_id: int, *, error: str, retry_at: datetime | None, now: datetime
) -> None:
    """Count a failed attempt; retry at `retry_at`, or give up when it is None."""
    values: dict[str, Any] = {
        "attempts": OutboxMessage.attempts + 1,
        "last_error": error[:1000],
        "claimed_at": None,
        "claimed_by": None,
    }
    if retry_at is None:
        values["failed_at"] = now
    else:
        values["due_at"] = retry_at
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == item_id).values(**values))


async def keys(
    session: AsyncSession, *, activity_ids: Collection[int], kinds: Collection[str]
) -> set[str]:
    """The keys of every row, sent or not, of these kinds for these activities."""
    rows = await session.scalars(
        select(OutboxMessage.dedupe_key).where(
            OutboxMessage.activity_id.in_(list(activity_ids)), OutboxMessage.kind.in_(list(kinds))
        )
    )
    return set(rows)


async def unreachable(
    session: AsyncSession, guild_id: int, *, activity_id: int | None = None
) -> list[OutboxItem]:
    """Messages given up on, newest first, for coordinators to follow up by hand."""
    statement = select(OutboxMessage).where(
        OutboxMessage.guild_id == guild_id, OutboxMessage.failed_at.is_not(None)
    )
    if activity_id is not None:
        statement = statement.where(OutboxMessage.activity_id == activity_id)
    rows = await session.scalars(statement.order_by(OutboxMessage.failed_at.desc()))
    return [_to_item(row) for row in rows]


def _to_item(row: OutboxMessage) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        guild_id=row.guild_id,
        kind=row.kind,
        user_id=row.user_id,
        activity_id=row.activity_id,
        payload=dict(row.payload),
        due_at=row.due_at,
        attempts=row.attempts,
    )
