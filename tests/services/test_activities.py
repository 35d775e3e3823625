from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.errors import Conflict, InvalidInput, NotFound
from bot.services import activities, activity_lookup, calendar, consent, signups
from bot.services.activities import ActivityChanges, ActivityDraft
from bot.services.activity_lookup import RECENT, STARTED
from db.engine import Database
from db.models import Activity, OutboxMessage

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GUILD = 1
DRAFT = ActivityDraft(
    title="Set research priorities",
    kind="research",
    starts_at=NOW + timedelta(days=3),
    capacity=2,
    place="Room 4.12",
)


async def create(db: Database, draft: ActivityDraft = DRAFT) -> int:
    async with db.sessions() as session, session.begin():
        return (await activities.create_activity(session, GUILD, draft, NOW)).id


async def fill(db: Database, activity_id: int, *users: int) -> None:
    for user in users:
        async with db.sessions() as session, session.begin():
            await consent.record_consent(session, GUILD, user, "test", NOW)
            await signups.sign_up(session, GUILD, activity_id, user, NOW)


async def queued(db: Database) -> list[tuple[str, int | None]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.user_id).order_by(OutboxMessage.id)
        )
        return [(kind, user) for kind, user in rows]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "x" * 101}, "the most is 100"),
        ({"title": "  "}, "title is empty"),
        ({"capacity": 0}, "between 1 and 500"),
        ({"capacity": 501}, "between 1 and 500"),
        ({"duration_minutes": 24 * 60 + 1}, "24 hours"),
        ({"starts_at": NOW - timedelta(minutes=1)}, "already passed"),
        ({"kind": "party"}, "must be one of"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    db: Database, change: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await create(db, replace(DRAFT, **change))  # type: ignore[arg-type]
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Activity)) == 0


async def test_a_new_time_or_place_is_told_to_everyone_signed_up_or_waiting(db: Database) -> None:
    activity_id = await create(db)
    await fill(db, activity_id, 11, 12, 13)
    async with db.sessions() as session, session.begin():
        result = await activities.edit_activity(
            session, GUILD, activity_id, ActivityChanges(place="Online"), NOW
        )
    assert (result.told, result.activity.place) == (3, "Online")
    assert await queued(db) == [(activities.CHANGED, user) for user in (11, 12, 13)]


async def test_a_new_description_alone_tells_nobody(db: Database) -> None:
    activity_id = await create(db)
    await fill(db, activity_id, 11)
    async with db.sessions() as session, session.begin():
        result = await activities.edit_activity(
            session, GUILD, activity_id, ActivityChanges(description="Bring questions"), NOW
        )
    assert result.told == 0
    assert await queued(db) == []


async def test_more_places_go_to_the_people_waiting_longest(db: Database) -> None:
    activity_id = await create(db)
    await fill(db, activity_id, 11, 12, 13, 14, 15)
    async with db.sessions() as session, session.begin():
        await activities.edit_activity(
            session, GUILD, activity_id, ActivityChanges(capacity=4), NOW
        )
        promoted = await signups.fill_free_places(session, GUILD, activity_id, NOW)
    assert promoted == [13, 14]
    assert await queued(db) == [(signups.PROMOTED, 13), (signups.PROMOTED, 14)]


async def test_capacity_cannot_drop_below_the_places_taken(db: Database) -> None:
    activity_id = await create(db)
    await fill(db, activity_id, 11, 12)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="cannot go below 2"):
            await activities.edit_activity(
                session, GUILD, activity_id, ActivityChanges(capacity=1), NOW
            )


async def test_cancelling_tells_everyone_and_closes_sign_ups(db: Database) -> None:
    activity_id = await create(db)
    await fill(db, activity_id, 11, 12, 13)
    async with db.sessions() as session, session.begin():
        result = await activities.cancel_activity(session, GUILD, activity_id, "Room flooded", NOW)
    assert (result.told, result.activity.cancel_reason) == (3, "Room flooded")
    assert await queued(db) == [(activities.CANCELLED, user) for user in (11, 12, 13)]
    with pytest.raises(Conflict, match="was cancelled"):
        await fill(db, activity_id, 14)


async def resolve(db: Database, typed: str) -> int:
    async with db.sessions() as session:
        return (await activity_lookup.resolve(session, GUILD, typed, NOW)).id


async def test_a_typed_title_matching_one_open_activity_resolves_to_it(db: Database) -> None:
    activity_id = await create(db)
    assert await resolve(db, "set research PRIORITIES") == activity_id
    assert await resolve(db, str(activity_id)) == activity_id


async def test_an_exact_title_wins_over_titles_that_only_contain_it(db: Database) -> None:
    exact = await create(db, replace(DRAFT, title="Tea"))
    await create(db, replace(DRAFT, title="Tea and cake"))
    assert await resolve(db, "tea") == exact
    with pytest.raises(NotFound, match="could not find"):
        await resolve(db, "te")


