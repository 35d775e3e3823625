"""Training people hold: recording a completed module (by hand or from a training activity's
attendance), how long it lasts, who holds what, the check before signing up for an activity
that needs a module, and the reminder before a module runs out.

Dates are calendar dates in the community's time zone: a module done on 5 March and valid
for 36 months runs out at the start of 5 March three years later, local time (`expires_at`
keeps that moment in UTC, so the sign-up check needs no time zone)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services import outbox
from bot.services.consent import has_consented
from bot.services.outbox import OutboxItem
from bot.services.programme.catalogue import Catalogue, TrainingModule, default_catalogue
from bot.services.programme.common import (
    NOT_JOINED,
    TrainingNeeded,
    local_date,
    start_of_day,
    to_csv,
    words_date,
)
from db.engine import insert_for
from db.models import Activity, Member, TrainingRecord

# Outbox kind of the reminder before a module runs out. Held back by pauses and quiet hours.
EXPIRY_REMINDER = outbox.OutboxKind.TRAINING_EXPIRING
REMIND_DAYS_BEFORE = 30
SOON_DAYS = 60


@dataclass(frozen=True, slots=True)
class ExpiringPayload(outbox.OutboxPayload):
    """Which module, and the expiry date the reminder was planned for."""

    module_key: str
    expires_on: date


@dataclass(frozen=True, slots=True)
class HeldModule:
    """A module someone completed, and when it runs out (None: never)."""

    user_id: int
    module_key: str
    module_name: str
    completed_on: date
    expires_on: date | None
    expires_at: datetime | None

    def held_at(self, moment: datetime) -> bool:
        return self.expires_at is None or moment < self.expires_at


@dataclass(frozen=True, slots=True)
class Recorded:
    """`changed` is False when they already held it from a later date (nothing was written)."""

    held: HeldModule
    changed: bool


@dataclass(frozen=True, slots=True)
class AttendanceRecorded:
    """What `record_from_attendance` did: the module (None when the activity teaches none),
    whom it recorded it for, and who was skipped for not having joined."""

    module: TrainingModule | None
    recorded: tuple[int, ...]
    skipped: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Holder:
    held: HeldModule
    display_name: str | None


@dataclass(frozen=True, slots=True)
class TrainingList:
    """Who holds which module now, and which of those run out within `SOON_DAYS`."""

    module: TrainingModule | None
    holders: tuple[Holder, ...]
    expiring_soon: tuple[Holder, ...]

    def csv(self) -> str:
        return to_csv(
            ["module", "discord_id", "name", "completed_on", "runs_out_on"],
            (
                [
                    h.held.module_name,
                    h.held.user_id,
                    h.display_name or "",
                    h.held.completed_on.isoformat(),
                    h.held.expires_on.isoformat() if h.held.expires_on else "never",
                ]
                for h in self.holders
            ),
        )


@dataclass(frozen=True, slots=True)
class ActivityGate:
    """What the sign-up checks need to know about an activity."""

    id: int
    guild_id: int
    title: str
    starts_at: datetime
    needs: str | None
    group_id: int | None


def gate_of(activity: Activity | Row[Any]) -> ActivityGate:
    return ActivityGate(
        id=activity.id,
        guild_id=activity.guild_id,
        title=activity.title,
        starts_at=activity.starts_at,
        needs=activity.needs,
        group_id=activity.group_id,
    )


# -- recording ------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_completed_on(text: str | None, zone: ZoneInfo, now: datetime) -> date:
    """The `date` option of /training record: empty or "today" means today in the community's
    time zone; also "yesterday", 2026-11-05 and 5/11/2026 (day first, as in the UK)."""
    today = local_date(now, zone)
    typed = (text or "").strip().lower()
    if typed in {"", "today"}:
        return today
    if typed == "yesterday":
        return today - timedelta(days=1)
    iso, uk = _ISO_DATE.match(typed), _UK_DATE.match(typed)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if uk:
            return date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        pass
    raise InvalidInput(
        f"I could not read the date {text!r}. Type a date like {today.isoformat()}, "
        "or leave it empty for today."
    )


async def record(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    module_key: str,
    completed_on: date,
    now: datetime,
    *,
    zone: ZoneInfo,
    recorded_by: int | None = None,
    catalogue: Catalogue | None = None,
) -> Recorded:
    """A coordinator records a module done on `completed_on` (today or earlier, in the
    community's time zone). Recording it again keeps the later date."""
    module = (catalogue or default_catalogue()).get(module_key)
    today = local_date(now, zone)
    if completed_on > today:
        raise InvalidInput(
            f"{words_date(completed_on)} has not happened yet. Training can be recorded on the "
            "day it was done or later. Try today's date or an earlier one."
        )
    if not await has_consented(session, guild_id, user_id):
        raise NotAllowed(NOT_JOINED)
    return await _store(session, guild_id, user_id, module, completed_on, now, zone, recorded_by)


async def record_from_attendance(
    session: AsyncSession,
    activity_id: int,
    user_ids: Iterable[int],
    now: datetime,
    *,
    zone: ZoneInfo,
    recorded_by: int | None = None,
    catalogue: Catalogue | None = None,
) -> AttendanceRecorded:
    """For attendance: everyone who came to a training activity holds the module it teaches,
    from the activity's date in the community's time zone. An activity that teaches nothing
    records nothing; people who have not joined are skipped."""
    activity = await session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("That activity no longer exists, so no training was recorded.")
    if activity.teaches is None:
        return AttendanceRecorded(None, (), ())
    module = (catalogue or default_catalogue()).find(activity.teaches)
    if module is None:
        raise Conflict(
            f"{activity.title} teaches a training that is no longer on the list, so nothing "
            "was recorded. Ask whoever looks after config/training.toml to add it back."
        )
    completed_on = local_date(activity.starts_at, zone)
    recorded, skipped = [], []
    for user_id in dict.fromkeys(user_ids):
        if not await has_consented(session, activity.guild_id, user_id):
            skipped.append(user_id)
            continue
        await _store(
            session,
            activity.guild_id,
            user_id,
            module,
            completed_on,
            now,
            zone,
            recorded_by,
            activity_id=activity.id,
        )
        recorded.append(user_id)
    return AttendanceRecorded(module, tuple(recorded), tuple(skipped))


async def _store(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    module: TrainingModule,
    completed_on: date,
    now: datetime,
    zone: ZoneInfo,
    recorded_by: int | None,
    *,
    activity_id: int | None = None,
) -> Recorded:
    expires_on = module.expires_on(completed_on)
    values = {
        "completed_on": completed_on,
        "expires_on": expires_on,
        "expires_at": start_of_day(expires_on, zone) if expires_on else None,
        "activity_id": activity_id,
        "recorded_by": recorded_by,
        "updated_at": now,
    }
    created = await session.scalar(
        insert_for(session)(TrainingRecord)
        .values(guild_id=guild_id, user_id=user_id, module_key=module.key, created_at=now, **values)
        .on_conflict_do_nothing(index_elements=["guild_id", "user_id", "module_key"])
        .returning(TrainingRecord.id)
    )
    row = await session.scalar(
        select(TrainingRecord)
        .where(
            TrainingRecord.guild_id == guild_id,
            TrainingRecord.user_id == user_id,
            TrainingRecord.module_key == module.key,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    if created is None:
        if completed_on <= row.completed_on:
            return Recorded(_held(row, module.name), changed=False)
        for name, value in values.items():
            setattr(row, name, value)
        await session.flush()
    await _plan_reminder(session, row, now)
    return Recorded(_held(row, module.name), changed=True)


async def _plan_reminder(session: AsyncSession, row: TrainingRecord, now: datetime) -> None:
    """One reminder `REMIND_DAYS_BEFORE` days before it runs out (at once if that is past).
    A reminder planned for an earlier date is left to `expiry_reminder_to_send` to drop."""
    if row.expires_at is None or row.expires_on is None or row.expires_at <= now:
        return
    await outbox.enqueue(
        session,
        guild_id=row.guild_id,
        kind=EXPIRY_REMINDER,
        dedupe_key=f"{EXPIRY_REMINDER}:{row.id}:{row.expires_on.isoformat()}",
        due_at=max(row.expires_at - timedelta(days=REMIND_DAYS_BEFORE), now),
        user_id=row.user_id,
        payload=ExpiringPayload(row.module_key, row.expires_on),
    )


def _held(row: TrainingRecord, name: str) -> HeldModule:
    return HeldModule(
        user_id=row.user_id,
        module_key=row.module_key,
        module_name=name,
        completed_on=row.completed_on,
        expires_on=row.expires_on,
        expires_at=row.expires_at,
    )


# -- reading --------------------------------------------------------------------------------


async def held_modules(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    *,
    catalogue: Catalogue | None = None,
) -> list[HeldModule]:
    """For /mine: every module the person has done, in the catalogue's order, with when it
    runs out (check `held_at(now)` to tell a module that has already run out)."""
    modules = catalogue or default_catalogue()
    rows = await session.scalars(
        select(TrainingRecord).where(
            TrainingRecord.guild_id == guild_id, TrainingRecord.user_id == user_id
        )
    )
    order = {module.key: index for index, module in enumerate(modules)}
    found = [_held(row, modules.name_of(row.module_key)) for row in rows]
    return sorted(found, key=lambda held: (order.get(held.module_key, len(order)), held.module_key))


async def training_list(
    session: AsyncSession,
    guild_id: int,
    now: datetime,
    *,
    module: str | None = None,
    catalogue: Catalogue | None = None,
) -> TrainingList:
    """For /training list: who holds each module now (or one module), and which of those run
    out in the next `SOON_DAYS` days, soonest first. `.csv()` gives the spreadsheet."""
    modules = catalogue or default_catalogue()
    chosen = modules.get(module) if module else None
    statement = _holders().where(
        TrainingRecord.guild_id == guild_id,
        (TrainingRecord.expires_at.is_(None)) | (TrainingRecord.expires_at > now),
    )
    if chosen is not None:
        statement = statement.where(TrainingRecord.module_key == chosen.key)
    holders = await _to_holders(session, statement, modules)
    order = {entry.key: index for index, entry in enumerate(modules)}
    holders.sort(
        key=lambda h: (
            order.get(h.held.module_key, len(order)),
            (h.display_name or "").lower(),
            h.held.user_id,
        )
    )
    soon = now + timedelta(days=SOON_DAYS)
    expiring = sorted(
        (h for h in holders if h.held.expires_at is not None and h.held.expires_at <= soon),
        key=lambda h: (h.held.expires_at, h.held.user_id),
    )
    return TrainingList(chosen, tuple(holders), tuple(expiring))


async def expiring_in_month(
    session: AsyncSession,
    guild_id: int,
    year: int,
    month: int,
    *,
    catalogue: Catalogue | None = None,
) -> list[Holder]:
    """For coordinators: every module that runs out during this calendar month (community
    dates), soonest first, whether it has already run out or not."""
    if not 1 <= month <= 12:
        raise InvalidInput("A month is a number from 1 to 12. Try 3 for March.")
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    statement = (
        _holders()
        .where(
            TrainingRecord.guild_id == guild_id,
            TrainingRecord.expires_on >= first,
            TrainingRecord.expires_on < after,
        )
        .order_by(TrainingRecord.expires_on, TrainingRecord.user_id, TrainingRecord.module_key)
    )
    return await _to_holders(session, statement, catalogue or default_catalogue())


def _holders() -> Any:
    return select(TrainingRecord, Member.display_name).outerjoin(
        Member,
        (Member.guild_id == TrainingRecord.guild_id) & (Member.user_id == TrainingRecord.user_id),
    )


async def _to_holders(session: AsyncSession, statement: Any, modules: Catalogue) -> list[Holder]:
    rows = await session.execute(statement)
    return [Holder(_held(row, modules.name_of(row.module_key)), name) for row, name in rows]


# -- the sign-up check ----------------------------------------------------------------------


async def check_training(
    session: AsyncSession,
    activity: ActivityGate,
    user_id: int,
    now: datetime,
    *,
    catalogue: Catalogue | None = None,
) -> None:
    """Refuse (`TrainingNeeded`, a NotAllowed) unless the person holds the module the activity
    needs and it lasts until the activity starts. The refusal names the module and the next
    training that teaches it."""
    if activity.needs is None:
        return
    found = (
        await session.execute(
            select(TrainingRecord.id, TrainingRecord.expires_at).where(
                TrainingRecord.guild_id == activity.guild_id,
                TrainingRecord.user_id == user_id,
                TrainingRecord.module_key == activity.needs,
            )
        )
    ).one_or_none()
    held, expires_at = (found.id, found.expires_at) if found else (None, None)
    if held is not None and (expires_at is None or expires_at > activity.starts_at):
        return
    name = (catalogue or default_catalogue()).name_of(activity.needs)
    training = await next_training(session, activity.guild_id, activity.needs, now)
    if held is None:
        problem = f"{activity.title} needs the {name} training first."
    elif expires_at is not None and expires_at <= now:
        problem = f"{activity.title} needs the {name} training, and yours has run out."
    else:
        problem = (
            f"{activity.title} needs the {name} training. Yours runs out before it starts, "
            "so it does not count."
        )
    if training is None:
        step = "No training for it is planned yet. Ask a coordinator when the next one is."
    else:
        step = (
            f"You can sign up for {training.title} on "
            f"<t:{int(training.starts_at.timestamp())}:F>, which teaches it."
        )
    raise TrainingNeeded(f"{problem} {step}", activity.needs, training.id if training else None)


@dataclass(frozen=True, slots=True)
class Training:
    id: int
    title: str
    starts_at: datetime


async def next_training(
    session: AsyncSession, guild_id: int, module_key: str, now: datetime
) -> Training | None:
    """The soonest open activity still to come that teaches the module."""
    row = (
        await session.execute(
            select(Activity.id, Activity.title, Activity.starts_at)
            .where(
                Activity.guild_id == guild_id,
                Activity.teaches == module_key,
                Activity.status == "open",
                Activity.starts_at > now,
            )
            .order_by(Activity.starts_at, Activity.id)
            .limit(1)
        )
    ).one_or_none()
    return None if row is None else Training(row.id, row.title, row.starts_at)


# -- the reminder ---------------------------------------------------------------------------


async def expiry_reminder_to_send(
    session: AsyncSession,
    item: OutboxItem,
    now: datetime,
    *,
    catalogue: Catalogue | None = None,
) -> HeldModule | None:
    """The module the reminder is about, unless it was renewed since (a later date), erased,
    or has already run out."""
    payload = item.payload_as(ExpiringPayload)
    row = await session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.guild_id == item.guild_id,
            TrainingRecord.user_id == item.user_id,
            TrainingRecord.module_key == payload.module_key,
        )
    )
    if row is None or row.expires_on is None or row.expires_at is None:
        return None
    if row.expires_on != payload.expires_on or row.expires_at <= now:
        return None
    return _held(row, (catalogue or default_catalogue()).name_of(row.module_key))


def expiry_reminder_words(held: HeldModule) -> str:
    """What the reminder says."""
    assert held.expires_on is not None
    return (
        f"Your {held.module_name} training runs out on {words_date(held.expires_on)}. "
        "After that you cannot sign up for activities that need it. "
        "Use `/activities` to find a training session, or ask a coordinator."
    )
