"""Repeating activities: the rule in local time, the rolling window job, sign up for all,
"this one" and "this and later" edits and cancellations, and the scheduled event budget."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.errors import Conflict, ConsentNeeded, InvalidInput, NotFound
from bot.services import activities, consent, series, signups
from bot.services.activities import ActivityChanges, ActivityDraft
from bot.services.series import SeriesCreated, SeriesDraft, Which
from db.engine import Database
from db.models import Activity, ActivitySeries, SeriesOccurrence

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
GUILD = 1
WEEK = timedelta(weeks=1)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def draft(
    starts_at: datetime,
    repeat: str = "weekly",
    until: date | None = None,
    capacity: int = 5,
) -> SeriesDraft:
    first = ActivityDraft(
        title="Reading group",
        kind="education",
        starts_at=starts_at,
        capacity=capacity,
        place="Room 2",
    )
    return SeriesDraft(first, repeat, until)


async def create(
    db: Database,
    made: SeriesDraft | None = None,
    window: timedelta = series.DEFAULT_WINDOW,
    now: datetime = NOW,
) -> SeriesCreated:
    async with db.sessions() as session, session.begin():
        return await series.create_series(
            session, GUILD, made or draft(local(2026, 10, 6, 14, 0)), LONDON, now, window
        )


async def starts(db: Database) -> list[datetime]:
    """Every occurrence's start (UTC), soonest first."""
    async with db.sessions() as session:
        found = await session.scalars(
            select(Activity.starts_at)
            .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
            .order_by(Activity.starts_at)
        )
        return list(found)


async def occurrence_ids(db: Database) -> list[int]:
    async with db.sessions() as session:
        found = await session.scalars(
            select(Activity.id)
            .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
            .order_by(Activity.starts_at)
        )
        return list(found)


async def extend(db: Database, now: datetime, window: timedelta = series.DEFAULT_WINDOW) -> int:
    async with db.sessions() as session, session.begin():
        return len(await series.extend(session, now, window))


async def join(db: Database, user: int, *activity_ids: int) -> None:
    async with db.sessions() as session, session.begin():
        await consent.record_consent(session, GUILD, user, "test", NOW)
        for activity_id in activity_ids:
            await signups.sign_up(session, GUILD, activity_id, user, NOW)


def local_times(moments: list[datetime]) -> set[tuple[int, int, int]]:
    """(weekday, hour, minute) of each moment in London."""
    in_london = [moment.astimezone(LONDON) for moment in moments]
    return {(m.weekday(), m.hour, m.minute) for m in in_london}


async def test_weekly_keeps_the_local_time_across_the_october_and_march_clock_changes(
    db: Database,
) -> None:
    made = draft(local(2026, 10, 13, 14, 0), until=date(2027, 4, 13))
    await create(db, made, window=timedelta(weeks=30))
    found = await starts(db)
    assert len(found) == 27  # every Tuesday from 13 October to 13 April
    assert local_times(found) == {(1, 14, 0)}
    by_day = {m.astimezone(LONDON).date(): m.hour for m in found}
    assert by_day[date(2026, 10, 20)] == 13  # summer time: 14:00 is 13:00 UTC
    assert by_day[date(2026, 10, 27)] == 14  # winter time: 14:00 is 14:00 UTC
    assert by_day[date(2027, 3, 23)] == 14
    assert by_day[date(2027, 3, 30)] == 13  # summer time again


async def test_fortnightly_is_every_other_week(db: Database) -> None:
    await create(db, draft(local(2026, 10, 6, 14, 0), "fortnightly"))
    found = await starts(db)
    assert [m.astimezone(LONDON).date() for m in found] == [
        date(2026, 10, 6),
        date(2026, 10, 20),
        date(2026, 11, 3),
        date(2026, 11, 17),
    ]
    assert local_times(found) == {(1, 14, 0)}


async def test_monthly_is_the_same_weekday_of_the_month(db: Database) -> None:
    made = draft(local(2026, 10, 13, 10, 0), "monthly", until=date(2027, 3, 31))
    await create(db, made, window=timedelta(weeks=30))
    found = [m.astimezone(LONDON) for m in await starts(db)]
    assert [m.date() for m in found] == [
        date(2026, 10, 13),
        date(2026, 11, 10),
        date(2026, 12, 8),
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
    ]  # the second Tuesday of each month
    assert {(m.hour, m.minute) for m in found} == {(10, 0)}


