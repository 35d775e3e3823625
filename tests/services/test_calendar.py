"""The .ics files, parsed back with icalendar: one event for a one-off; for a series one event
with its rule in the community's zone, EXDATEs for cancelled dates and RECURRENCE-ID events
for dates changed on their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrule, rruleset, rrulestr
from sqlalchemy import select

from bot.services import activities, calendar, series
from bot.services.activities import ActivityChanges, ActivityDraft
from bot.services.series import SeriesDraft, Which
from db.engine import Database
from db.models import Activity, SeriesOccurrence

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
GUILD = 1


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


V = TypeVar("V")


def prop(component: icalendar.Component, name: str, kind: type[V]) -> V:
    """A property of `component`, checked to be of the type icalendar parses it as."""
    value = component[name]
    assert isinstance(value, kind), f"{name} is a {type(value).__name__}, not a {kind.__name__}"
    return value


async def make_series(
    db: Database, starts_at: datetime, repeat: str, until: date, weeks: int = 8
) -> list[int]:
    first = ActivityDraft(
        title="Reading group", kind="education", starts_at=starts_at, capacity=5, place="Room 2"
    )
    async with db.sessions() as session, session.begin():
        await series.create_series(
            session, GUILD, SeriesDraft(first, repeat, until), LONDON, NOW, timedelta(weeks=weeks)
        )
    async with db.sessions() as session:
        found = await session.scalars(
            select(Activity.id)
            .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
            .order_by(Activity.starts_at)
        )
        return list(found)


async def series_file(db: Database, activity_id: int) -> icalendar.Calendar:
    async with db.sessions() as session:
        found = await series.calendar_for(session, activity_id)
    assert found is not None
    return icalendar.Calendar.from_ical(calendar.series_ics(found, NOW))


def the_event(parsed: icalendar.Calendar) -> icalendar.Event:
    (event,) = [e for e in parsed.walk("VEVENT") if "RECURRENCE-ID" not in e]
    assert isinstance(event, icalendar.Event)
    return event


def rule_of(event: icalendar.Event) -> dict[str, list[object]]:
    return {key: list(value) for key, value in prop(event, "RRULE", icalendar.vRecur).items()}


def expand(event: icalendar.Event) -> list[datetime]:
    """The dates the event's rule gives, less its EXDATEs, in UTC."""
    start = prop(event, "DTSTART", icalendar.vDDDTypes).dt
    assert isinstance(start, datetime)
    as_text: Callable[[], bytes] = prop(event, "RRULE", icalendar.vRecur).to_ical  # untyped there
    rule = rrulestr(as_text().decode(), dtstart=start)
    assert isinstance(rule, rrule)
    dates = rruleset()
    dates.rrule(rule)
    for exdates in [prop(event, "EXDATE", icalendar.vDDDLists)] if "EXDATE" in event else []:
        for moment in exdates.dts:
            assert isinstance(moment.dt, datetime)
            dates.exdate(moment.dt)
    return [moment.astimezone(UTC) for moment in dates]


async def starts_of(db: Database, status: str = "open") -> list[datetime]:
    async with db.sessions() as session:
        found = await session.scalars(
            select(Activity.starts_at).where(Activity.status == status).order_by(Activity.starts_at)
        )
        return list(found)


async def test_a_weekly_series_is_one_event_with_its_rule_in_local_time(db: Database) -> None:
    ids = await make_series(db, local(2026, 10, 13, 14, 0), "weekly", date(2026, 11, 3))
    parsed = await series_file(db, ids[0])
    event = the_event(parsed)
    assert rule_of(event) == {
        "FREQ": ["WEEKLY"],
        "INTERVAL": [1],
        "UNTIL": [datetime(2026, 11, 3, 23, 59, 59, tzinfo=UTC)],
    }
    assert prop(event, "DTSTART", icalendar.vDDDTypes).params["TZID"] == "Europe/London"
    assert prop(event, "DTSTART", icalendar.vDDDTypes).dt == datetime(
        2026, 10, 13, 14, 0, tzinfo=LONDON
    )
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/London"]
    assert expand(event) == await starts_of(db)  # 13:00 UTC in October, 14:00 in November


