"""The buddy programme's rules, against a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.errors import Conflict, InvalidInput, NotFound
from bot.services import buddies
from bot.services.buddies import Plan
from bot.services.consent import record_consent
from db.engine import Database
from db.models import BuddyEnrolment, BuddyPair, Member, OutboxMessage

GUILD = 1
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
AUTO = Plan(approve_first=False, checkin_days=(7, 28), pair_weeks=12)
APPROVE = Plan(approve_first=True, checkin_days=(7, 28), pair_weeks=12)
BUDDY, NEWCOMER, OTHER = 101, 202, 303


async def person(
    db: Database,
    user_id: int,
    role: str | None = None,
    *,
    capacity: int = 1,
    interests: tuple[str, ...] = ("research",),
    joined: datetime = NOW,
    paused_until: datetime | None = None,
) -> None:
    async with db.sessions() as session, session.begin():
        await record_consent(session, GUILD, user_id, "v1", NOW)
        await buddies.save_profile(session, GUILD, user_id, interests, ["weekday_evenings"])
        if paused_until is not None:
            member = await session.scalar(select(Member).where(Member.user_id == user_id))
            assert member is not None
            member.paused_until = paused_until
        if role is not None:
            await buddies.join(session, GUILD, user_id, role, capacity, joined)


async def run(db: Database, plan: Plan = AUTO, now: datetime = NOW) -> buddies.RunResult:
    async with db.sessions() as session, session.begin():
        return await buddies.run_pairing(session, GUILD, now, plan)


async def queued(db: Database, kind: str) -> list[OutboxMessage]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
        return list(rows)


async def enrolled(db: Database) -> set[int]:
    async with db.sessions() as session:
        return set(await session.scalars(select(BuddyEnrolment.user_id)))


async def test_capacity_outside_one_to_five_is_refused_and_nothing_stored(db: Database) -> None:
    await person(db, BUDDY)
    for capacity in (0, 6):
        with pytest.raises(InvalidInput, match="1 to 5"):
            async with db.sessions() as session, session.begin():
                await buddies.join(session, GUILD, BUDDY, "buddy", capacity, NOW)
    assert await enrolled(db) == set()


async def test_joining_twice_is_refused_and_the_first_role_kept(db: Database) -> None:
    await person(db, BUDDY, "buddy", capacity=3)
    with pytest.raises(Conflict, match="already in the buddy programme as a buddy"):
        async with db.sessions() as session, session.begin():
            await buddies.join(session, GUILD, BUDDY, "newcomer", 1, NOW)
    async with db.sessions() as session:
        status = await buddies.status(session, GUILD, BUDDY)
    assert (status.enrolment.role, status.enrolment.capacity) == ("buddy", 3)


async def test_leaving_when_not_in_the_programme_says_so(db: Database) -> None:
    await person(db, BUDDY)
    with pytest.raises(NotFound, match="not in the buddy programme"):
        async with db.sessions() as session, session.begin():
            await buddies.leave(session, GUILD, BUDDY, NOW)


async def test_profile_needs_an_interest_and_a_time(db: Database) -> None:
    await person(db, BUDDY)
    with pytest.raises(InvalidInput):
        async with db.sessions() as session, session.begin():
            await buddies.save_profile(session, GUILD, BUDDY, ["research"], [])
    async with db.sessions() as session:
        assert await buddies.has_profile(session, GUILD, BUDDY)


async def test_automatic_pairing_introduces_and_schedules_checkins_and_a_thank_you(
    db: Database,
) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    result = await run(db)
    [pair] = result.pairs
    assert (pair.buddy_user_id, pair.newcomer_user_id, pair.status) == (BUDDY, NEWCOMER, "active")
    assert pair.reason == "You both care about research and are free on weekday evenings."
    assert [row.payload for row in await queued(db, "buddy_intro")] == [{"pair_id": pair.id}]
    checkins = await queued(db, "buddy_checkin")
    assert sorted((row.user_id, row.due_at) for row in checkins) == [
        (BUDDY, NOW + timedelta(days=7)),
        (BUDDY, NOW + timedelta(days=28)),
        (NEWCOMER, NOW + timedelta(days=7)),
        (NEWCOMER, NOW + timedelta(days=28)),
    ]
    thanks = await queued(db, "buddy_thanks")
    assert {row.due_at for row in thanks} == {NOW + timedelta(weeks=12)}


async def test_status_shows_the_buddy_and_the_next_checkin(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    await run(db)
    async with db.sessions() as session:
        status = await buddies.status(session, GUILD, NEWCOMER)
    assert [p.other(NEWCOMER) for p in status.pairs] == [BUDDY]
    assert status.next_checkin == NOW + timedelta(days=7)


async def test_a_buddys_capacity_holds_across_runs(db: Database) -> None:
    await person(db, BUDDY, "buddy", capacity=1)
    await person(db, NEWCOMER, "newcomer", joined=NOW - timedelta(days=3))
    await person(db, OTHER, "newcomer")
    first = await run(db)
    second = await run(db, now=NOW + timedelta(days=7))
    assert [p.newcomer_user_id for p in first.pairs] == [NEWCOMER]  # waited longest
    assert second.pairs == ()
    assert second.waiting == (OTHER,)


async def test_unmatched_newcomers_are_told_once_that_they_are_on_the_list(db: Database) -> None:
    await person(db, NEWCOMER, "newcomer")
    await run(db)
    await run(db, now=NOW + timedelta(days=7))
    assert [row.user_id for row in await queued(db, "buddy_waiting")] == [NEWCOMER]


async def test_paused_people_are_not_paired(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer", paused_until=NOW + timedelta(days=3))
    assert (await run(db)).pairs == ()


async def test_approval_mode_proposes_and_a_coordinator_approves_once(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    [pair] = (await run(db, APPROVE)).pairs
    assert pair.status == "proposed"
    assert await queued(db, "buddy_checkin") == []
    assert [row.payload for row in await queued(db, "buddy_proposal")] == [{"pair_id": pair.id}]
    async with db.sessions() as session, session.begin():
        approved = await buddies.decide_proposal(session, pair.id, True, NOW, APPROVE)
    assert approved.status == "active"
    assert len(await queued(db, "buddy_checkin")) == 4
    with pytest.raises(Conflict, match="already decided"):
        async with db.sessions() as session, session.begin():
            await buddies.decide_proposal(session, pair.id, False, NOW, APPROVE)


async def test_a_skipped_proposal_is_never_proposed_again(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    [pair] = (await run(db, APPROVE)).pairs
    async with db.sessions() as session, session.begin():
        await buddies.decide_proposal(session, pair.id, False, NOW, APPROVE)
    again = await run(db, APPROVE, NOW + timedelta(days=7))
    assert again.pairs == ()
    assert again.waiting == (NEWCOMER,)


async def test_asking_for_help_alerts_coordinators_naming_only_the_pair(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    [pair] = (await run(db)).pairs
    async with db.sessions() as session, session.begin():
        answered = await buddies.answer_checkin(session, pair.id, NEWCOMER, "help", NOW)
    assert answered.help_requested
    [alert] = await queued(db, "buddy_help")
    assert (alert.user_id, alert.payload) == (None, {"pair_id": pair.id})


async def test_an_old_checkin_button_changes_nothing(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    [pair] = (await run(db)).pairs
    async with db.sessions() as session, session.begin():
        await buddies.end_pair(session, pair.id, BUDDY, "ended", NOW)
    for user_id in (NEWCOMER, OTHER):
        with pytest.raises(Conflict, match="has ended"):
            async with db.sessions() as session, session.begin():
                await buddies.answer_checkin(session, pair.id, user_id, "help", NOW)
    assert await queued(db, "buddy_help") == []


async def test_asking_for_a_new_buddy_puts_the_newcomer_back_on_the_list(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    [pair] = (await run(db)).pairs
    async with db.sessions() as session, session.begin():
        await buddies.end_pair(session, pair.id, NEWCOMER, "new_buddy", NOW)
    assert await queued(db, "buddy_checkin") == []  # withdrawn
    [told] = await queued(db, "buddy_ended")
    assert (told.user_id, told.payload) == (BUDDY, {"back_on_list": False})
    async with db.sessions() as session:
        overview = await buddies.overview(session, GUILD)
    assert [e.user_id for e in overview.waiting] == [NEWCOMER]
    assert overview.free_places == ((BUDDY, 1),)


async def test_a_buddy_ending_early_tells_the_newcomer_they_are_back_on_the_list(
    db: Database,
) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    await run(db)
    async with db.sessions() as session, session.begin():
        await buddies.leave(session, GUILD, BUDDY, NOW)
    [told] = await queued(db, "buddy_ended")
    assert (told.user_id, told.payload) == (NEWCOMER, {"back_on_list": True})
    assert await enrolled(db) == {NEWCOMER}


async def test_erasing_a_person_ends_their_pair_and_tells_the_other_kindly(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    await run(db)
    async with db.sessions() as session, session.begin():
        await buddies.erase_person(session, GUILD, NEWCOMER, NOW)
    [told] = await queued(db, "buddy_ended")
    assert told.user_id == BUDDY
    async with db.sessions() as session:
        statuses = list(await session.scalars(select(BuddyPair.status)))
        pending = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
        payload_values = [v for row in pending for v in row.payload.values()]
    assert statuses == ["ended"]
    assert NEWCOMER not in payload_values
    assert BUDDY not in payload_values


async def test_a_pair_finishes_after_its_weeks_and_the_newcomer_graduates(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    [pair] = (await run(db)).pairs
    async with db.sessions() as session, session.begin():
        assert not await buddies.finish_if_due(session, pair.id, NOW + timedelta(weeks=11))
        assert await buddies.finish_if_due(session, pair.id, NOW + timedelta(weeks=12))
        assert await buddies.finish_if_due(session, pair.id, NOW + timedelta(weeks=13))
    assert await enrolled(db) == {BUDDY}


async def test_a_pair_ended_early_does_not_count_as_finished(db: Database) -> None:
    await person(db, BUDDY, "buddy")
    await person(db, NEWCOMER, "newcomer")
    [pair] = (await run(db)).pairs
    async with db.sessions() as session, session.begin():
        await buddies.end_pair(session, pair.id, BUDDY, "ended", NOW + timedelta(days=3))
        assert not await buddies.finish_if_due(session, pair.id, NOW + timedelta(weeks=12))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 7 Dec 2026, 09:00 London: before this week's 10:00 run, so last week's.
        (datetime(2026, 12, 7, 9, 0, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),
        (datetime(2026, 12, 7, 10, 0, tzinfo=UTC), datetime(2026, 12, 7, 10, 0, tzinfo=UTC)),
        (datetime(2026, 12, 10, 18, 0, tzinfo=UTC), datetime(2026, 12, 7, 10, 0, tzinfo=UTC)),
        # Summer time: 10:00 in London is 09:00 UTC.
        (datetime(2026, 6, 2, 12, 0, tzinfo=UTC), datetime(2026, 6, 1, 9, 0, tzinfo=UTC)),
    ],
)
def test_latest_weekly_run_is_in_community_time(now: datetime, expected: datetime) -> None:
    assert buddies.latest_run(now, ZoneInfo("Europe/London"), "mon", "10:00") == expected


async def test_a_weekly_run_is_claimed_once_and_a_new_community_waits_for_the_next(
    db: Database,
) -> None:
    monday = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    claims = []
    for scheduled in (monday, monday, monday + timedelta(weeks=1), monday + timedelta(weeks=1)):
        async with db.sessions() as session, session.begin():
            claims.append(await buddies.claim_weekly_run(session, GUILD, scheduled))
    assert claims == [False, False, True, False]


async def test_the_coordinators_thread_is_kept_per_community_and_can_be_replaced(
    db: Database,
) -> None:
    async with db.sessions() as session, session.begin():
        assert await buddies.coordinator_thread(session, GUILD) is None
        await buddies.remember_coordinator_thread(session, GUILD, 555)
    async with db.sessions() as session, session.begin():
        assert await buddies.coordinator_thread(session, GUILD) == 555
        assert await buddies.coordinator_thread(session, GUILD + 1) is None
        await buddies.remember_coordinator_thread(session, GUILD, 777)  # the old one was deleted
    async with db.sessions() as session:
        assert await buddies.coordinator_thread(session, GUILD) == 777
