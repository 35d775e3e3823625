"""Marking attendance at a training activity records the module it teaches (the hook from
`attendance.mark` into `bot.services.programme.record_from_attendance`)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bot.services import consent, programme
from bot.services.involvement import attendance
from bot.services.involvement.attendance import Mark
from db.engine import Database
from db.models import Activity
from tests.services.involvement.helpers import (
    GUILD,
    LEAD,
    NOW,
    SETTINGS,
    confirm,
    member,
    new_activity,
)

ALICE, BOB = 411, 412
LONDON = ZoneInfo("Europe/London")


async def training_activity(db: Database) -> int:
    activity_id = await new_activity(db)
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Activity)
            .where(Activity.id == activity_id)
            .values(kind="training", teaches="safeguarding")
        )
    for user_id in (ALICE, BOB):
        await member(db, user_id)
        async with db.sessions() as session, session.begin():
            await consent.record_consent(session, GUILD, user_id, "test", NOW)
    await confirm(db, activity_id, ALICE, BOB)
    return activity_id


async def held(db: Database, user_id: int) -> list[programme.HeldModule]:
    async with db.sessions() as session:
        return await programme.held_modules(session, GUILD, user_id)


async def mark(db: Database, activity_id: int, *marks: Mark) -> None:
    async with db.sessions() as session, session.begin():
        await attendance.mark(
            session,
            GUILD,
            activity_id,
            marks,
            by_user_id=LEAD,
            is_coordinator=False,
            now=NOW,
            settings=SETTINGS,
            zone=LONDON,
        )


async def test_marking_someone_attended_at_a_training_records_its_module(db: Database) -> None:
    activity_id = await training_activity(db)
    await mark(db, activity_id, Mark(ALICE, "attended"), Mark(BOB, "no_show"))
    assert [h.module_key for h in await held(db, ALICE)] == ["safeguarding"]
    assert await held(db, BOB) == []


async def test_the_module_is_held_from_the_day_of_the_training(db: Database) -> None:
    activity_id = await training_activity(db)
    await mark(db, activity_id, Mark(ALICE, "attended"))
    [module] = await held(db, ALICE)
    async with db.sessions() as session:
        starts_at = (await session.get(Activity, activity_id)).starts_at  # type: ignore[union-attr]
    assert module.completed_on == starts_at.astimezone(LONDON).date()
    assert module.completed_on < date(2026, 12, 1)