async def test_a_fifth_weekday_falls_back_to_the_last_one(db: Database) -> None:
    made = draft(local(2026, 10, 30, 18, 0), "monthly", until=date(2027, 1, 31))
    await create(db, made, window=timedelta(weeks=20))
    assert [m.astimezone(LONDON).date() for m in await starts(db)] == [
        date(2026, 10, 30),  # the fifth Friday
        date(2026, 11, 27),  # no fifth Friday: the last one
        date(2026, 12, 25),
        date(2027, 1, 29),  # a fifth Friday again
    ]


async def test_no_until_means_six_months_and_says_so(db: Database) -> None:
    created = await create(db)
    assert created.default_until
    assert created.series.until == date(2027, 4, 6)
    assert len(created.series.next_dates) == series.NEXT_DATES


async def test_a_given_until_is_the_last_day(db: Database) -> None:
    created = await create(db, draft(local(2026, 10, 6, 14, 0), until=date(2026, 10, 27)))
    assert not created.default_until
    assert len(await starts(db)) == 4


@pytest.mark.parametrize(
    ("until", "message"),
    [(date(2026, 10, 5), "before the first date"), (date(2028, 10, 2), "at most 2 years")],
)
async def test_an_until_before_the_first_date_or_past_two_years_is_refused(
    db: Database, until: date, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await create(db, draft(local(2026, 10, 6, 14, 0), until=until))
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ActivitySeries)) == 0


async def test_a_time_the_clocks_skip_on_a_later_date_is_refused(db: Database) -> None:
    made = draft(local(2027, 3, 14, 1, 30), until=date(2027, 4, 30))  # Sundays at 01:30
    with pytest.raises(InvalidInput, match="does not exist on Sunday 28 March 2027"):
        await create(db, made, now=datetime(2027, 3, 1, tzinfo=UTC))


async def test_a_time_that_happens_twice_is_refused(db: Database) -> None:
    made = draft(local(2026, 10, 18, 1, 30), until=date(2026, 11, 30))  # Sundays at 01:30
    with pytest.raises(InvalidInput, match="happens twice on Sunday 25 October 2026"):
        await create(db, made)


async def test_the_window_job_run_twice_makes_no_duplicates(db: Database) -> None:
    await create(db)
    before = await starts(db)
    assert len(before) == 8  # 6 October to 24 November: within 8 weeks of 1 October
    assert await extend(db, NOW) == 0
    assert await extend(db, NOW) == 0
    assert await starts(db) == before


async def test_the_database_refuses_a_second_activity_for_the_same_date(db: Database) -> None:
    created = await create(db)
    async with db.sessions() as session, session.begin():
        spare = await activities.create_activity(session, GUILD, draft(NOW + WEEK).activity, NOW)
    with pytest.raises(IntegrityError):
        async with db.sessions() as session, session.begin():
            session.add(SeriesOccurrence(series_id=created.series.id, slot=0, activity_id=spare.id))


async def test_two_window_jobs_at_once_make_no_duplicates(db: Database) -> None:
    await create(db, window=timedelta(weeks=1))
    later = NOW + timedelta(days=1)
    made = await asyncio.gather(extend(db, later), extend(db, later))
    assert sorted(made) == [0, 7]
    found = await starts(db)
    assert len(found) == len(set(found)) == 8


async def test_the_window_job_catches_up_after_a_week_of_downtime(db: Database) -> None:
    await create(db)
    assert await extend(db, NOW + timedelta(days=8)) == 1  # 1 December came into the window
    found = await starts(db)
    assert found[-1] == local(2026, 12, 1, 14, 0)
    assert len(found) == len(set(found)) == 9


async def test_the_window_job_can_keep_to_some_communities(db: Database) -> None:
    await create(db, window=timedelta(weeks=1))
    async with db.sessions() as session, session.begin():
        assert await series.extend(session, NOW, guild_ids=[GUILD + 1]) == []
        assert len(await series.extend(session, NOW, guild_ids=[GUILD])) == 7


async def test_dates_that_passed_while_the_bot_was_down_are_skipped(db: Database) -> None:
    await create(db, window=timedelta(days=1))
    assert await extend(db, local(2026, 10, 20, 15, 0), timedelta(days=1)) == 0
    assert await extend(db, local(2026, 10, 26, 15, 0), timedelta(days=1)) == 1
    assert await starts(db) == [local(2026, 10, 6, 14, 0), local(2026, 10, 27, 14, 0)]


