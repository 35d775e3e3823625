"""Repeating activities: a series makes one ordinary activity per date, a rolling window ahead.

The rule is `dateutil.rrule` over wall-clock times in the community's time zone, so 14:00 stays
14:00 across a clock change. `monthly` means the same weekday of the month (the second Tuesday);
a fifth weekday means the last one, so a month without a fifth Friday gets its last Friday.

Each occurrence is an `Activity` with its own places, sign-ups, reminders and feedback, linked
to the series by its slot (its number in the rule). `extend` (the rolling window job) makes the
slots that have come into the window; the unique (series, slot) pair and the series row lock
make a duplicate impossible, also when two runs overlap. Slots whose time passed while the bot
was down are skipped, and the rest of the window is caught up.

"This and later" changes apply to the occurrences already made and to the series' template, so
dates not made yet follow too. A time change moves the rule itself: from that slot on it runs
from the new date and time (`first_slot`). Cancelling or changing several dates returns, per
person, the dates that changed, so the caller can tell each person once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, ConsentNeeded, InvalidInput, NotFound, UserFacingError
from bot.services import activities, outbox, signups
from bot.services.activities import ActivityChanges, ActivityDraft, ActivityView
from bot.services.activity_lookup import not_found
from db.models import FREQUENCIES, Activity, ActivitySeries, SeriesOccurrence, Signup

DEFAULT_WINDOW = timedelta(weeks=8)  # `settings.series.window_weeks` chooses it in the bot
DEFAULT_UNTIL_MONTHS = 6
MAX_UNTIL_YEARS = 2
NEXT_DATES = 5
# Discord allows 100 scheduled or active events per server.
EVENT_LIMIT = 100
DAY_NAMES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class DatesPayload(outbox.OutboxPayload):
    """One message to a person about several dates of a series: what happened to them
    ("changed" or "cancelled") and which activities, as ids joined by "-"."""

    change: str
    activity_ids: str

    def ids(self) -> list[int]:
        return [int(part) for part in self.activity_ids.split("-") if part]


class Which(StrEnum):
    """Which dates an edit or a cancellation touches."""

    THIS = "this one"
    LATER = "this and later ones"


@dataclass(frozen=True, slots=True)
class SeriesDraft:
    """The first date's details (`activity.starts_at` is the first date) and how it repeats."""

    activity: ActivityDraft
    repeat: str  # weekly | fortnightly | monthly
    until: date | None = None  # the last day it may fall on; None: 6 months after the first


@dataclass(frozen=True, slots=True)
class SeriesView:
    id: int
    guild_id: int
    repeat: str
    timezone: str
    until: date
    title: str
    next_dates: tuple[datetime, ...]  # the next few start times (UTC), made yet or not

    @property
    def ended(self) -> bool:
        return not self.next_dates


@dataclass(frozen=True, slots=True)
class SeriesCreated:
    series: SeriesView
    occurrences: list[ActivityView]  # made now, soonest first; the first date is always one
    default_until: bool  # True when no `until` was given and 6 months was used


@dataclass(frozen=True, slots=True)
class DateSignup:
    """The result of "sign up for all" for one date: `status` is confirmed, waiting (with the
    waitlist `position`) or refused (with the plain `message`, such as "already signed up")."""

    activity_id: int
    starts_at: datetime
    status: str
    position: int | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class PersonDates:
    """One person and the dates (UTC starts, soonest first) a change touched: one message each."""

    user_id: int
    dates: tuple[datetime, ...]
    activity_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SeriesEdit:
    changed: list[ActivityView]  # every occurrence changed, soonest first
    notices: list[PersonDates]  # people to tell of a new time or place ("this and later" only)
    series: SeriesView


@dataclass(frozen=True, slots=True)
class SeriesCancel:
    cancelled: list[ActivityView]
    notices: list[PersonDates]  # everyone signed up or waiting, with their cancelled dates
    series: SeriesView