async def test_a_fortnightly_series_has_interval_two(db: Database) -> None:
    ids = await make_series(db, local(2026, 10, 13, 14, 0), "fortnightly", date(2026, 12, 1))
    event = the_event(await series_file(db, ids[0]))
    assert (rule_of(event)["FREQ"], rule_of(event)["INTERVAL"]) == (["WEEKLY"], [2])
    assert expand(event) == await starts_of(db)


async def test_a_monthly_series_names_the_second_tuesday(db: Database) -> None:
    ids = await make_series(db, local(2026, 10, 13, 10, 0), "monthly", date(2027, 1, 31), 20)
    event = the_event(await series_file(db, ids[0]))
    assert rule_of(event)["FREQ"] == ["MONTHLY"]
    assert rule_of(event)["BYDAY"] == ["2TU"]
    assert expand(event) == await starts_of(db)


async def test_a_fifth_friday_is_the_last_friday_so_no_month_is_skipped(db: Database) -> None:
    ids = await make_series(db, local(2026, 10, 30, 18, 0), "monthly", date(2027, 1, 31), 20)
    event = the_event(await series_file(db, ids[0]))
    assert rule_of(event)["BYDAY"] == ["-1FR"]
    assert [m.astimezone(LONDON).date() for m in expand(event)] == [
        date(2026, 10, 30),
        date(2026, 11, 27),
        date(2026, 12, 25),
        date(2027, 1, 29),
    ]


async def test_a_cancelled_date_is_an_exdate(db: Database) -> None:
    ids = await make_series(db, local(2026, 10, 13, 14, 0), "weekly", date(2026, 11, 3))
    async with db.sessions() as session, session.begin():
        await series.cancel(session, GUILD, ids[2], None, Which.THIS, NOW)
    event = the_event(await series_file(db, ids[0]))
    assert [m.dt for m in prop(event, "EXDATE", icalendar.vDDDLists).dts] == [
        datetime(2026, 10, 27, 14, 0, tzinfo=LONDON)
    ]
    assert expand(event) == await starts_of(db)


async def test_a_series_cancelled_from_its_first_date_is_cancelled(db: Database) -> None:
    ids = await make_series(db, local(2026, 10, 13, 14, 0), "weekly", date(2026, 11, 3))
    async with db.sessions() as session, session.begin():
        await series.cancel(session, GUILD, ids[0], None, Which.LATER, NOW)
    assert str(the_event(await series_file(db, ids[0]))["STATUS"]) == "CANCELLED"


async def test_a_date_moved_on_its_own_is_an_event_for_that_date(db: Database) -> None:
    ids = await make_series(db, local(2026, 10, 13, 14, 0), "weekly", date(2026, 11, 3))
    moved = ActivityChanges(starts_at=local(2026, 10, 21, 16, 0), place="Room 9")
    async with db.sessions() as session, session.begin():
        await series.edit(session, GUILD, ids[1], moved, Which.THIS, NOW)
    parsed = await series_file(db, ids[0])
    (changed,) = [e for e in parsed.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert prop(changed, "RECURRENCE-ID", icalendar.vDDDTypes).dt == datetime(
        2026, 10, 20, 14, 0, tzinfo=LONDON
    )
    assert prop(changed, "DTSTART", icalendar.vDDDTypes).dt == datetime(
        2026, 10, 21, 16, 0, tzinfo=LONDON
    )
    assert str(changed["LOCATION"]) == "Room 9"
    assert changed["UID"] == the_event(parsed)["UID"]


async def test_a_one_off_is_a_single_event_without_a_rule(db: Database) -> None:
    first = ActivityDraft(
        title="Talk", kind="education", starts_at=NOW + timedelta(days=3), capacity=5
    )
    async with db.sessions() as session, session.begin():
        created = await activities.create_activity(session, GUILD, first, NOW)
        assert await series.calendar_for(session, created.id) is None
    parsed = icalendar.Calendar.from_ical(calendar.ics_for(created, NOW))
    (event,) = parsed.walk("VEVENT")
    assert "RRULE" not in event
    assert prop(event, "DTSTART", icalendar.vDDDTypes).dt == NOW + timedelta(days=3)
