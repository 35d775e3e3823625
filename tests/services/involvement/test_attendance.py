from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.errors import Conflict, InvalidInput, NotAllowed
from bot.services import outbox
from bot.services.involvement import attendance
from bot.services.involvement.attendance import ATTENDANCE_PROMPT, Mark, Marked
from bot.services.involvement.role_cards import Card
from db.engine import Database
from db.models import Attendance, OutboxMessage, Payment
from tests.services.involvement.helpers import (
    COORDINATOR,
    GUILD,
    LEAD,
    NOW,
    SETTINGS,
    add_card,
    confirm,
    member,
    new_activity,
)


async def mark(
    db: Database,
    activity_id: int,
    *marks: Mark,
    by: int = LEAD,
    is_coordinator: bool = False,
    now: object = NOW,
) -> list[Marked]:
    async with db.sessions() as session, session.begin():
        return await attendance.mark(
            session,
            GUILD,
            activity_id,
            marks,
            by_user_id=by,
            is_coordinator=is_coordinator,
            now=now,  # type: ignore[arg-type]
            settings=SETTINGS,
        )


def test_usual_hours_are_duration_plus_reading_rounded_up_to_a_quarter_hour() -> None:
    assert attendance.usual_minutes(60, 30) == 90
    assert attendance.usual_minutes(50, 0) == 60
    assert attendance.usual_minutes(61, 0) == 75
    assert attendance.usual_minutes(23 * 60, 120) == 24 * 60  # never more than a day


@pytest.mark.parametrize("minutes", [-15, 10, 24 * 60 + 15])
def test_hours_outside_0_to_24_or_not_in_quarter_hours_are_refused(minutes: int) -> None:
    with pytest.raises(InvalidInput, match="quarter hours"):
        attendance.check_minutes(minutes)


async def test_attended_people_get_the_duration_plus_reading_time(db: Database) -> None:
    activity_id = await new_activity(db, duration=90)
    await add_card(db, activity_id, Card(reading_minutes=30))
    await confirm(db, activity_id, 11, 12, 13)

    done = await mark(
        db,
        activity_id,
        Mark(11, "attended"),
        Mark(12, "no_show"),
        Mark(13, "late_cancel"),
    )

    assert [(m.user_id, m.status, m.minutes) for m in done] == [
        (11, "attended", 120),
        (12, "no_show", 0),
        (13, "late_cancel", 0),
    ]


async def test_hours_can_be_adjusted_per_person(db: Database) -> None:
    activity_id = await new_activity(db)
    await confirm(db, activity_id, 11)
    done = await mark(db, activity_id, Mark(11, "attended", minutes=135))
    assert done[0].minutes == 135


async def test_marking_twice_updates_and_never_doubles(db: Database) -> None:
    activity_id = await new_activity(db)
    await add_card(db, activity_id, Card(payment_rate="hourly"))
    await confirm(db, activity_id, 11)
    await mark(db, activity_id, Mark(11, "attended"))
    await mark(db, activity_id, Mark(11, "attended", minutes=120))

    async with db.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(Attendance))
        payments = list(await session.scalars(select(Payment.amount_pence)))
        hours = await attendance.hours_of(session, GUILD, 11, NOW)
    assert rows == 1
    assert payments == [5000]
    assert hours.total_minutes == 120


async def test_marking_someone_absent_after_attended_takes_their_fee_back(db: Database) -> None:
    activity_id = await new_activity(db)
    await add_card(db, activity_id, Card(payment_rate="fixed"))
    await confirm(db, activity_id, 11)
    await mark(db, activity_id, Mark(11, "attended"))
    await mark(db, activity_id, Mark(11, "no_show"))
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Payment)) == 0


async def test_marking_before_the_activity_ends_is_refused(db: Database) -> None:
    activity_id = await new_activity(db, starts_at=NOW - timedelta(minutes=30), duration=60)
    await confirm(db, activity_id, 11)
    with pytest.raises(Conflict, match="has not ended yet"):
        await mark(db, activity_id, Mark(11, "attended"))


async def test_marking_a_cancelled_activity_is_refused(db: Database) -> None:
    activity_id = await new_activity(db, status="cancelled")
    await confirm(db, activity_id, 11)
    with pytest.raises(Conflict, match="was cancelled"):
        await mark(db, activity_id, Mark(11, "attended"))