@dataclass(frozen=True, slots=True)
class EventBudget:
    """Discord scheduled events: how many this community has now, and the occurrences inside
    the window that have none yet (soonest first)."""

    active: int
    missing: list[ActivityView]
    limit: int = EVENT_LIMIT

    @property
    def room(self) -> int:
        return max(self.limit - self.active, 0)

    @property
    def to_create(self) -> list[ActivityView]:
        return self.missing[: self.room]

    @property
    def held_back(self) -> int:
        """Occurrences that must wait for an event because the server is at the limit."""
        return len(self.missing) - len(self.to_create)


@dataclass(frozen=True, slots=True)
class Override:
    """An occurrence whose time or details differ from the rule: `rule_start` is the date the
    rule gave it (the calendar's RECURRENCE-ID)."""

    rule_start: datetime
    activity: ActivityView


@dataclass(frozen=True, slots=True)
class SeriesCalendar:
    """What `calendar.series_ics` needs: the rule as it now runs and its exceptions. Times are
    aware, in the community's zone."""

    id: int
    guild_id: int
    title: str
    place: str | None
    description: str | None
    duration_minutes: int
    zone: ZoneInfo
    frequency: str  # WEEKLY | MONTHLY
    interval: int
    by_day: str | None  # for monthly: 2TU, or -1FR for a fifth weekday
    first_start: datetime
    until: date
    exdates: tuple[datetime, ...]  # cancelled dates
    overrides: tuple[Override, ...]
    # Every date of the rule was cancelled ("this and later" from its first date).
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """The dates of a series as wall-clock times in its zone, numbered from `first_slot`."""

    frequency: str
    zone: ZoneInfo
    first_day: date
    at_time: time
    first_slot: int
    until: date

    @classmethod
    def of(cls, series: ActivitySeries) -> Rule:
        return cls(
            series.frequency,
            ZoneInfo(series.timezone),
            series.first_day,
            series.at_time,
            series.first_slot,
            series.until,
        )

    @property
    def interval(self) -> int:
        return 2 if self.frequency == "fortnightly" else 1

    @property
    def by_day(self) -> weekday | None:
        if self.frequency != "monthly":
            return None
        nth = (self.first_day.day - 1) // 7 + 1
        return weekday(self.first_day.weekday(), nth if nth < 5 else -1)

    @property
    def by_day_text(self) -> str | None:
        day = self.by_day
        return None if day is None else f"{day.n}{DAY_NAMES[day.weekday]}"

    def local_starts(self, until: date | None = None) -> Iterator[tuple[int, datetime]]:
        """(slot, naive local start) for every date of the rule, up to `until` (default: the
        rule's own) or for ever when `until` is date.max."""
        last = until or self.until
        rule = rrule(
            MONTHLY if self.frequency == "monthly" else WEEKLY,
            interval=self.interval,
            dtstart=datetime.combine(self.first_day, self.at_time),
            byweekday=self.by_day,
            until=None if last == date.max else datetime.combine(last, time.max),
        )
        for number, start in enumerate(rule):
            yield self.first_slot + number, start

    def start_of(self, slot: int) -> datetime | None:
        """The UTC start the rule gives `slot`, or None before the rule's first slot."""
        if slot < self.first_slot:
            return None
        for number, local in self.local_starts(date.max):
            if number == slot:
                return to_utc(local, self.zone)
        return None  # pragma: no cover - an rrule without until never ends

    def utc_starts(self) -> Iterator[tuple[int, datetime]]:
        for slot, local in self.local_starts():
            yield slot, to_utc(local, self.zone)


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def check_local_time(local: datetime, zone: ZoneInfo) -> None:
    """Refuse a wall-clock time that the clocks skip or pass twice on that day."""
    aware = local.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise InvalidInput(
            f"{local:%H:%M} does not exist on {_day(local)}: the clocks go forward that night. "
            "Pick a different time of day."
        )
    if aware.replace(fold=0).utcoffset() != aware.replace(fold=1).utcoffset():
        raise InvalidInput(
            f"{local:%H:%M} happens twice on {_day(local)}: the clocks go back that night. "
            "Pick a different time of day."
        )


