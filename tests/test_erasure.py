"""Delete means delete: after erasure no column of any table holds the person's Discord id.

The scan reflects the real database's schema, so a table added later is scanned without
anyone remembering to add it here. The row factories are what every other membership test
uses to give a person "one row of every kind"; a table that names people without a factory
fails `test_every_person_table_has_a_row_factory` by name.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.services import mydata, outbox
from bot.services.mydata import ErasureStep
from bot.services.outbox import OutboxKind
from db.engine import Database
from db.models import Activity, Base, Member

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GUILD = 1
# Snowflake-sized ids, so a match in a scan is never a coincidence with a small number.
ALICE, BOB = 412345678901234567, 498765432109876543
# Someone else named in the same rows (a buddy, say): exports show them as "another member".
CAROL, DAVE = 433333333333333333, 444444444444444444

# One row naming `user_id` (and, where a table names two people, `other_id` too). Rows are
# written by table name, so a factory for a table another capability is still adding is
# simply skipped until that table is declared.
RowFactory = Callable[[AsyncSession, int, int, int], Awaitable[None]]


async def add_row(session: AsyncSession, table: str, **values: Any) -> int | None:
    """Insert one row; returns its `id` when the table has one."""
    target = Base.metadata.tables[table]
    statement = insert(target).values(**values)
    if "id" not in target.c:
        await session.execute(statement)
        return None
    row_id: int | None = await session.scalar(statement.returning(target.c.id))
    return row_id


async def activity(session: AsyncSession, guild_id: int, lead_user_id: int | None = None) -> int:
    found = await add_row(
        session,
        "activities",
        guild_id=guild_id,
        title="an activity they lead" if lead_user_id else "an activity",
        kind="research",
        starts_at=NOW + timedelta(days=7),
        capacity=5,
        lead_user_id=lead_user_id,
    )
    assert found is not None
    return found


async def member_row(session: AsyncSession, guild_id: int, user_id: int, other_id: int) -> None:
    await add_row(
        session,
        "members",
        guild_id=guild_id,
        user_id=user_id,
        consent_version="2026-11",
        consented_at=NOW,
        display_name=f"name of {user_id}",
        interests=["research"],
        availability=["weekends"],
        adjustments=f"breaks, says {user_id}",
    )


async def led_activity_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    await activity(session, guild_id, lead_user_id=user_id)


async def signup_row(session: AsyncSession, guild_id: int, user_id: int, other_id: int) -> None:
    activity_id = await activity(session, guild_id)
    await add_row(session, "signups", activity_id=activity_id, user_id=user_id, status="confirmed")


async def outbox_row(session: AsyncSession, guild_id: int, user_id: int, other_id: int) -> None:
    await outbox.enqueue(
        session,
        guild_id=guild_id,
        kind=OutboxKind.REMINDER,
        dedupe_key=f"test-reminder:{user_id}",
        due_at=NOW + timedelta(days=1),
        user_id=user_id,
    )


async def buddy_enrolment_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    await add_row(
        session, "buddy_enrolments", guild_id=guild_id, user_id=user_id, role="buddy", joined_at=NOW
    )


async def buddy_pair_row(session: AsyncSession, guild_id: int, user_id: int, other_id: int) -> None:
    await add_row(
        session,
        "buddy_pairs",
        guild_id=guild_id,
        buddy_user_id=user_id,
        newcomer_user_id=other_id,
        status="active",
        score=3,
        reason="both like research",
    )


async def feedback_giver_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    activity_id = await activity(session, guild_id)
    await add_row(session, "feedback_givers", activity_id=activity_id, user_id=user_id)


async def feedback_response_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    activity_id = await activity(session, guild_id)
    await add_row(
        session,
        "feedback_responses",
        id=user_id % 1_000_003,  # the table's ids are random, not generated
        activity_id=activity_id,
        rating=4,
        worked=f"what worked for {user_id}",
        anonymous=False,
        user_id=user_id,
    )


async def feedback_quick_rating_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    activity_id = await activity(session, guild_id)
    await add_row(
        session,
        "feedback_quick_ratings",
        activity_id=activity_id,
        user_id=user_id,
        rating=1,
        source="button",
    )


async def feedback_comment_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    activity_id = await activity(session, guild_id)
    await add_row(
        session,
        "feedback_comments",
        activity_id=activity_id,
        user_id=user_id,
        message_id=user_id + 1,
        text=f"a comment by {user_id}",
    )


async def checklist_tick_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    activity_id = await activity(session, guild_id)
    await add_row(
        session,
        "checklist_ticks",
        activity_id=activity_id,
        item_key="paid_fairly",
        ticked_by=user_id,
        ticked_at=NOW,
    )


async def led_series_row(session: AsyncSession, guild_id: int, user_id: int, other_id: int) -> None:
    await add_row(
        session,
        "activity_series",
        guild_id=guild_id,
        frequency="weekly",
        timezone="Europe/London",
        first_day=(NOW + timedelta(days=7)).date(),
        at_time=NOW.time(),
        first_slot=0,
        until=(NOW + timedelta(days=70)).date(),
        title="a series they lead",
        kind="research",
        duration_minutes=60,
        capacity=5,
        lead_user_id=user_id,
        created_at=NOW,
    )


async def group(session: AsyncSession, guild_id: int) -> int:
    name = f"group {uuid.uuid4().hex[:12]}"  # never a person's id: groups name nobody
    found = await add_row(
        session,
        "programme_groups",
        guild_id=guild_id,
        name=name,
        name_key=name,
        slug=name.replace(" ", "-"),
        description="a group",
        role_id=1,
        channel_id=2,
        created_at=NOW,
    )
    assert found is not None
    return found


async def training_record_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    await add_row(
        session,
        "training_records",
        guild_id=guild_id,
        user_id=user_id,
        module_key="safeguarding",
        completed_on=NOW.date(),
        expires_on=NOW.date(),
        expires_at=NOW,
        recorded_by=other_id,
        updated_at=NOW,
        created_at=NOW,
    )


async def application_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    activity_id = await activity(session, guild_id)
    await add_row(
        session,
        "applications",
        activity_id=activity_id,
        user_id=user_id,
        why=f"why {user_id} would like to",
        status="applied",
        applied_at=NOW,
    )


async def attendance_row(session: AsyncSession, guild_id: int, user_id: int, other_id: int) -> None:
    activity_id = await activity(session, guild_id)
    await add_row(
        session,
        "attendance",
        activity_id=activity_id,
        user_id=user_id,
        status="attended",
        minutes=90,
        marked_by=other_id,
        marked_at=NOW,
    )


async def expense_claim_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    """A claim approved by `other_id`; erasure deletes it (a paid amount stays on its payment)."""
    activity_id = await activity(session, guild_id)
    await add_row(
        session,
        "expense_claims",
        guild_id=guild_id,
        activity_id=activity_id,
        user_id=user_id,
        what="travel",
        amount_pence=1250,
        note=f"bus fare for {user_id}",
        status="paid",
        claimed_at=NOW,
        decided_by=other_id,
        decided_at=NOW,
        for_title="an activity",
        for_date=NOW,
    )


async def payment_row(session: AsyncSession, guild_id: int, user_id: int, other_id: int) -> None:
    """A fee paid by `other_id`; an unpaid one would name the person in `user_id` instead."""
    activity_id = await activity(session, guild_id)
    await add_row(
        session,
        "payments",
        guild_id=guild_id,
        activity_id=activity_id,
        paid_user_id=user_id,
        source="fee",
        rate_key="hourly",
        minutes=90,
        amount_pence=3750,
        choice="payment",
        owed_since=NOW,
        paid_at=NOW,
        paid_by=other_id,
        for_title="an activity",
        for_date=NOW,
    )


async def group_membership_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    group_id = await group(session, guild_id)
    await add_row(
        session,
        "group_memberships",
        group_id=group_id,
        user_id=user_id,
        started_at=NOW,
        term_ends_at=NOW + timedelta(days=365),
        created_at=NOW,
    )


async def group_join_request_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    group_id = await group(session, guild_id)
    await add_row(
        session,
        "group_join_requests",
        group_id=group_id,
        user_id=user_id,
        why=f"why {user_id} asks",
        status="declined",
        asked_at=NOW,
        decided_at=NOW,
        decided_by=other_id,
        created_at=NOW,
    )


async def group_decision_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    group_id = await group(session, guild_id)
    await add_row(
        session,
        "group_decisions",
        group_id=group_id,
        text="meet monthly",
        decided_at=NOW,
        recorded_by=user_id,
        created_at=NOW,
    )


async def adjustment_view_row(
    session: AsyncSession, guild_id: int, user_id: int, other_id: int
) -> None:
    """Someone else looked at what helps them take part."""
    await add_row(
        session,
        "adjustment_views",
        guild_id=guild_id,
        subject_id=user_id,
        viewer_id=other_id,
        place="attendees",
        viewed_at=NOW,
    )


ROW_FACTORIES: dict[str, RowFactory] = {
    "members": member_row,
    "activities": led_activity_row,
    "signups": signup_row,
    "outbox": outbox_row,
    "buddy_enrolments": buddy_enrolment_row,
    "buddy_pairs": buddy_pair_row,
    "feedback_givers": feedback_giver_row,
    "feedback_responses": feedback_response_row,
    "feedback_quick_ratings": feedback_quick_rating_row,
    "feedback_comments": feedback_comment_row,
    "checklist_ticks": checklist_tick_row,
    "activity_series": led_series_row,
    "applications": application_row,
    "attendance": attendance_row,
    "expense_claims": expense_claim_row,
    "payments": payment_row,
    "training_records": training_record_row,
    "group_memberships": group_membership_row,
    "group_join_requests": group_join_request_row,
    "group_decisions": group_decision_row,
    "adjustment_views": adjustment_view_row,
}


def declared_tables() -> list[str]:
    return [person_table.table.name for person_table in mydata.person_tables()]


def assert_every_table_has_a_factory() -> None:
    missing = sorted(set(declared_tables()) - ROW_FACTORIES.keys())
    assert not missing, f"add a row factory in tests/test_erasure.py for: {missing}"


async def seed_every_kind(db: Database, user_id: int, other_id: int, guild_id: int = GUILD) -> None:
    """One row of every kind the bot holds about `user_id`."""
    assert_every_table_has_a_factory()
    async with db.sessions() as session, session.begin():
        for table in declared_tables():
            await ROW_FACTORIES[table](session, guild_id, user_id, other_id)


async def rows_naming(engine: AsyncEngine, user_id: int) -> list[str]:
    """`table.column` for every value in the database that holds `user_id`: an integer equal
    to it, or text or JSON containing it."""

    def scan(connection: Connection) -> list[str]:
        schema = MetaData()
        schema.reflect(connection)
        found = []
        for table in schema.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                found += [
                    f"{table.name}.{column}"
                    for column, value in row.items()
                    if _holds(value, user_id)
                ]
        return found

    async with engine.connect() as connection:
        return await connection.run_sync(scan)


def _holds(value: Any, user_id: int) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return value == user_id
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    return isinstance(value, str) and str(user_id) in value


async def erase(
    db: Database, user_id: int, steps: list[ErasureStep] | None = None
) -> mydata.Erasure:
    async with db.sessions() as session, session.begin():
        return await mydata.erase(session, GUILD, user_id, steps or [])


def test_every_person_table_has_a_row_factory() -> None:
    assert_every_table_has_a_factory()


async def test_the_scan_finds_every_kind_of_row(db: Database) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    found = await rows_naming(db.engine, ALICE)
    tables = {place.split(".")[0] for place in found}
    assert tables == set(declared_tables())


async def test_after_erasure_no_table_holds_the_person(db: Database) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    await seed_every_kind(db, BOB, DAVE)
    bob_before = await rows_naming(db.engine, BOB)

    result = await erase(db, ALICE)

    assert result.held_anything
    assert await rows_naming(db.engine, ALICE) == []
    assert await rows_naming(db.engine, BOB) == bob_before


async def test_a_led_activity_stays_without_its_lead(db: Database) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    await erase(db, ALICE)
    async with db.sessions() as session:
        leads = await session.scalars(
            select(Activity.lead_user_id).where(Activity.title == "an activity they lead")
        )
        assert list(leads) == [None]


async def test_erasure_steps_run_first_in_the_same_transaction(db: Database) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    seen: list[tuple[int, int, bool]] = []

    async def step(session: AsyncSession, guild_id: int, user_id: int) -> None:
        member = await session.scalar(select(Member.id).where(Member.user_id == user_id))
        seen.append((guild_id, user_id, member is not None))

    await erase(db, ALICE, [step])
    assert seen == [(GUILD, ALICE, True)]


async def test_a_failing_step_leaves_everything_as_it_was(db: Database) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    before = await rows_naming(db.engine, ALICE)

    async def broken(session: AsyncSession, guild_id: int, user_id: int) -> None:
        raise RuntimeError("a capability's clean-up failed")

    with pytest.raises(RuntimeError):
        await erase(db, ALICE, [broken])
    assert await rows_naming(db.engine, ALICE) == before


async def test_erasing_someone_with_no_data_changes_nothing(db: Database) -> None:
    await seed_every_kind(db, BOB, DAVE)
    bob_before = await rows_naming(db.engine, BOB)
    assert await erase(db, ALICE) == mydata.Erasure(False, 0, 0)
    assert await rows_naming(db.engine, BOB) == bob_before


async def test_erasing_twice_is_harmless(db: Database) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    assert (await erase(db, ALICE)).held_anything
    assert not (await erase(db, ALICE)).held_anything
