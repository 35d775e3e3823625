from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.services import outbox, reminders
from bot.services.checklist import ChecklistItem
from bot.services.outbox import OutboxItem
from db.engine import Database
from db.models import Activity, ChecklistTick, OutboxMessage, Signup

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
START = NOW + timedelta(days=3)
LEAD, ALICE, BOB, CORA = 900, 901, 902, 903
ITEMS = (
    ChecklistItem("roles", "Roles agreed.", "before", "lead", "start", -96),
    ChecklistItem("papers", "Papers sent.", "before", "lead", "start", -48),
    ChecklistItem("expect", "What to expect.", "before", "participants", "start", -24),
    ChecklistItem("debrief", "Debrief held.", "after", "lead", "end", 24),
)


async def add_activity(db: Database, starts_at: datetime = START, lead: int | None = LEAD) -> int:
    async with db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=1,
            title="Interviews",
            kind="education",
            starts_at=starts_at,
            capacity=5,
            lead_user_id=lead,
        )
        activity.signups = [
            Signup(user_id=ALICE, status="confirmed"),
            Signup(user_id=BOB, status="waiting"),
        ]
        session.add(activity)
        await session.flush()
        return activity.id


async def plan(db: Database, now: datetime = NOW) -> reminders.Plan:
    async with db.sessions() as session, session.begin():
        return await reminders.plan(
            session, now=now, offsets_hours=[24, 1], items=ITEMS, coordinators={1: [CORA]}
        )


async def pending(db: Database, kind: str) -> list[OutboxItem]:
    async with db.sessions() as session:
        found = await outbox.pending(session, kinds=[kind])
    return sorted(found, key=lambda item: (item.due_at, item.user_id or 0))


async def change(db: Database, activity_id: int, **values: object) -> None:
    async with db.sessions() as session, session.begin():
        await session.execute(update(Activity).where(Activity.id == activity_id).values(**values))


async def test_everyone_confirmed_gets_reminders_at_the_configured_offsets(db: Database) -> None:
    await add_activity(db)
    await plan(db)
    queued = await pending(db, reminders.REMINDER)
    assert [(item.user_id, item.due_at) for item in queued] == [
        (ALICE, START - timedelta(hours=24)),
        (ALICE, START - timedelta(hours=1)),
    ]


async def test_planning_again_queues_nothing_new(db: Database) -> None:
    await add_activity(db)
    assert (await plan(db)).queued > 0
    assert await plan(db) == reminders.Plan(queued=0, cancelled=0)


async def test_a_new_time_replaces_the_reminders_for_the_old_time(db: Database) -> None:
    activity_id = await add_activity(db)
    await plan(db)
    later = START + timedelta(days=1)
    await change(db, activity_id, starts_at=later)
    result = await plan(db)
    assert result.cancelled > 0
    queued = await pending(db, reminders.REMINDER)
    assert [item.due_at for item in queued] == [
        later - timedelta(hours=24),
        later - timedelta(hours=1),
    ]


async def test_cancelling_removes_every_prompt_not_sent_yet(db: Database) -> None:
    activity_id = await add_activity(db)
    await plan(db)
    await change(db, activity_id, status="cancelled")
    await plan(db)
    for kind in reminders.KINDS:
        assert await pending(db, kind) == []


async def test_withdrawing_removes_that_persons_reminders_only(db: Database) -> None:
    activity_id = await add_activity(db)
    async with db.sessions() as session, session.begin():
        session.add(Signup(activity_id=activity_id, user_id=CORA, status="confirmed"))
    await plan(db)
    async with db.sessions() as session, session.begin():
        await session.execute(update(Signup).where(Signup.user_id == ALICE).values(status="gone"))
    await plan(db)
    assert {item.user_id for item in await pending(db, reminders.REMINDER)} == {CORA}


async def test_a_reminder_whose_time_passed_long_ago_is_not_planned(db: Database) -> None:
    await add_activity(db, starts_at=NOW + timedelta(hours=2))
    await plan(db)
    queued = await pending(db, reminders.REMINDER)
    assert [item.payload["offset_hours"] for item in queued] == [1]


async def test_the_lead_gets_prompts_at_the_checklist_times_and_one_catch_up(
    db: Database,
) -> None:
    await add_activity(db)  # starts in 72 hours: the 96-hour prompt has passed
    await plan(db)
    prompts = await pending(db, reminders.CHECKLIST_PROMPT)
    assert [(item.user_id, item.due_at) for item in prompts] == [
        (LEAD, START - timedelta(hours=96)),
        (LEAD, START - timedelta(hours=48)),
        (LEAD, START + timedelta(hours=25)),
    ]


async def test_coordinators_get_the_prompts_when_there_is_no_lead(db: Database) -> None:
    await add_activity(db, lead=None)
    await plan(db)
    assert {item.user_id for item in await pending(db, reminders.CHECKLIST_PROMPT)} == {CORA}


async def test_participants_get_what_to_expect_before_the_start(db: Database) -> None:
    await add_activity(db)
    await plan(db)
    [expect] = await pending(db, reminders.EXPECT)
    assert (expect.user_id, expect.due_at) == (ALICE, START - timedelta(hours=24))


async def test_a_reminder_is_not_sent_once_the_person_is_no_longer_confirmed(
    db: Database,
) -> None:
    await add_activity(db)
    await plan(db)
    [first, _] = await pending(db, reminders.REMINDER)
    async with db.sessions() as session, session.begin():
        assert await reminders.reminder_to_send(session, first, first.due_at) is not None
        await session.execute(update(Signup).where(Signup.user_id == ALICE).values(status="gone"))
        assert await reminders.reminder_to_send(session, first, first.due_at) is None


async def test_a_reminder_queued_for_an_old_time_is_not_sent(db: Database) -> None:
    activity_id = await add_activity(db)
    await plan(db)
    [first, _] = await pending(db, reminders.REMINDER)
    await change(db, activity_id, starts_at=START + timedelta(hours=5))
    async with db.sessions() as session:
        assert await reminders.reminder_to_send(session, first, first.due_at) is None


async def test_a_checklist_prompt_lists_only_open_items_due_by_then(db: Database) -> None:
    activity_id = await add_activity(db)
    await plan(db)
    _, second, _ = await pending(db, reminders.CHECKLIST_PROMPT)
    async with db.sessions() as session, session.begin():
        _, still_open = await reminders.checklist_prompt_to_send(session, second, ITEMS) or (
            None,
            [],
        )
        assert [item.key for item in still_open] == ["roles", "papers"]
        for key in ("roles", "papers"):
            session.add(ChecklistTick(activity_id=activity_id, item_key=key, ticked_at=NOW))
        await session.flush()
        assert await reminders.checklist_prompt_to_send(session, second, ITEMS) is None


async def test_planning_one_activity_leaves_the_others_alone(db: Database) -> None:
    await add_activity(db)
    second = await add_activity(db)
    async with db.sessions() as session, session.begin():
        await reminders.plan(
            session, now=NOW, offsets_hours=[24], items=(), coordinators={}, activity_id=second
        )
        planned = set(await session.scalars(select(OutboxMessage.activity_id)))
    assert planned == {second}