async def create_series(
    session: AsyncSession,
    guild_id: int,
    draft: SeriesDraft,
    zone: ZoneInfo,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
) -> SeriesCreated:
    """Store the series and make its occurrences inside the window (the first date always)."""
    first = draft.activity
    activities.check_draft(first, now)
    if draft.repeat not in FREQUENCIES:
        raise InvalidInput(f"Repeat must be one of: {', '.join(FREQUENCIES)}.")
    local = first.starts_at.astimezone(zone).replace(tzinfo=None)
    check_local_time(local, zone)
    until, default_until = _until(draft.until, local.date(), now, zone)
    rule = Rule(draft.repeat, zone, local.date(), local.time(), 0, until)
    for _slot, start in rule.local_starts():
        check_local_time(start, zone)
    series = ActivitySeries(
        guild_id=guild_id,
        frequency=draft.repeat,
        timezone=zone.key,
        first_day=rule.first_day,
        at_time=rule.at_time,
        first_slot=0,
        until=until,
        title=first.title.strip(),
        kind=first.kind,
        duration_minutes=first.duration_minutes,
        capacity=first.capacity,
        place=_blank_to_none(first.place),
        description=_blank_to_none(first.description),
        lead_user_id=first.lead_user_id,
        created_at=now,
    )
    session.add(series)
    await session.flush()
    made = await _extend_one(session, series, now, window)
    return SeriesCreated(await _view(session, series, now), made, default_until)


async def extend(
    session: AsyncSession,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
    guild_ids: Collection[int] | None = None,
) -> list[ActivityView]:
    """The rolling window job: make every occurrence that starts within `window` from now and
    is not made yet, in every series (or those of the communities this process serves).
    Safe to run again, or twice at once. Returns what it made, soonest series first, so the
    caller can post announcements and events."""
    query = select(ActivitySeries.id).where(
        ActivitySeries.until >= (now - timedelta(days=1)).date()
    )
    if guild_ids is not None:
        query = query.where(ActivitySeries.guild_id.in_(list(guild_ids)))
    made: list[ActivityView] = []
    for series_id in list(await session.scalars(query.order_by(ActivitySeries.id))):
        series = await _lock_series(session, series_id)
        made += await _extend_one(session, series, now, window)
    return made


async def series_of(session: AsyncSession, activity_id: int, now: datetime) -> SeriesView | None:
    """The series an activity belongs to, or None for a one-off."""
    series = await session.scalar(
        select(ActivitySeries)
        .join(SeriesOccurrence, SeriesOccurrence.series_id == ActivitySeries.id)
        .where(SeriesOccurrence.activity_id == activity_id)
    )
    return None if series is None else await _view(session, series, now)


async def sign_up_for_all(
    session: AsyncSession, guild_id: int, activity_id: int, user_id: int, now: datetime
) -> list[DateSignup]:
    """Sign the person up for every open date of this activity's series made so far (the
    window), soonest first, with the usual rules: a place, or the waiting list when full.
    A date that refuses (already signed up, sign-ups closed) is reported, not fatal.
    Raises ConsentNeeded before anything is stored when the person has not agreed yet."""
    series_id = await _series_id(session, guild_id, activity_id)
    rows = await session.execute(
        select(Activity.id, Activity.starts_at)
        .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
        .where(
            SeriesOccurrence.series_id == series_id,
            Activity.status == "open",
            Activity.starts_at > now,
        )
        .order_by(Activity.starts_at, Activity.id)
    )
    results: list[DateSignup] = []
    for occurrence_id, starts_at in list(rows):
        try:
            done = await signups.sign_up(session, guild_id, occurrence_id, user_id, now)
        except ConsentNeeded:
            raise
        except UserFacingError as refused:
            results.append(DateSignup(occurrence_id, starts_at, "refused", None, refused.message))
            continue
        results.append(DateSignup(occurrence_id, starts_at, done.status, done.position))
    return results


