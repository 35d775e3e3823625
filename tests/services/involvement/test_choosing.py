from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.errors import Conflict, ConsentNeeded, InvalidInput
from bot.services.involvement import choosing
from bot.services.involvement.role_cards import Card
from db.engine import Database
from db.models import Attendance, Signup
from tests.services.involvement.helpers import (
    GUILD,
    NOW,
    add_card,
    confirm,
    member,
    new_activity,
)

CHOSEN_BY_COORDINATORS = Card(choose="coordinators")


async def chosen_activity(db: Database, capacity: int = 2) -> int:
    activity_id = await new_activity(db, starts_at=NOW + timedelta(days=10), capacity=capacity)
    await add_card(db, activity_id, CHOSEN_BY_COORDINATORS)
    return activity_id


async def apply(
    db: Database, activity_id: int, user_id: int, why: str | None = None, minutes: int = 0
) -> None:
    async with db.sessions() as session, session.begin():
        await choosing.apply(
            session, GUILD, activity_id, user_id, why, NOW + timedelta(minutes=minutes)
        )


async def attended(db: Database, user_id: int, days_ago: int) -> None:
    """`user_id` took part in an activity `days_ago` days before NOW."""
    activity_id = await new_activity(db, starts_at=NOW - timedelta(days=days_ago), title="past")
    async with db.sessions() as session, session.begin():
        session.add(
            Attendance(
                activity_id=activity_id,
                user_id=user_id,
                status="attended",
                minutes=60,
                marked_at=NOW,
            )
        )


async def test_an_application_keeps_the_cleaned_reason_and_counts(db: Database) -> None:
    activity_id = await chosen_activity(db)
    await member(db, 11)
    await apply(db, activity_id, 11, "  I care for my mum\x00 and know the wards.  ")
    async with db.sessions() as session:
        found = await choosing.applicants(session, GUILD, activity_id, NOW)
        assert await choosing.applicant_count(session, activity_id) == 1
    assert found.people[0].why == "I care for my mum and know the wards."


async def test_a_reason_over_300_characters_is_refused(db: Database) -> None:
    activity_id = await chosen_activity(db)
    await member(db, 11)
    with pytest.raises(InvalidInput, match="301 characters"):
        await apply(db, activity_id, 11, "x" * 301)


async def test_applying_twice_is_refused(db: Database) -> None:
    activity_id = await chosen_activity(db)
    await member(db, 11)
    await apply(db, activity_id, 11)
    with pytest.raises(Conflict, match="already applied"):
        await apply(db, activity_id, 11)


async def test_applying_needs_consent(db: Database) -> None:
    activity_id = await chosen_activity(db)
    with pytest.raises(ConsentNeeded):
        await apply(db, activity_id, 11)


async def test_a_first_come_activity_takes_no_applications(db: Database) -> None:
    activity_id = await new_activity(db, starts_at=NOW + timedelta(days=3))
    await member(db, 11)
    with pytest.raises(Conflict, match="first come, first served"):
        await apply(db, activity_id, 11)


async def test_the_fair_suggestion_puts_fewest_this_year_then_longest_since_then_earliest(
    db: Database,
) -> None:
    activity_id = await chosen_activity(db, capacity=3)
    for user_id in (11, 12, 13, 14, 15):
        await member(db, user_id)
    await attended(db, 11, days_ago=20)  # once this year
    await attended(db, 11, days_ago=30)  # ... twice this year: last in the list
    await attended(db, 12, days_ago=10)  # once this year, recently
    await attended(db, 13, days_ago=100)  # once this year, long ago
    await attended(db, 14, days_ago=400)  # last year only: none this year, long ago
    # 15 never took part: none this year, never
    for minutes, user_id in enumerate((11, 12, 13, 14, 15)):
        await apply(db, activity_id, user_id, minutes=minutes)

    async with db.sessions() as session:
        found = await choosing.applicants(session, GUILD, activity_id, NOW)

    assert [p.user_id for p in found.people] == [15, 14, 13, 12, 11]
    assert [p.attended_this_year for p in found.people] == [0, 0, 1, 1, 2]
    assert found.people[0].last_took_part is None
    assert found.people[1].last_took_part == NOW - timedelta(days=400)
    assert found.suggestion == (15, 14, 13)


async def test_among_equals_the_earliest_application_comes_first(db: Database) -> None:
    activity_id = await chosen_activity(db, capacity=1)
    for minutes, user_id in enumerate((13, 11, 12)):
        await member(db, user_id)
        await apply(db, activity_id, user_id, minutes=minutes)
    async with db.sessions() as session:
        found = await choosing.applicants(session, GUILD, activity_id, NOW)
    assert [p.user_id for p in found.people] == [13, 11, 12]
    assert found.suggestion == (13,)


async def test_choosing_confirms_the_chosen_and_returns_the_others_to_thank(
    db: Database,
) -> None:
    activity_id = await chosen_activity(db, capacity=2)
    for user_id in (11, 12, 13):
        await member(db, user_id)
        await apply(db, activity_id, user_id)

    async with db.sessions() as session, session.begin():
        choice = await choosing.choose(session, GUILD, activity_id, [12, 11], NOW)

    assert (choice.chosen, choice.not_chosen) == ((12, 11), (13,))
    async with db.sessions() as session:
        confirmed = set(
            await session.scalars(select(Signup.user_id).where(Signup.status == "confirmed"))
        )
        left = await choosing.applicants(session, GUILD, activity_id, NOW)
    assert confirmed == {11, 12}
    assert left.people == ()


async def test_choosing_more_people_than_places_is_refused_and_changes_nothing(
    db: Database,
) -> None:
    activity_id = await chosen_activity(db, capacity=3)
    await confirm(db, activity_id, 99)  # one place already given
    for user_id in (11, 12, 13):
        await member(db, user_id)
        await apply(db, activity_id, user_id)

    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="has 2 places left, and 3 people were picked"):
            await choosing.choose(session, GUILD, activity_id, [11, 12, 13], NOW)

    async with db.sessions() as session:
        assert len((await choosing.applicants(session, GUILD, activity_id, NOW)).people) == 3


async def test_choosing_someone_who_did_not_apply_is_refused(db: Database) -> None:
    activity_id = await chosen_activity(db)
    await member(db, 11)
    await apply(db, activity_id, 11)
    async with db.sessions() as session, session.begin():
        with pytest.raises(InvalidInput, match="have not applied"):
            await choosing.choose(session, GUILD, activity_id, [11, 77], NOW)


async def test_a_withdrawn_application_is_no_longer_listed(db: Database) -> None:
    activity_id = await chosen_activity(db)
    await member(db, 11)
    await apply(db, activity_id, 11)
    async with db.sessions() as session, session.begin():
        await choosing.withdraw_application(session, GUILD, activity_id, 11)
    async with db.sessions() as session:
        assert await choosing.applicant_count(session, activity_id) == 0
