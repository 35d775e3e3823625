from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.errors import Conflict, ConsentNeeded, NotFound
from bot.services import activities, consent, signups
from bot.services.activities import ActivityDraft
from bot.services.signups import SignupResult
from db.engine import Database
from db.models import Member, OutboxMessage, Signup

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GUILD = 1


async def new_activity(
    db: Database, capacity: int = 2, *, deadline: datetime | None = None, guild: int = GUILD
) -> int:
    draft = ActivityDraft(
        title="Interview panel",
        kind="recruitment",
        starts_at=NOW + timedelta(days=2),
        capacity=capacity,
        signup_deadline=deadline,
    )
    async with db.sessions() as session, session.begin():
        return (await activities.create_activity(session, guild, draft, NOW)).id


async def sign_up(
    db: Database, activity_id: int, user_id: int, now: datetime = NOW
) -> SignupResult:
    await agree(db, user_id)
    async with db.sessions() as session, session.begin():
        return await signups.sign_up(session, GUILD, activity_id, user_id, now)


async def agree(db: Database, user_id: int) -> None:
    async with db.sessions() as session, session.begin():
        await consent.record_consent(session, GUILD, user_id, "test", NOW)


async def withdraw(db: Database, activity_id: int, user_id: int) -> signups.WithdrawResult:
    async with db.sessions() as session, session.begin():
        return await signups.withdraw(session, GUILD, activity_id, user_id, NOW)


async def outbox_rows(db: Database) -> list[tuple[str, int | None]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.user_id).order_by(OutboxMessage.id)
        )
        return [(kind, user) for kind, user in rows]


async def test_places_are_given_until_full_then_people_wait_in_order(db: Database) -> None:
    activity_id = await new_activity(db, capacity=2)
    results = [await sign_up(db, activity_id, user) for user in (11, 12, 13, 14)]
    assert [(r.status, r.position) for r in results] == [
        ("confirmed", None),
        ("confirmed", None),
        ("waiting", 1),
        ("waiting", 2),
    ]
    assert (results[-1].activity.confirmed, results[-1].activity.waiting) == (2, 2)


async def test_signing_up_twice_is_refused_kindly(db: Database) -> None:
    activity_id = await new_activity(db, capacity=1)
    await sign_up(db, activity_id, 11)
    await sign_up(db, activity_id, 12)
    with pytest.raises(Conflict, match="already have a place"):
        await sign_up(db, activity_id, 11)
    with pytest.raises(Conflict, match=r"already on the waiting list .* at number 1"):
        await sign_up(db, activity_id, 12)


async def test_withdrawing_promotes_the_first_person_waiting_and_queues_their_news(
    db: Database,
) -> None:
    activity_id = await new_activity(db, capacity=1)
    for user in (11, 12, 13):
        await sign_up(db, activity_id, user)
    result = await withdraw(db, activity_id, 11)
    assert result.promoted_user_id == 12
    assert (result.activity.confirmed, result.activity.waiting) == (1, 1)
    assert await outbox_rows(db) == [(signups.PROMOTED, 12)]
    async with db.sessions() as session:
        mine = await signups.my_signups(session, GUILD, 13, NOW)
    assert [(m.status, m.position) for m in mine] == [("waiting", 1)]


async def test_leaving_the_waitlist_promotes_nobody(db: Database) -> None:
    activity_id = await new_activity(db, capacity=1)
    await sign_up(db, activity_id, 11)
    await sign_up(db, activity_id, 12)
    result = await withdraw(db, activity_id, 12)
    assert (result.had_place, result.promoted_user_id) == (False, None)
    assert await outbox_rows(db) == []


async def test_withdrawing_when_not_signed_up_is_refused(db: Database) -> None:
    activity_id = await new_activity(db)
    with pytest.raises(Conflict, match="not signed up"):
        await withdraw(db, activity_id, 11)


async def test_withdrawing_after_the_start_is_refused(db: Database) -> None:
    activity_id = await new_activity(db)
    await sign_up(db, activity_id, 11)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="already started"):
            await signups.withdraw(session, GUILD, activity_id, 11, NOW + timedelta(days=3))


async def test_sign_ups_close_at_the_deadline(db: Database) -> None:
    activity_id = await new_activity(db, deadline=NOW + timedelta(days=1))
    with pytest.raises(Conflict, match="have closed"):
        await sign_up(db, activity_id, 11, NOW + timedelta(days=1))
    assert (await sign_up(db, activity_id, 11, NOW + timedelta(hours=23))).status == "confirmed"