async def edit(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    changes: ActivityChanges,
    which: Which,
    now: datetime,
) -> SeriesEdit:
    """Change one date, or this date and every later one (made or not). `changes.starts_at`
    is this date's new start; later dates move to the same weekday and local time.
    "This one" goes through `activities.edit_activity`, which tells people itself; for
    "this and later" the caller tells each person in `notices` once. Places freed by a higher
    capacity go to the people waiting longest here (they are told through the outbox)."""
    series, slot, _ = await _occurrence(session, guild_id, activity_id, now, "change")
    if which == Which.THIS:
        await activities.edit_activity(session, guild_id, activity_id, changes, now)
        if changes.capacity is not None:
            await signups.fill_free_places(session, guild_id, activity_id, now)
        view = await activities.get_activity(session, guild_id, activity_id)
        return SeriesEdit([view], [], await _view(session, series, now))
    later = await _later(session, series.id, slot, now)
    template = _template(series, changes)
    activities.check_draft(replace(template, starts_at=later[0][1].starts_at), now)
    if changes.capacity is not None:
        await _check_capacity(session, [a for _, a in later], changes.capacity, series.timezone)
    zone = ZoneInfo(series.timezone)
    if changes.starts_at is not None:
        await _check_after_previous(session, series.id, slot, changes.starts_at, series.timezone)
        await _move_rule(series, slot, changes.starts_at, len(later), zone, now)
    rule = Rule.of(series)
    touched: dict[int, list[Activity]] = defaultdict(list)
    for occurrence_slot, occurrence in later:
        new_start = rule.start_of(occurrence_slot) if changes.starts_at is not None else None
        moved = new_start is not None and new_start != occurrence.starts_at
        relocated = changes.place is not None and template.place != occurrence.place
        if new_start is not None:
            occurrence.starts_at = new_start
        if changes.title is not None:
            occurrence.title = template.title
        if changes.place is not None:
            occurrence.place = template.place
        if changes.description is not None:
            occurrence.description = template.description
        if changes.capacity is not None:
            occurrence.capacity = changes.capacity
        if moved or relocated:
            for user_id in await _people(session, occurrence.id):
                touched[user_id].append(occurrence)
    series.title, series.place = template.title, template.place
    series.description, series.capacity = template.description, template.capacity
    await session.flush()
    if changes.capacity is not None:
        for _, occurrence in later:
            await signups.fill_free_places(session, guild_id, occurrence.id, now)
    changed = [await activities.view_of(session, a) for _, a in later]
    return SeriesEdit(changed, _notices(touched), await _view(session, series, now))


async def cancel(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    reason: str | None,
    which: Which,
    now: datetime,
) -> SeriesCancel:
    """Cancel one date, or this date and every later one (the series then ends before it).
    Nobody is told here: the caller tells each person in `notices` once, listing their dates."""
    if reason is not None and len(reason) > 500:
        raise InvalidInput(f"The reason is {len(reason)} characters long; the most is 500.")
    series, slot, activity = await _occurrence(session, guild_id, activity_id, now, "cancel")
    if which == Which.THIS:
        targets = [activity]
    else:
        targets = [a for _, a in await _later(session, series.id, slot, now)]
        rule = Rule.of(series)
        first_gone = rule.start_of(slot)
        last_day = (
            first_gone.astimezone(rule.zone).date() if first_gone is not None else rule.first_day
        ) - timedelta(days=1)
        series.until = min(series.until, last_day)
    touched: dict[int, list[Activity]] = defaultdict(list)
    for target in targets:
        target.status = "cancelled"
        target.cancel_reason = _blank_to_none(reason)
        for user_id in await _people(session, target.id):
            touched[user_id].append(target)
    await session.flush()
    cancelled = [await activities.view_of(session, a) for a in targets]
    return SeriesCancel(cancelled, _notices(touched), await _view(session, series, now))


