"""Groups: making one without leaving anything half-made, asking to join, coordinators adding
and removing, terms that end kindly, decisions, group-only activities and a person's data."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.errors import Conflict, ConsentNeeded, InvalidInput, NotAllowed
from bot.services import consent, mydata, programme, signups
from bot.services.outbox import OutboxItem
from bot.services.programme import GroupOnly, GroupView
from bot.services.programme import groups as groups_module
from db.engine import Database
from db.models import Activity, OutboxMessage

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GUILD = 1
COORDINATOR, ALICE, BOB = 900, 411, 412
ROLE, CHANNEL = 7001, 7002


async def agree(db: Database, user_id: int) -> None:
    async with db.sessions() as session, session.begin():
        await consent.record_consent(session, GUILD, user_id, "test", NOW)


async def new_group(
    db: Database, name: str = "Advisory group", term_months: int | None = None
) -> GroupView:
    async with db.sessions() as session, session.begin():
        draft = await programme.check_new_group(
            session, GUILD, name, "We steer the programme.", term_months
        )
        return await programme.create_group(
            session, GUILD, draft, role_id=ROLE, channel_id=CHANNEL, now=NOW
        )


async def add(
    db: Database, group: GroupView, user_id: int, now: datetime = NOW
) -> programme.MembershipChange:
    async with db.sessions() as session, session.begin():
        return await programme.add_member(session, GUILD, group.id, user_id, now)


async def ask(db: Database, group: GroupView, user_id: int, why: str = "I care about it") -> int:
    async with db.sessions() as session, session.begin():
        return (await programme.ask_to_join(session, GUILD, group.id, user_id, why, NOW)).id


async def is_member(db: Database, group: GroupView, user_id: int) -> bool:
    async with db.sessions() as session:
        return await programme.is_member(session, group.id, user_id)


async def outbox_of(db: Database, kind: str) -> list[OutboxItem]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
        return [
            OutboxItem(r.id, r.guild_id, r.kind, r.user_id, r.activity_id, r.payload, r.due_at, 0)
            for r in rows
        ]


# -- making a group --------------------------------------------------------------------------


async def test_a_new_group_gets_a_channel_safe_name(db: Database) -> None:
    async with db.sessions() as session:
        draft = await programme.check_new_group(
            session, GUILD, "  Quality   Standard: Working Group ", "We check quality.", 12
        )
    assert (draft.name, draft.slug) == (
        "Quality Standard: Working Group",
        "quality-standard-working-group",
    )


async def test_a_name_too_long_for_discord_is_refused(db: Database) -> None:
    async with db.sessions() as session:
        with pytest.raises(InvalidInput, match="101 characters"):
            await programme.check_new_group(session, GUILD, "a" * 101, "About.", None)


async def test_a_name_with_no_letters_or_numbers_is_refused(db: Database) -> None:
    async with db.sessions() as session:
        with pytest.raises(InvalidInput, match="needs some letters or numbers"):
            await programme.check_new_group(session, GUILD, "!!!", "About.", None)


async def test_names_are_unique_whatever_their_case(db: Database) -> None:
    await new_group(db, "Advisory group")
    async with db.sessions() as session:
        with pytest.raises(Conflict, match="already a group called Advisory group"):
            await programme.check_new_group(session, GUILD, "ADVISORY GROUP", "About.", None)


async def test_a_name_taken_while_the_cog_made_the_role_is_refused(db: Database) -> None:
    async with db.sessions() as session:
        draft = await programme.check_new_group(session, GUILD, "Advisory group", "About.", None)
    await new_group(db, "advisory group")
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict):
            await programme.create_group(
                session, GUILD, draft, role_id=ROLE + 1, channel_id=CHANNEL + 1, now=NOW
            )
        assert len(await programme.group_list(session, GUILD)) == 1


async def test_a_term_must_be_a_sensible_number_of_months(db: Database) -> None:
    async with db.sessions() as session:
        with pytest.raises(InvalidInput, match="from 1 to 120 months"):
            await programme.check_new_group(session, GUILD, "Advisory group", "About.", 0)


# -- asking to join --------------------------------------------------------------------------


async def test_a_request_keeps_a_cleaned_why(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    async with db.sessions() as session, session.begin():
        request = await programme.ask_to_join(
            session, GUILD, group.id, ALICE, "  I \u200bcare\x07   about\n\n\n\nresearch ", NOW
        )
    assert request.why == "I care about\n\nresearch"
    assert request.status == "pending"


async def test_a_why_longer_than_300_characters_is_refused(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    with pytest.raises(InvalidInput, match="301 characters"):
        await ask(db, group, ALICE, "x" * 301)


async def test_asking_twice_is_refused(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    await ask(db, group, ALICE)
    with pytest.raises(Conflict, match="already asked to join Advisory group"):
        await ask(db, group, ALICE)


async def test_a_member_cannot_ask_to_join(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    await add(db, group, ALICE)
    with pytest.raises(Conflict, match="already a member"):
        await ask(db, group, ALICE)


async def test_asking_needs_consent_first(db: Database) -> None:
    group = await new_group(db)
    with pytest.raises(ConsentNeeded):
        await ask(db, group, ALICE)


async def test_accepting_makes_a_member_and_tells_them(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    request_id = await ask(db, group, ALICE)
    async with db.sessions() as session, session.begin():
        answer = await programme.accept_request(session, GUILD, request_id, COORDINATOR, NOW)
    assert (answer.accepted, answer.added, answer.request.group.role_id) == (True, True, ROLE)
    assert "you are now a member of Advisory group" in answer.tell
    assert await is_member(db, group, ALICE)
    [told] = await outbox_of(db, programme.REQUEST_ANSWERED)
    async with db.sessions() as session:
        assert await programme.request_answer_to_send(session, told) == answer.tell


async def test_declining_leaves_them_out_and_thanks_them(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    request_id = await ask(db, group, ALICE)
    async with db.sessions() as session, session.begin():
        answer = await programme.decline_request(session, GUILD, request_id, COORDINATOR, NOW)
    assert not answer.accepted
    assert answer.tell.startswith("Thank you for asking to join Advisory group.")
    assert not await is_member(db, group, ALICE)


async def test_a_request_cannot_be_answered_twice(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    request_id = await ask(db, group, ALICE)
    async with db.sessions() as session, session.begin():
        await programme.decline_request(session, GUILD, request_id, COORDINATOR, NOW)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="already declined"):
            await programme.accept_request(session, GUILD, request_id, COORDINATOR, NOW)


# -- coordinators and leaving ----------------------------------------------------------------


async def test_adding_someone_who_has_not_joined_is_refused(db: Database) -> None:
    group = await new_group(db)
    with pytest.raises(NotAllowed, match="/join"):
        await add(db, group, ALICE)


async def test_adding_a_member_twice_is_refused(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    change = await add(db, group, ALICE)
    assert (change.added, change.role_id) == (True, ROLE)
    with pytest.raises(Conflict, match="already a member"):
        await add(db, group, ALICE)


async def test_removing_ends_the_membership_and_returns_the_role(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    await add(db, group, ALICE)
    async with db.sessions() as session, session.begin():
        change = await programme.remove_member(session, GUILD, group.id, ALICE, NOW)
    assert (change.removed, change.role_id, change.membership.end_reason) == (True, ROLE, "removed")
    assert not await is_member(db, group, ALICE)


async def test_leaving_ends_the_membership(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    await add(db, group, ALICE)
    async with db.sessions() as session, session.begin():
        change = await programme.leave_group(session, GUILD, group.id, ALICE, NOW)
    assert change.removed
    assert not await is_member(db, group, ALICE)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="nothing to leave"):
            await programme.leave_group(session, GUILD, group.id, ALICE, NOW)


# -- terms -----------------------------------------------------------------------------------


async def test_a_term_ends_after_its_months_with_a_prompt_two_weeks_before(db: Database) -> None:
    group = await new_group(db, term_months=12)
    await agree(db, ALICE)
    change = await add(db, group, ALICE)
    assert change.membership.term_ends_at == datetime(2027, 12, 1, 12, 0, tzinfo=UTC)
    [prompt] = await outbox_of(db, programme.TERM_PROMPT)
    assert (prompt.user_id, prompt.due_at) == (ALICE, datetime(2027, 11, 17, 12, 0, tzinfo=UTC))
    async with db.sessions() as session:
        asked = await programme.term_prompt_to_send(session, prompt, prompt.due_at)
    assert asked is not None
    assert "Would you like to carry on" in programme.term_prompt_words(asked)


async def test_a_group_without_terms_plans_no_prompt(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    change = await add(db, group, ALICE)
    assert change.membership.term_ends_at is None
    assert await outbox_of(db, programme.TERM_PROMPT) == []


async def test_carrying_on_adds_another_term_once(db: Database) -> None:
    group = await new_group(db, term_months=12)
    await agree(db, ALICE)
    membership = (await add(db, group, ALICE)).membership
    asked_at = datetime(2027, 11, 20, 9, 0, tzinfo=UTC)
    async with db.sessions() as session, session.begin():
        change = await programme.carry_on(session, membership.id, ALICE, asked_at)
    assert change.membership.term_ends_at == datetime(2028, 12, 1, 12, 0, tzinfo=UTC)
    assert "Thank you for carrying on" in change.message
    old, new = await outbox_of(db, programme.TERM_PROMPT)
    async with db.sessions() as session:
        assert await programme.term_prompt_to_send(session, old, asked_at) is None
        assert await programme.term_prompt_to_send(session, new, new.due_at) is not None
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="already runs until"):
            await programme.carry_on(session, membership.id, ALICE, asked_at)


async def test_stepping_down_ends_it_with_thanks_and_asks_nothing_more(db: Database) -> None:
    group = await new_group(db, term_months=12)
    await agree(db, ALICE)
    membership = (await add(db, group, ALICE)).membership
    asked_at = datetime(2027, 11, 20, 9, 0, tzinfo=UTC)
    async with db.sessions() as session, session.begin():
        change = await programme.step_down(session, membership.id, ALICE, asked_at)
    assert (change.removed, change.role_id) == (True, ROLE)
    assert "Thank you for your time on Advisory group" in change.message
    [prompt] = await outbox_of(db, programme.TERM_PROMPT)
    async with db.sessions() as session:
        assert await programme.term_prompt_to_send(session, prompt, asked_at) is None
    assert not await is_member(db, group, ALICE)


async def test_someone_else_cannot_answer_the_prompt(db: Database) -> None:
    group = await new_group(db, term_months=12)
    await agree(db, ALICE)
    membership = (await add(db, group, ALICE)).membership
    async with db.sessions() as session, session.begin():
        with pytest.raises(Exception, match="no longer there"):
            await programme.step_down(session, membership.id, BOB, NOW)


async def test_the_job_ends_terms_that_are_over_and_says_thank_you(db: Database) -> None:
    group = await new_group(db, term_months=12)
    for user in (ALICE, BOB):
        await agree(db, user)
    await add(db, group, ALICE)
    await add(db, group, BOB, now=NOW + timedelta(days=30))
    term_over = datetime(2027, 12, 1, 12, 0, tzinfo=UTC)
    async with db.sessions() as session, session.begin():
        assert await programme.end_finished_terms(session, term_over - timedelta(minutes=1)) == []
        ended = await programme.end_finished_terms(session, term_over)
    assert [(e.user_id, e.role_id) for e in ended] == [(ALICE, ROLE)]
    assert not await is_member(db, group, ALICE)
    assert await is_member(db, group, BOB)
    [thanks] = await outbox_of(db, programme.TERM_ENDED)
    assert thanks.user_id == ALICE
    async with db.sessions() as session:
        words = await programme.term_ended_to_send(session, thanks)
    assert words is not None
    assert words.startswith("Your term on Advisory group has ended. Thank you")


# -- decisions and lists ---------------------------------------------------------------------


async def test_decisions_are_cleaned_and_logged_newest_first(db: Database) -> None:
    group = await new_group(db)
    async with db.sessions() as session, session.begin():
        await programme.record_decision(session, GUILD, group.id, "Meet monthly.", COORDINATOR, NOW)
        await programme.record_decision(
            session,
            GUILD,
            group.id,
            "  Pay   everyone\x00 fairly. ",
            COORDINATOR,
            NOW + timedelta(1),
        )
        log = await programme.decisions(session, GUILD, group.id)
    assert [d.text for d in log] == ["Pay everyone fairly.", "Meet monthly."]


async def test_a_decision_longer_than_1000_characters_is_refused(db: Database) -> None:
    group = await new_group(db)
    async with db.sessions() as session, session.begin():
        with pytest.raises(InvalidInput, match="1,001 characters"):
            await programme.record_decision(session, GUILD, group.id, "x" * 1001, COORDINATOR, NOW)


async def test_the_group_list_shows_members_requests_and_decisions(db: Database) -> None:
    group = await new_group(db)
    for user in (ALICE, BOB):
        await agree(db, user)
    await add(db, group, ALICE)
    await ask(db, group, BOB)
    async with db.sessions() as session, session.begin():
        await programme.record_decision(session, GUILD, group.id, "Meet monthly.", COORDINATOR, NOW)
        [listing] = await programme.group_list(session, GUILD)
    assert [m.user_id for m in listing.members] == [ALICE]
    assert [r.user_id for r in listing.requests] == [BOB]
    assert [d.text for d in listing.decisions] == ["Meet monthly."]


async def test_my_groups_shows_memberships_and_requests(db: Database) -> None:
    advisory = await new_group(db, "Advisory group", term_months=12)
    quality = await new_group(db, "Quality group")
    await agree(db, ALICE)
    await add(db, advisory, ALICE)
    await ask(db, quality, ALICE)
    async with db.sessions() as session:
        mine = await programme.my_groups(session, GUILD, ALICE)
    assert [(g.group.name, g.member, g.term_ends_at is not None) for g in mine] == [
        ("Advisory group", True, True),
        ("Quality group", False, False),
    ]


# -- group-only activities -------------------------------------------------------------------


async def group_activity(db: Database, group: GroupView) -> int:
    async with db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=GUILD,
            title="Advisory meeting",
            kind="governance",
            starts_at=NOW + timedelta(days=7),
            capacity=5,
            status="open",
        )
        session.add(activity)
        await session.flush()
        await programme.set_activity_programme(session, GUILD, activity.id, group_id=group.id)
        return activity.id


async def test_a_non_member_is_told_who_it_is_for_and_how_to_ask(db: Database) -> None:
    group = await new_group(db)
    activity_id = await group_activity(db, group)
    await agree(db, ALICE)
    async with db.sessions() as session, session.begin():
        with pytest.raises(GroupOnly, match="only for members of Advisory group") as refused:
            await signups.sign_up(session, GUILD, activity_id, ALICE, NOW)
    assert "Ask to join" in refused.value.message
    assert refused.value.group_id == group.id


async def test_a_member_can_sign_up_for_the_group_s_activity(db: Database) -> None:
    group = await new_group(db)
    activity_id = await group_activity(db, group)
    await agree(db, ALICE)
    await add(db, group, ALICE)
    async with db.sessions() as session, session.begin():
        result = await signups.sign_up(session, GUILD, activity_id, ALICE, NOW)
    assert result.status == "confirmed"


async def test_a_coordinator_can_add_a_non_member_by_hand(db: Database) -> None:
    group = await new_group(db)
    activity_id = await group_activity(db, group)
    await agree(db, ALICE)
    async with db.sessions() as session, session.begin():
        result = await signups.sign_up(session, GUILD, activity_id, ALICE, NOW, by_coordinator=True)
    assert result.status == "confirmed"


# -- a person's data -------------------------------------------------------------------------


async def test_memberships_and_requests_are_in_the_export(db: Database) -> None:
    advisory = await new_group(db, "Advisory group")
    quality = await new_group(db, "Quality group")
    await agree(db, ALICE)
    await add(db, advisory, ALICE)
    await ask(db, quality, ALICE, "I like checking")
    async with db.sessions() as session:
        exported = await mydata.export(session, ALICE, NOW)
    assert [row["group_id"] for row in exported.tables["group_memberships"]] == [advisory.id]
    assert [row["why"] for row in exported.tables["group_join_requests"]] == ["I like checking"]


async def test_erasure_returns_the_roles_to_remove_and_leaves_no_membership(
    db: Database,
) -> None:
    group = await new_group(db, term_months=12)
    await agree(db, ALICE)
    await add(db, group, ALICE)
    async with db.sessions() as session, session.begin():
        roles = await programme.erase_person(session, GUILD, ALICE, NOW)
        await mydata.erase(session, GUILD, ALICE, [])
    assert roles == [ROLE]
    async with db.sessions() as session:
        assert await programme.my_groups(session, GUILD, ALICE) == []
        assert not await mydata.holds_anything(session, ALICE)


# -- at the same moment ----------------------------------------------------------------------


async def test_asking_twice_at_once_stores_one_request(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    outcomes = await asyncio.gather(
        ask(db, group, ALICE), ask(db, group, ALICE), return_exceptions=True
    )
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1


async def test_adding_twice_at_once_makes_one_membership(db: Database) -> None:
    group = await new_group(db)
    await agree(db, ALICE)
    outcomes = await asyncio.gather(
        add(db, group, ALICE), add(db, group, ALICE), return_exceptions=True
    )
    assert sum(isinstance(o, programme.MembershipChange) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    async with db.sessions() as session:
        [listing] = await programme.group_list(session, GUILD)
    assert [m.user_id for m in listing.members] == [ALICE]


async def test_a_name_taken_past_the_check_is_refused_by_the_database(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await new_group(db, "Advisory group")
    draft = programme.GroupDraft("advisory GROUP", "advisory-group-2", "About.", None)

    async def no_check(*_: object) -> None:
        return None

    monkeypatch.setattr(groups_module, "_refuse_taken", no_check)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="already a group called"):
            await programme.create_group(
                session, GUILD, draft, role_id=ROLE + 1, channel_id=CHANNEL + 1, now=NOW
            )
        # The transaction is still usable: the refusal rolled back only the failed insert.
        assert len(await programme.group_list(session, GUILD)) == 1