async def test_sign_up_for_all_waits_where_full_and_reports_each_date(db: Database) -> None:
    await create(db, draft(local(2026, 10, 6, 14, 0), until=date(2026, 10, 20), capacity=1))
    first, second, third = await occurrence_ids(db)
    await join(db, 21, second)
    await join(db, 22)
    async with db.sessions() as session, session.begin():
        results = await series.sign_up_for_all(session, GUILD, first, 22, NOW)
    assert [(r.activity_id, r.status, r.position) for r in results] == [
        (first, "confirmed", None),
        (second, "waiting", 1),
        (third, "confirmed", None),
    ]


async def test_sign_up_for_all_reports_a_date_already_signed_up_for(db: Database) -> None:
    await create(db, draft(local(2026, 10, 6, 14, 0), until=date(2026, 10, 13)))
    first, second = await occurrence_ids(db)
    await join(db, 22, second)
    async with db.sessions() as session, session.begin():
        results = await series.sign_up_for_all(session, GUILD, first, 22, NOW)
    assert [r.status for r in results] == ["confirmed", "refused"]
    assert "already have a place" in (results[1].message or "")


async def test_sign_up_for_all_needs_consent_first(db: Database) -> None:
    await create(db)
    first = (await occurrence_ids(db))[0]
    with pytest.raises(ConsentNeeded):
        async with db.sessions() as session, session.begin():
            await series.sign_up_for_all(session, GUILD, first, 99, NOW)


async def test_editing_this_one_changes_only_that_date(db: Database) -> None:
    await create(db)
    ids = await occurrence_ids(db)
    async with db.sessions() as session, session.begin():
        result = await series.edit(
            session, GUILD, ids[1], ActivityChanges(title="Special session"), Which.THIS, NOW
        )
    assert [a.id for a in result.changed] == [ids[1]]
    async with db.sessions() as session:
        titles = list(await session.scalars(select(Activity.title).order_by(Activity.starts_at)))
    assert titles.count("Special session") == 1


async def test_this_and_later_moves_later_dates_and_the_ones_not_made_yet(db: Database) -> None:
    await create(db)
    ids = await occurrence_ids(db)
    await join(db, 31, ids[0], ids[3], ids[4])
    changes = ActivityChanges(title="Reading circle", starts_at=local(2026, 10, 28, 15, 30))
    async with db.sessions() as session, session.begin():
        result = await series.edit(session, GUILD, ids[3], changes, Which.LATER, NOW)
    assert [a.id for a in result.changed] == ids[3:]
    assert [(n.user_id, n.activity_ids) for n in result.notices] == [(31, (ids[3], ids[4]))]
    await extend(db, NOW + timedelta(days=30))
    found = await starts(db)
    assert found[:3] == [local(2026, 10, d, 14, 0) for d in (6, 13, 20)]
    assert local_times(found[3:]) == {(2, 15, 30)}  # Wednesdays at 15:30, in winter time too
    assert len(found) == len(set(found))
    async with db.sessions() as session:
        rows = await session.execute(select(Activity.starts_at, Activity.title))
        titles = dict(rows.all())
    assert {titles[m] for m in found[3:]} == {"Reading circle"}
    assert {titles[m] for m in found[:3]} == {"Reading group"}


async def test_this_and_later_cannot_take_a_date_below_the_places_taken(db: Database) -> None:
    await create(db)
    ids = await occurrence_ids(db)
    await join(db, 51, ids[4])
    await join(db, 52, ids[4])
    with pytest.raises(Conflict, match="cannot go below 2"):
        async with db.sessions() as session, session.begin():
            await series.edit(session, GUILD, ids[1], ActivityChanges(capacity=1), Which.LATER, NOW)
    async with db.sessions() as session:
        assert set(await session.scalars(select(Activity.capacity))) == {5}


async def test_this_and_later_cannot_move_a_date_before_the_one_before_it(
    db: Database,
) -> None:
    await create(db)
    ids = await occurrence_ids(db)
    earlier = ActivityChanges(starts_at=local(2026, 10, 12, 14, 0))
    with pytest.raises(InvalidInput, match="not after the date before it"):
        async with db.sessions() as session, session.begin():
            await series.edit(session, GUILD, ids[2], earlier, Which.LATER, NOW)