async def event_budget(
    session: AsyncSession,
    guild_id: int,
    now: datetime,
    discord_active: int | None = None,
    window: timedelta = DEFAULT_WINDOW,
    limit: int = EVENT_LIMIT,
) -> EventBudget:
    """How many scheduled events this community has (the activities mirrored by one that
    have not ended; or `discord_active`, the count Discord gives, when the caller has it, as
    it includes events people made by hand), and which occurrences within the window have no
    event yet. Create `to_create` and tell the coordinator about `held_back`."""
    rows = await session.execute(
        select(Activity.starts_at, Activity.duration_minutes).where(
            Activity.guild_id == guild_id,
            Activity.status == "open",
            Activity.scheduled_event_id.is_not(None),
            Activity.starts_at > now - timedelta(days=1),
        )
    )
    ours = sum(1 for start, minutes in rows if start + timedelta(minutes=minutes) > now)
    missing = await session.scalars(
        select(Activity)
        .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
        .where(
            Activity.guild_id == guild_id,
            Activity.status == "open",
            Activity.scheduled_event_id.is_(None),
            Activity.starts_at > now,
            Activity.starts_at <= now + window,
        )
        .order_by(Activity.starts_at, Activity.id)
    )
    views = [await activities.view_of(session, a) for a in missing]
    return EventBudget(ours if discord_active is None else discord_active, views, limit)


async def calendar_for(session: AsyncSession, activity_id: int) -> SeriesCalendar | None:
    """The series of this activity as a calendar rule with its exceptions, or None for a
    one-off. Dates made under an earlier rule (before a "this and later" time change) are
    not part of it: the file describes the series as it now runs."""
    series = await session.scalar(
        select(ActivitySeries)
        .join(SeriesOccurrence, SeriesOccurrence.series_id == ActivitySeries.id)
        .where(SeriesOccurrence.activity_id == activity_id)
    )
    if series is None:
        return None
    rule = Rule.of(series)
    rule_slots = dict(rule.utc_starts())
    rows = await session.execute(
        select(SeriesOccurrence.slot, Activity)
        .join(Activity, SeriesOccurrence.activity_id == Activity.id)
        .where(SeriesOccurrence.series_id == series.id, SeriesOccurrence.slot >= rule.first_slot)
        .order_by(SeriesOccurrence.slot)
    )
    exdates: list[datetime] = []
    overrides: list[Override] = []
    for slot, occurrence in rows:
        rule_start = rule_slots.get(slot)
        if rule_start is None:
            continue
        if occurrence.status == "cancelled":
            exdates.append(rule_start.astimezone(rule.zone))
        elif (
            occurrence.starts_at,
            occurrence.title,
            occurrence.place,
            occurrence.duration_minutes,
        ) != (rule_start, series.title, series.place, series.duration_minutes):
            overrides.append(
                Override(rule_start.astimezone(rule.zone), activities.to_view(occurrence, 0, 0))
            )
    return SeriesCalendar(
        id=series.id,
        guild_id=series.guild_id,
        title=series.title,
        place=series.place,
        description=series.description,
        duration_minutes=series.duration_minutes,
        zone=rule.zone,
        frequency="MONTHLY" if rule.frequency == "monthly" else "WEEKLY",
        interval=rule.interval,
        by_day=rule.by_day_text,
        first_start=datetime.combine(rule.first_day, rule.at_time, tzinfo=rule.zone),
        until=max(rule.until, rule.first_day),
        exdates=tuple(exdates),
        overrides=tuple(overrides),
        cancelled=not rule_slots,
    )


@dataclass(frozen=True, slots=True)
class SeriesState:
    """What a series' one announcement shows: the series, its next open date to come (None
    when none is left) and its first date, which carries the announcement's ids."""

    series: SeriesView
    next: ActivityView | None
    first: ActivityView