async def test_sign_ups_close_at_the_start(db: Database) -> None:
    activity_id = await new_activity(db)
    with pytest.raises(Conflict, match="have closed"):
        await sign_up(db, activity_id, 11, NOW + timedelta(days=2))


async def test_an_activity_of_another_community_is_not_found(db: Database) -> None:
    activity_id = await new_activity(db, guild=2)
    with pytest.raises(NotFound):
        await sign_up(db, activity_id, 11)


async def test_two_hundred_at_once_for_ten_places_fill_in_arrival_order(db: Database) -> None:
    activity_id = await new_activity(db, capacity=10)
    results = await asyncio.gather(*(sign_up(db, activity_id, 1000 + n) for n in range(200)))
    confirmed = [r for r in results if r.status == "confirmed"]
    waiting = sorted((r for r in results if r.status == "waiting"), key=lambda r: r.position or 0)
    assert len(confirmed) == 10
    assert [r.position for r in waiting] == list(range(1, 191))
    async with db.sessions() as session:
        rows = (
            await session.execute(select(Signup.status, Signup.user_id).order_by(Signup.id))
        ).all()
    # Arrival order is the order the lock was taken: the first ten rows hold the places, and
    # the positions people were told match the order of the rows after them.
    assert [status for status, _ in rows[:10]] == ["confirmed"] * 10
    assert {status for status, _ in rows[10:]} == {"waiting"}
    async with db.sessions() as session:
        told = {
            user: mine[0].position
            for user in (user for _, user in rows[10:])
            if (mine := await signups.my_signups(session, GUILD, user, NOW))
        }
    assert [told[user] for _, user in rows[10:]] == list(range(1, 191))


async def test_the_same_person_twice_at_once_gets_one_sign_up(db: Database) -> None:
    activity_id = await new_activity(db, capacity=5)
    outcomes = await asyncio.gather(
        sign_up(db, activity_id, 11), sign_up(db, activity_id, 11), return_exceptions=True
    )
    assert sum(isinstance(o, SignupResult) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    async with db.sessions() as session:
        assert (await session.scalars(select(Signup.user_id))).all() == [11]


async def test_erasure_gives_places_on_and_refreshes_announcements(db: Database) -> None:
    first, second = await new_activity(db, capacity=1), await new_activity(db, capacity=1)
    for activity_id in (first, second):
        await sign_up(db, activity_id, 11)
    await sign_up(db, first, 12)
    async with db.sessions() as session, session.begin():
        assert await signups.withdraw_everywhere(session, GUILD, 11, NOW) == 2
    async with db.sessions() as session:
        assert (
            await session.scalars(select(Signup.user_id).where(Signup.user_id == 11))
        ).all() == []
        assert await signups.status_of(session, first, 12) == "confirmed"
    assert await outbox_rows(db) == [
        (signups.PROMOTED, 12),
        (activities.REFRESH, None),
        (activities.REFRESH, None),
    ]


async def test_attendees_list_places_then_waitlist_with_adjustments(db: Database) -> None:
    activity_id = await new_activity(db, capacity=1)
    async with db.sessions() as session, session.begin():
        session.add(
            Member(
                guild_id=GUILD,
                user_id=11,
                consent_version="1",
                consented_at=NOW,
                display_name="Sam",
                adjustments="Large print",
            )
        )
    await sign_up(db, activity_id, 11)
    await sign_up(db, activity_id, 12)
    async with db.sessions() as session:
        found = await signups.attendees(session, GUILD, activity_id)
    assert [(a.user_id, a.display_name, a.adjustments) for a in found.confirmed] == [
        (11, "Sam", "Large print")
    ]
    assert [(a.user_id, a.position) for a in found.waiting] == [(12, 1)]
    lines = signups.attendees_csv(found).splitlines()
    assert lines[0].startswith("status,waitlist_position,discord_id,name,adjustments")
    assert lines[1].startswith("confirmed,,11,Sam,Large print,")
    assert lines[2].startswith("waiting,1,12,,,")


async def test_no_sign_up_is_stored_for_someone_who_has_not_agreed(db: Database) -> None:
    activity_id = await new_activity(db)
    with pytest.raises(ConsentNeeded):
        async with db.sessions() as session, session.begin():
            await signups.sign_up(session, GUILD, activity_id, 99, NOW)
    async with db.sessions() as session:
        assert (await session.scalars(select(Signup.user_id))).all() == []


async def test_agreeing_twice_at_once_records_consent_once(db: Database) -> None:
    outcomes = await asyncio.gather(agree(db, 21), agree(db, 21))
    assert list(outcomes) == [None, None]
    async with db.sessions() as session:
        assert (await session.scalars(select(Member.user_id))).all() == [21]