async def test_only_the_lead_or_a_coordinator_may_mark(db: Database) -> None:
    activity_id = await new_activity(db)
    await confirm(db, activity_id, 11)
    with pytest.raises(NotAllowed, match="Only the lead"):
        await mark(db, activity_id, Mark(11, "attended"), by=12)
    done = await mark(db, activity_id, Mark(11, "attended"), by=COORDINATOR, is_coordinator=True)
    assert done[0].status == "attended"


async def test_someone_without_a_place_cannot_be_marked(db: Database) -> None:
    activity_id = await new_activity(db)
    with pytest.raises(InvalidInput, match="did not have a place"):
        await mark(db, activity_id, Mark(11, "attended"))


async def test_the_sheet_lists_confirmed_people_and_their_marks(db: Database) -> None:
    activity_id = await new_activity(db)
    await member(db, 11, "Ada")
    await confirm(db, activity_id, 11, 12)
    await mark(db, activity_id, Mark(11, "attended"))
    async with db.sessions() as session:
        found = await attendance.sheet(
            session, GUILD, activity_id, by_user_id=LEAD, is_coordinator=False, now=NOW
        )
    assert [(p.user_id, p.display_name, p.status, p.minutes) for p in found.people] == [
        (11, "Ada", "attended", 60),
        (12, None, None, 0),
    ]
    assert (found.usual_minutes, found.unmarked) == (60, 1)


async def test_hours_this_year_and_in_total(db: Database) -> None:
    last_year = await new_activity(db, starts_at=NOW - timedelta(days=400))
    this_year = await new_activity(db, starts_at=NOW - timedelta(days=3))
    for activity_id in (last_year, this_year):
        await confirm(db, activity_id, 11)
    await mark(db, last_year, Mark(11, "attended", minutes=45))
    await mark(db, this_year, Mark(11, "attended", minutes=90))
    async with db.sessions() as session:
        hours = await attendance.hours_of(session, GUILD, 11, NOW)
    assert (hours.this_year_minutes, hours.total_minutes) == (90, 135)
    assert attendance.hours_words(135) == "2.25 hours"


async def test_the_lead_is_prompted_once_after_the_activity_ends(db: Database) -> None:
    activity_id = await new_activity(db, starts_at=NOW - timedelta(hours=2), duration=60)
    await confirm(db, activity_id, 11)
    async with db.sessions() as session, session.begin():
        first = await attendance.plan_attendance_prompts(session, now=NOW, coordinators={})
        second = await attendance.plan_attendance_prompts(session, now=NOW, coordinators={})
    async with db.sessions() as session:
        rows = list(await session.execute(select(OutboxMessage.kind, OutboxMessage.user_id)))
    assert (first, second) == (1, 0)
    assert [tuple(row) for row in rows] == [(ATTENDANCE_PROMPT, LEAD)]


async def test_coordinators_are_prompted_when_there_is_no_lead(db: Database) -> None:
    activity_id = await new_activity(db, lead=None)
    await confirm(db, activity_id, 11)
    async with db.sessions() as session, session.begin():
        queued = await attendance.plan_attendance_prompts(
            session, now=NOW, coordinators={GUILD: [COORDINATOR, 902]}
        )
    assert queued == 2


async def test_no_prompt_before_the_end_or_for_an_empty_activity(db: Database) -> None:
    running = await new_activity(db, starts_at=NOW - timedelta(minutes=30), duration=60)
    await confirm(db, running, 11)
    await new_activity(db)  # ended, but nobody had a place
    async with db.sessions() as session, session.begin():
        assert await attendance.plan_attendance_prompts(session, now=NOW, coordinators={}) == 0


async def test_the_prompt_is_dropped_at_send_time_once_everyone_is_marked(db: Database) -> None:
    activity_id = await new_activity(db)
    await confirm(db, activity_id, 11)
    async with db.sessions() as session, session.begin():
        await attendance.plan_attendance_prompts(session, now=NOW, coordinators={})
    async with db.sessions() as session:
        (item,) = await outbox.pending(session, kinds=[ATTENDANCE_PROMPT])
        before = await attendance.attendance_prompt_to_send(session, item)
    await mark(db, activity_id, Mark(11, "attended"))
    async with db.sessions() as session:
        after = await attendance.attendance_prompt_to_send(session, item)
    assert before is not None
    assert before.unmarked == 1
    assert after is None