async def series_id_of(session: AsyncSession, activity_id: int) -> int | None:
    """The series an activity belongs to, or None for a one-off."""
    return await session.scalar(
        select(SeriesOccurrence.series_id).where(SeriesOccurrence.activity_id == activity_id)
    )


async def state_of(
    session: AsyncSession, series_id: int, now: datetime, guild_id: int | None = None
) -> SeriesState:
    """The series with its next and first dates; NotFound for another community's series."""
    series = await session.get(ActivitySeries, series_id)
    if series is None or (guild_id is not None and series.guild_id != guild_id):
        raise NotFound("I could not find that repeating activity. Try `/activities`.")
    rows = list(
        await session.scalars(
            select(Activity)
            .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
            .where(SeriesOccurrence.series_id == series_id)
            .order_by(SeriesOccurrence.slot)
        )
    )
    upcoming = sorted(
        (a for a in rows if a.status == "open" and a.starts_at > now),
        key=lambda a: (a.starts_at, a.id),
    )
    return SeriesState(
        await _view(session, series, now),
        await activities.view_of(session, upcoming[0]) if upcoming else None,
        await activities.view_of(session, rows[0]),
    )


async def next_of_mine(
    session: AsyncSession, series_id: int, user_id: int, now: datetime
) -> ActivityView | None:
    """The soonest date to come of the series that the person has a place on or waits for."""
    found = await session.scalar(
        select(Activity)
        .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
        .join(Signup, Signup.activity_id == Activity.id)
        .where(
            SeriesOccurrence.series_id == series_id,
            Signup.user_id == user_id,
            Activity.status == "open",
            Activity.starts_at > now,
        )
        .order_by(Activity.starts_at, Activity.id)
    )
    return None if found is None else await activities.view_of(session, found)


async def live_series(
    session: AsyncSession, now: datetime, guild_ids: Collection[int] | None = None
) -> list[int]:
    """The series whose last day has not passed (their announcements still change)."""
    query = select(ActivitySeries.id).where(
        ActivitySeries.until >= (now - timedelta(days=1)).date()
    )
    if guild_ids is not None:
        query = query.where(ActivitySeries.guild_id.in_(list(guild_ids)))
    return list(await session.scalars(query.order_by(ActivitySeries.id)))


async def discard_series(session: AsyncSession, series_id: int) -> None:
    """Undo a creation whose announcement could not be posted: the series and its dates."""
    activity_ids = list(
        await session.scalars(
            select(SeriesOccurrence.activity_id).where(SeriesOccurrence.series_id == series_id)
        )
    )
    for activity_id in activity_ids:
        await activities.discard(session, activity_id)
    series = await session.get(ActivitySeries, series_id)
    if series is not None:
        await session.delete(series)


async def _extend_one(
    session: AsyncSession, series: ActivitySeries, now: datetime, window: timedelta
) -> list[ActivityView]:
    """Make this (locked) series' missing slots that start after now and within the window;
    with none made yet, the first one whatever the window."""
    newest = await session.scalar(
        select(func.max(SeriesOccurrence.slot)).where(SeriesOccurrence.series_id == series.id)
    )
    horizon = now + window
    made: list[ActivityView] = []
    for slot, start in Rule.of(series).utc_starts():
        if newest is not None and slot <= newest:
            continue
        if start > horizon and (made or newest is not None):
            break
        if start <= now:
            continue  # its time passed while nobody made it
        draft = ActivityDraft(
            title=series.title,
            kind=series.kind,
            starts_at=start,
            capacity=series.capacity,
            duration_minutes=series.duration_minutes,
            place=series.place,
            description=series.description,
            lead_user_id=series.lead_user_id,
        )
        view = await activities.create_activity(session, series.guild_id, draft, now)
        session.add(SeriesOccurrence(series_id=series.id, slot=slot, activity_id=view.id))
        await session.flush()
        made.append(view)
    if made:
        series.extended_at = now
    return made