async def test_a_title_shared_by_two_activities_asks_to_pick(db: Database) -> None:
    await create(db)
    await create(db)
    with pytest.raises(InvalidInput, match="More than one open activity"):
        await resolve(db, DRAFT.title)


async def test_an_unknown_activity_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="could not find"):
        await resolve(db, "Bake sale")


async def test_a_typed_20_digit_number_is_refused_in_plain_words(db: Database) -> None:
    await create(db)
    with pytest.raises(InvalidInput, match="is not a number I can use"):
        await resolve(db, "12345678901234567890")


async def test_percent_and_underscore_in_a_typed_title_match_only_themselves(
    db: Database,
) -> None:
    await create(db, replace(DRAFT, title="Staff party"))  # "f p" would match f_p as a wildcard
    discount = await create(db, replace(DRAFT, title="100% off_peak"))
    async with db.sessions() as session:
        percent = await activity_lookup.search(session, GUILD, "%", NOW)
        underscore = await activity_lookup.search(session, GUILD, "f_p", NOW)
    assert [a.id for a in percent] == [discount]
    assert [a.id for a in underscore] == [discount]
    with pytest.raises(NotFound):
        await resolve(db, "t%e")


async def test_text_is_stored_cleaned(db: Database) -> None:
    draft = replace(
        DRAFT,
        title=" Tea\u200b  and\ncake ",
        place="\u202eRoom 4",
        description="Bring\r\n\r\n\r\ncake",
    )
    async with db.sessions() as session, session.begin():
        created = await activities.create_activity(session, GUILD, draft, NOW)
    assert (created.title, created.place, created.description) == (
        "Tea and cake",
        "Room 4",
        "Bring\n\ncake",
    )


async def test_upcoming_is_soonest_first_by_kind_and_paged(db: Database) -> None:
    for days in (5, 2, 4, 3):
        await create(
            db, replace(DRAFT, title=f"In {days} days", starts_at=NOW + timedelta(days=days))
        )
    await create(db, replace(DRAFT, title="Tea", kind="social"))
    async with db.sessions() as session:
        first, pages = await activities.upcoming_page(session, GUILD, NOW, "research", 0, 3)
        second, _ = await activities.upcoming_page(session, GUILD, NOW, "research", 1, 3)
        social, _ = await activities.upcoming_page(session, GUILD, NOW, "social", 0, 3)
    assert pages == 2
    assert [a.title for a in first + second] == [f"In {d} days" for d in (2, 3, 4, 5)]
    assert [a.title for a in social] == ["Tea"]


async def test_autocomplete_finds_open_activities_by_part_of_the_title(db: Database) -> None:
    await create(db, replace(DRAFT, title="Grant review"))
    cancelled = await create(db, replace(DRAFT, title="Grant panel"))
    async with db.sessions() as session, session.begin():
        await activities.cancel_activity(session, GUILD, cancelled, None, NOW)
    async with db.sessions() as session:
        found = await activity_lookup.search(session, GUILD, "grant", NOW)
    assert [a.title for a in found] == ["Grant review"]


async def test_each_scope_offers_its_own_activities_in_its_own_order(db: Database) -> None:
    cancelled = await create(db, replace(DRAFT, title="Ended, cancelled"))
    async with db.sessions() as session, session.begin():
        await activities.cancel_activity(session, GUILD, cancelled, None, NOW)
    days = {"Ended long ago": -40, "Ended": -5, "Just ended": -1, "Soon": 3, "Ended, cancelled": -2}
    for title in list(days)[:-1]:
        await create(db, replace(DRAFT, title=title))
    async with db.sessions() as session, session.begin():
        for activity in await session.scalars(select(Activity)):
            activity.starts_at = NOW + timedelta(days=days[activity.title])
    async with db.sessions() as session:
        upcoming = await activity_lookup.search(session, GUILD, "", NOW)
        recent = await activity_lookup.search(session, GUILD, "", NOW, RECENT)
        started = await activity_lookup.search(session, GUILD, "", NOW, STARTED)
    assert [a.title for a in upcoming] == ["Soon"]
    assert [a.title for a in recent] == ["Ended", "Just ended", "Soon"]
    assert [a.title for a in started] == ["Just ended", "Ended", "Ended long ago"]


async def test_calendar_file_has_utc_times_escaped_text_and_short_lines(db: Database) -> None:
    draft = replace(DRAFT, place="Room 4, Level 2; east wing", description="Long words " * 20)
    activity_id = await create(db, draft)
    async with db.sessions() as session:
        activity = await activities.get_activity(session, GUILD, activity_id)
    ics = calendar.ics_for(activity, NOW)
    lines = ics.split("\r\n")
    assert "DTSTART:20261204T090000Z" in lines
    assert "DTEND:20261204T100000Z" in lines
    assert "LOCATION:Room 4\\, Level 2\\; east wing" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert ics.replace("\r\n ", "").count("Long words") == 20  # RFC 5545 unfolding