async def test_a_past_date_cannot_be_changed_or_cancelled(db: Database) -> None:
    await create(db)
    first = (await occurrence_ids(db))[0]
    later = NOW + timedelta(days=10)
    with pytest.raises(InvalidInput, match="has already happened"):
        async with db.sessions() as session, session.begin():
            await series.edit(session, GUILD, first, ActivityChanges(title="x"), Which.LATER, later)
    with pytest.raises(InvalidInput, match="has already happened"):
        async with db.sessions() as session, session.begin():
            await series.cancel(session, GUILD, first, None, Which.THIS, later)


async def test_cancelling_this_and_later_gives_each_person_one_list_of_dates(
    db: Database,
) -> None:
    await create(db)
    ids = await occurrence_ids(db)
    await join(db, 41, ids[1], ids[2], ids[5])
    await join(db, 42, ids[0], ids[6])
    async with db.sessions() as session, session.begin():
        result = await series.cancel(session, GUILD, ids[2], "room closed", Which.LATER, NOW)
    assert [a.id for a in result.cancelled] == ids[2:]
    assert [(n.user_id, n.activity_ids) for n in result.notices] == [
        (41, (ids[2], ids[5])),
        (42, (ids[6],)),
    ]
    assert result.notices[0].dates == (local(2026, 10, 20, 14, 0), local(2026, 11, 10, 14, 0))
    assert result.series.until == date(2026, 10, 19)
    assert await extend(db, NOW + timedelta(days=60)) == 0  # the series ended


async def test_cancelling_this_one_keeps_the_series_going(db: Database) -> None:
    await create(db)
    ids = await occurrence_ids(db)
    await join(db, 41, ids[1], ids[2])
    async with db.sessions() as session, session.begin():
        result = await series.cancel(session, GUILD, ids[1], None, Which.THIS, NOW)
    assert [(n.user_id, n.activity_ids) for n in result.notices] == [(41, (ids[1],))]
    assert local(2026, 10, 13, 14, 0) not in result.series.next_dates
    assert await extend(db, NOW + WEEK) == 1


async def test_the_event_budget_stops_at_the_limit_and_names_what_waits(db: Database) -> None:
    await create(db)
    ids = await occurrence_ids(db)
    async with db.sessions() as session, session.begin():
        await activities.record_scheduled_event(session, ids[0], 900)
        budget = await series.event_budget(session, GUILD, NOW)
        full = await series.event_budget(session, GUILD, NOW, discord_active=97)
    assert budget.active == 1
    assert [a.id for a in budget.missing] == ids[1:]
    assert (full.room, [a.id for a in full.to_create], full.held_back) == (3, ids[1:4], 4)


async def test_an_activity_that_does_not_repeat_is_refused(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        one_off = await activities.create_activity(
            session, GUILD, replace(draft(NOW + WEEK).activity), NOW
        )
    with pytest.raises(InvalidInput, match="does not repeat"):
        async with db.sessions() as session, session.begin():
            await series.sign_up_for_all(session, GUILD, one_off.id, 22, NOW)


async def test_the_state_is_the_next_open_date_and_the_first_date(db: Database) -> None:
    created = await create(db, draft(local(2026, 10, 6, 14, 0), until=date(2026, 10, 20)))
    first, second, _ = await occurrence_ids(db)
    async with db.sessions() as session, session.begin():
        await series.cancel(session, GUILD, first, None, Which.THIS, NOW)
    async with db.sessions() as session:
        state = await series.state_of(session, created.series.id, NOW, GUILD)
    assert state.first.id == first
    assert state.next is not None
    assert state.next.id == second


async def test_the_state_of_another_communitys_series_is_not_found(db: Database) -> None:
    created = await create(db)
    async with db.sessions() as session:
        with pytest.raises(NotFound):
            await series.state_of(session, created.series.id, NOW, GUILD + 1)


async def test_next_of_mine_is_the_soonest_date_the_person_is_signed_up_for(
    db: Database,
) -> None:
    created = await create(db, draft(local(2026, 10, 6, 14, 0), until=date(2026, 10, 20)))
    _, second, third = await occurrence_ids(db)
    await join(db, 21, third)
    await join(db, 21, second)
    async with db.sessions() as session:
        mine = await series.next_of_mine(session, created.series.id, 21, NOW)
    assert mine is not None
    assert mine.id == second