async def _lock_series(session: AsyncSession, series_id: int) -> ActivitySeries:
    series = await session.scalar(
        select(ActivitySeries)
        .where(ActivitySeries.id == series_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert series is not None
    return series


async def _series_id(session: AsyncSession, guild_id: int, activity_id: int) -> int:
    found = await session.execute(
        select(SeriesOccurrence.series_id, Activity.guild_id)
        .join(Activity, SeriesOccurrence.activity_id == Activity.id)
        .where(SeriesOccurrence.activity_id == activity_id)
    )
    row = found.one_or_none()
    if row is None:
        if await session.get(Activity, activity_id) is None:
            raise NotFound(not_found(str(activity_id)))
        raise InvalidInput("That activity does not repeat. Use it as a single activity instead.")
    if row.guild_id != guild_id:
        raise NotFound(not_found(str(activity_id)))
    return int(row.series_id)


async def _occurrence(
    session: AsyncSession, guild_id: int, activity_id: int, now: datetime, verb: str
) -> tuple[ActivitySeries, int, Activity]:
    """The locked series, the slot and the locked open activity; refuses past dates."""
    series_id = await _series_id(session, guild_id, activity_id)
    series = await _lock_series(session, series_id)
    activity = await activities.lock_open(session, guild_id, activity_id)
    if activity.starts_at <= now:
        raise InvalidInput(
            f"{activity.title} on {_day(activity.starts_at, series.timezone)} has already happened, "
            f"so you cannot {verb} it. Pick a date still to come."
        )
    slot = await session.scalar(
        select(SeriesOccurrence.slot).where(SeriesOccurrence.activity_id == activity_id)
    )
    assert slot is not None
    return series, slot, activity


async def _later(
    session: AsyncSession, series_id: int, slot: int, now: datetime
) -> list[tuple[int, Activity]]:
    """(slot, locked activity) of the open dates from `slot` on that are still to come."""
    rows = await session.execute(
        select(SeriesOccurrence.slot, Activity)
        .join(Activity, SeriesOccurrence.activity_id == Activity.id)
        .where(
            SeriesOccurrence.series_id == series_id,
            SeriesOccurrence.slot >= slot,
            Activity.status == "open",
            Activity.starts_at > now,
        )
        .order_by(SeriesOccurrence.slot)
        .with_for_update(of=Activity)
    )
    return [(int(found_slot), activity) for found_slot, activity in rows]


def _template(series: ActivitySeries, changes: ActivityChanges) -> ActivityDraft:
    """The series' template with the changes given, tidied as activities stores them."""
    return ActivityDraft(
        title=(changes.title if changes.title is not None else series.title).strip(),
        kind=series.kind,
        starts_at=changes.starts_at or datetime.max.replace(tzinfo=UTC),
        capacity=changes.capacity if changes.capacity is not None else series.capacity,
        duration_minutes=series.duration_minutes,
        place=_blank_to_none(changes.place) if changes.place is not None else series.place,
        description=(
            _blank_to_none(changes.description)
            if changes.description is not None
            else series.description
        ),
        lead_user_id=series.lead_user_id,
    )


async def _check_capacity(
    session: AsyncSession, later: list[Activity], capacity: int, zone: str
) -> None:
    for occurrence in later:
        confirmed, _ = await activities.counts(session, occurrence.id)
        if capacity < confirmed:
            raise Conflict(
                f"{confirmed} people already have a place on {_day(occurrence.starts_at, zone)}, "
                f"so the capacity cannot go below {confirmed}. Nothing was changed."
            )


async def _check_after_previous(
    session: AsyncSession, series_id: int, slot: int, new_start: datetime, zone: str
) -> None:
    """Dates stay in order: this date cannot move to or before the date before it."""
    previous = await session.scalar(
        select(func.max(Activity.starts_at))
        .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
        .where(SeriesOccurrence.series_id == series_id, SeriesOccurrence.slot < slot)
    )
    if previous is not None and new_start <= previous:
        raise InvalidInput(
            f"That is not after the date before it, {_day(previous, zone)}. "
            "Pick a later time, or change this one date only."
        )


async def _move_rule(
    series: ActivitySeries,
    slot: int,
    new_start: datetime,
    count: int,
    zone: ZoneInfo,
    now: datetime,
) -> None:
    """From `slot` on, the rule runs from `new_start`'s date and local time. The last date
    stays `until`, stretched when needed so every date already made still has a slot."""
    if new_start <= now:
        raise InvalidInput("That time has already passed. Pick a time in the future.")
    local = new_start.astimezone(zone).replace(tzinfo=None)
    check_local_time(local, zone)
    moved = Rule(series.frequency, zone, local.date(), local.time(), slot, series.until)
    starts = moved.local_starts(date.max)
    needed = [start for _, (_, start) in zip(range(count), starts, strict=False)]
    until = max(series.until, needed[-1].date())
    if until > _latest_until(now, zone):
        raise InvalidInput(
            "That move takes the series more than 2 years ahead. Pick an earlier time."
        )
    for _slot, start in replace(moved, until=until).local_starts():
        check_local_time(start, zone)
    series.first_day, series.at_time, series.first_slot = local.date(), local.time(), slot
    series.until = until


async def _people(session: AsyncSession, activity_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(Signup.user_id).where(Signup.activity_id == activity_id).order_by(Signup.id)
        )
    )


def _notices(touched: dict[int, list[Activity]]) -> list[PersonDates]:
    notices = []
    for user_id, dates in touched.items():
        ordered = sorted(dates, key=lambda a: (a.starts_at, a.id))
        notices.append(
            PersonDates(user_id, tuple(a.starts_at for a in ordered), tuple(a.id for a in ordered))
        )
    return sorted(notices, key=lambda n: n.user_id)


async def _view(session: AsyncSession, series: ActivitySeries, now: datetime) -> SeriesView:
    """The series with its next few start times: dates made use their own (possibly moved)
    times and skip cancelled ones; dates not made yet come from the rule."""
    made = {
        slot: (start, status)
        for slot, start, status in await session.execute(
            select(SeriesOccurrence.slot, Activity.starts_at, Activity.status)
            .join(Activity, SeriesOccurrence.activity_id == Activity.id)
            .where(SeriesOccurrence.series_id == series.id)
        )
    }
    upcoming = [start for start, status in made.values() if status == "open" and start > now]
    newest = max(made, default=-1)
    for slot, start in Rule.of(series).utc_starts():
        if len(upcoming) >= NEXT_DATES * 2:
            break
        if slot > newest and start > now:
            upcoming.append(start)
    return SeriesView(
        id=series.id,
        guild_id=series.guild_id,
        repeat=series.frequency,
        timezone=series.timezone,
        until=series.until,
        title=series.title,
        next_dates=tuple(sorted(upcoming)[:NEXT_DATES]),
    )


def _until(given: date | None, first_day: date, now: datetime, zone: ZoneInfo) -> tuple[date, bool]:
    latest = _latest_until(now, zone)
    if given is None:
        return min(first_day + relativedelta(months=DEFAULT_UNTIL_MONTHS), latest), True
    if given < first_day:
        raise InvalidInput(
            f"The end date {given:%d %B %Y} is before the first date, {first_day:%d %B %Y}. "
            "Pick an end date after the first date."
        )
    if given > latest:
        raise InvalidInput(
            f"The end date can be at most {MAX_UNTIL_YEARS} years ahead, so {latest:%d %B %Y} "
            "at the latest. Pick an earlier end date."
        )
    return given, False


def _latest_until(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date() + relativedelta(years=MAX_UNTIL_YEARS)


def _day(moment: datetime, zone: str | None = None) -> str:
    """A date in words, in the community's zone when given (a naive local time as it is)."""
    if zone is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return f"{moment:%A %d %B %Y}".replace(" 0", " ")


def _blank_to_none(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None
