"""Training: the catalogue file, recording modules, how long they last across time zones and
summer time, who holds what, the sign-up check and the reminder before a module runs out."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.errors import InvalidInput, NotAllowed
from bot.services import consent, mydata, programme, signups
from bot.services.outbox import OutboxItem
from bot.services.programme import Catalogue, TrainingFileError, TrainingModule, TrainingNeeded
from bot.settings import DEFAULT_CONFIG_DIR
from db.engine import Database
from db.models import Activity, Member, OutboxMessage

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GUILD = 1
COORDINATOR, ALICE, BOB = 900, 411, 412
LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
CATALOGUE = programme.load_modules(DEFAULT_CONFIG_DIR)
MONTHLY = Catalogue((TrainingModule("monthly", "Monthly check", "A check.", 1),))

GOOD_MODULE = """
[[modules]]
key = "safeguarding"
name = "Safeguarding"
description = "Who to tell."
valid_months = 36
"""


async def agree(db: Database, user_id: int) -> None:
    async with db.sessions() as session, session.begin():
        await consent.record_consent(session, GUILD, user_id, "test", NOW)


async def record(
    db: Database,
    user_id: int,
    completed_on: date,
    *,
    module: str = "safeguarding",
    zone: ZoneInfo = LONDON,
    now: datetime = NOW,
    catalogue: Catalogue = CATALOGUE,
) -> programme.Recorded:
    async with db.sessions() as session, session.begin():
        return await programme.record(
            session,
            GUILD,
            user_id,
            module,
            completed_on,
            now,
            zone=zone,
            recorded_by=COORDINATOR,
            catalogue=catalogue,
        )


async def add_activity(
    db: Database,
    starts_at: datetime,
    *,
    kind: str = "research",
    teaches: str | None = None,
    needs: str | None = None,
    title: str = "Research panel",
) -> int:
    async with db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=GUILD,
            title=title,
            kind=kind,
            starts_at=starts_at,
            capacity=5,
            status="open",
            teaches=teaches,
            needs=needs,
        )
        session.add(activity)
        await session.flush()
        return activity.id


async def sign_up(
    db: Database, activity_id: int, user_id: int, *, by_coordinator: bool = False
) -> signups.SignupResult:
    async with db.sessions() as session, session.begin():
        return await signups.sign_up(
            session, GUILD, activity_id, user_id, NOW, by_coordinator=by_coordinator
        )


async def reminders(db: Database) -> list[OutboxItem]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == programme.EXPIRY_REMINDER)
            .order_by(OutboxMessage.id)
        )
        return [
            OutboxItem(r.id, r.guild_id, r.kind, r.user_id, r.activity_id, r.payload, r.due_at, 0)
            for r in rows
        ]


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "training.toml").write_text(text, encoding="utf-8")
    return tmp_path


# -- the file --------------------------------------------------------------------------------


def test_the_default_file_has_the_four_modules() -> None:
    assert [(m.key, m.valid_months) for m in CATALOGUE] == [
        ("coproduction_basics", None),
        ("values_based_recruitment", None),
        ("research_involvement_basics", None),
        ("safeguarding", 36),
    ]


def test_an_unknown_field_is_named_with_its_line(tmp_path: Path) -> None:
    text = GOOD_MODULE + '\n[[modules]]\nkey = "other"\nname = "Other"\ncolour = "red"\n'
    with pytest.raises(TrainingFileError, match=r"line 11: unknown field 'colour'"):
        programme.load_modules(write(tmp_path, text))


def test_a_missing_field_names_the_block(tmp_path: Path) -> None:
    text = GOOD_MODULE.replace("valid_months = 36\n", "")
    with pytest.raises(TrainingFileError, match=r"line 2: this module has no 'valid_months'"):
        programme.load_modules(write(tmp_path, text))


@pytest.mark.parametrize("value", ["0", '"never"', "true", "36.5", "601"])
def test_a_bad_validity_is_refused_on_its_line(tmp_path: Path, value: str) -> None:
    text = GOOD_MODULE.replace("valid_months = 36", f"valid_months = {value}")
    with pytest.raises(TrainingFileError, match=r"line 6: valid_months must be"):
        programme.load_modules(write(tmp_path, text))


def test_a_key_used_twice_is_refused(tmp_path: Path) -> None:
    text = GOOD_MODULE + GOOD_MODULE.replace('name = "Safeguarding"', 'name = "Other"')
    with pytest.raises(TrainingFileError, match=r"line 9: the key 'safeguarding' is used twice"):
        programme.load_modules(write(tmp_path, text))


def test_a_bad_key_is_refused(tmp_path: Path) -> None:
    text = GOOD_MODULE.replace('key = "safeguarding"', 'key = "Safe Guarding"')
    with pytest.raises(TrainingFileError, match=r"line 3: the key must be lowercase"):
        programme.load_modules(write(tmp_path, text))


def test_broken_toml_and_an_empty_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TrainingFileError, match="not valid TOML"):
        programme.load_modules(write(tmp_path, "[[modules]\nkey ="))
    with pytest.raises(TrainingFileError, match="there are no"):
        programme.load_modules(write(tmp_path, "# nothing yet\n"))


def test_validity_counts_calendar_months() -> None:
    module = MONTHLY.get("monthly")
    assert module.expires_on(date(2027, 1, 31)) == date(2027, 2, 28)
    assert module.expires_on(date(2028, 1, 31)) == date(2028, 2, 29)
    assert CATALOGUE.get("coproduction_basics").expires_on(date(2027, 1, 31)) is None


# -- recording -------------------------------------------------------------------------------


async def test_a_module_runs_out_at_local_midnight_in_summer_time(db: Database) -> None:
    await agree(db, ALICE)
    held = (await record(db, ALICE, date(2026, 6, 15))).held
    assert held.expires_on == date(2029, 6, 15)
    # Midnight in London in June is 23:00 UTC the day before (British Summer Time).
    assert held.expires_at == datetime(2029, 6, 14, 23, 0, tzinfo=UTC)


async def test_a_module_runs_out_at_local_midnight_in_winter(db: Database) -> None:
    await agree(db, ALICE)
    held = (await record(db, ALICE, date(2026, 1, 15))).held
    assert held.expires_at == datetime(2029, 1, 15, 0, 0, tzinfo=UTC)


async def test_the_community_time_zone_sets_the_boundary(db: Database) -> None:
    await agree(db, ALICE)
    held = (await record(db, ALICE, date(2026, 6, 15), zone=AUCKLAND)).held
    # Auckland in June is 12 hours ahead of UTC (its winter).
    assert held.expires_at == datetime(2029, 6, 14, 12, 0, tzinfo=UTC)


async def test_today_is_the_community_s_today(db: Database) -> None:
    await agree(db, ALICE)
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 December in Auckland
    recorded = await record(db, ALICE, date(2026, 12, 2), zone=AUCKLAND, now=late_evening)
    assert recorded.held.completed_on == date(2026, 12, 2)
    with pytest.raises(InvalidInput, match="has not happened yet"):
        await record(db, BOB, date(2026, 12, 2), zone=LONDON, now=late_evening)


async def test_someone_who_has_not_joined_cannot_be_recorded(db: Database) -> None:
    with pytest.raises(NotAllowed, match="/join"):
        await record(db, ALICE, date(2026, 11, 1))


async def test_an_unknown_module_is_refused_plainly(db: Database) -> None:
    await agree(db, ALICE)
    with pytest.raises(InvalidInput, match="There is no training called 'first aid'"):
        await record(db, ALICE, date(2026, 11, 1), module="first aid")


async def test_recording_again_keeps_the_later_date(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2026, 5, 1))
    later = await record(db, ALICE, date(2026, 9, 1))
    earlier = await record(db, ALICE, date(2026, 2, 1))
    assert later.changed
    assert not earlier.changed
    assert earlier.held.completed_on == date(2026, 9, 1)
    async with db.sessions() as session:
        held = await programme.held_modules(session, GUILD, ALICE, catalogue=CATALOGUE)
    assert [(h.module_key, h.completed_on) for h in held] == [("safeguarding", date(2026, 9, 1))]


async def test_attendance_records_the_module_on_the_activity_s_local_date(db: Database) -> None:
    await agree(db, ALICE)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    activity_id = await add_activity(
        db, datetime(2026, 6, 30, 23, 30, tzinfo=UTC), kind="training", teaches="safeguarding"
    )
    async with db.sessions() as session, session.begin():
        result = await programme.record_from_attendance(
            session, activity_id, [ALICE, BOB], NOW, zone=LONDON, catalogue=CATALOGUE
        )
        held = await programme.held_modules(session, GUILD, ALICE, catalogue=CATALOGUE)
    assert (result.recorded, result.skipped) == ((ALICE,), (BOB,))
    assert [(h.completed_on, h.expires_on) for h in held] == [(date(2026, 7, 1), date(2029, 7, 1))]


async def test_attendance_at_an_activity_that_teaches_nothing_records_nothing(
    db: Database,
) -> None:
    await agree(db, ALICE)
    activity_id = await add_activity(db, NOW - timedelta(days=1))
    async with db.sessions() as session, session.begin():
        result = await programme.record_from_attendance(
            session, activity_id, [ALICE], NOW, zone=LONDON, catalogue=CATALOGUE
        )
        held = await programme.held_modules(session, GUILD, ALICE, catalogue=CATALOGUE)
    assert (result.module, result.recorded, held) == (None, (), [])


# -- who holds what --------------------------------------------------------------------------


async def test_the_list_shows_holders_and_what_runs_out_soon(db: Database) -> None:
    for user in (ALICE, BOB):
        await agree(db, user)
    await record(db, ALICE, date(2024, 1, 10))  # runs out 10 January 2027: within 60 days
    await record(db, BOB, date(2026, 11, 1))
    await record(db, BOB, date(2026, 11, 1), module="coproduction_basics")
    await record(db, ALICE, date(2023, 1, 10), module="coproduction_basics")
    async with db.sessions() as session:
        found = await programme.training_list(session, GUILD, NOW, catalogue=CATALOGUE)
        only = await programme.training_list(
            session, GUILD, NOW, module="safeguarding", catalogue=CATALOGUE
        )
    assert [(h.held.module_key, h.held.user_id) for h in found.holders] == [
        ("coproduction_basics", ALICE),
        ("coproduction_basics", BOB),
        ("safeguarding", ALICE),
        ("safeguarding", BOB),
    ]
    assert [(h.held.user_id, h.held.expires_on) for h in found.expiring_soon] == [
        (ALICE, date(2027, 1, 10))
    ]
    assert {h.held.module_key for h in only.holders} == {"safeguarding"}


async def test_a_module_that_has_run_out_is_not_listed_as_held(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2023, 6, 1))  # ran out 1 June 2026
    async with db.sessions() as session:
        found = await programme.training_list(session, GUILD, NOW, catalogue=CATALOGUE)
    assert found.holders == ()


async def test_the_spreadsheet_cannot_run_formulas(db: Database) -> None:
    await agree(db, ALICE)
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Member).where(Member.user_id == ALICE).values(display_name="=HYPERLINK(1)")
        )
    await record(db, ALICE, date(2026, 11, 1))
    async with db.sessions() as session:
        found = await programme.training_list(session, GUILD, NOW, catalogue=CATALOGUE)
    lines = found.csv().splitlines()
    assert lines[0] == "module,discord_id,name,completed_on,runs_out_on"
    assert lines[1] == f"Safeguarding,{ALICE},'=HYPERLINK(1),2026-11-01,2029-11-01"


async def test_the_month_s_expiries_for_coordinators(db: Database) -> None:
    for user in (ALICE, BOB):
        await agree(db, user)
    await record(db, ALICE, date(2024, 3, 31))
    await record(db, BOB, date(2024, 4, 1))
    async with db.sessions() as session:
        march = await programme.expiring_in_month(session, GUILD, 2027, 3, catalogue=CATALOGUE)
    assert [(h.held.user_id, h.held.expires_on) for h in march] == [(ALICE, date(2027, 3, 31))]


# -- the sign-up check -----------------------------------------------------------------------


async def test_signing_up_without_the_module_names_it_and_the_next_training(
    db: Database,
) -> None:
    await agree(db, ALICE)
    panel = await add_activity(db, NOW + timedelta(days=20), needs="safeguarding")
    course = await add_activity(
        db,
        NOW + timedelta(days=5),
        kind="training",
        teaches="safeguarding",
        title="Safeguarding course",
    )
    with pytest.raises(TrainingNeeded) as refused:
        await sign_up(db, panel, ALICE)
    assert "needs the Safeguarding training first" in refused.value.message
    assert "Safeguarding course" in refused.value.message
    assert refused.value.training_activity_id == course


async def test_with_no_training_planned_the_refusal_says_ask_a_coordinator(
    db: Database,
) -> None:
    await agree(db, ALICE)
    panel = await add_activity(db, NOW + timedelta(days=20), needs="safeguarding")
    with pytest.raises(TrainingNeeded, match="Ask a coordinator") as refused:
        await sign_up(db, panel, ALICE)
    assert refused.value.training_activity_id is None


async def test_a_module_running_out_before_the_activity_does_not_count(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2024, 1, 10))  # runs out 10 January 2027
    panel = await add_activity(db, datetime(2027, 1, 20, 10, 0, tzinfo=UTC), needs="safeguarding")
    with pytest.raises(TrainingNeeded, match="runs out before it starts"):
        await sign_up(db, panel, ALICE)


async def test_a_module_that_has_run_out_is_said_so(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2023, 6, 1))
    panel = await add_activity(db, NOW + timedelta(days=3), needs="safeguarding")
    with pytest.raises(TrainingNeeded, match="yours has run out"):
        await sign_up(db, panel, ALICE)


async def test_the_last_local_day_counts_across_summer_time(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2024, 6, 15))  # runs out at the start of 15 June 2027, London
    last_evening = await add_activity(
        db, datetime(2027, 6, 14, 22, 30, tzinfo=UTC), needs="safeguarding"
    )  # 23:30 on 14 June, London
    just_after = await add_activity(
        db, datetime(2027, 6, 14, 23, 30, tzinfo=UTC), needs="safeguarding"
    )  # 00:30 on 15 June, London
    assert (await sign_up(db, last_evening, ALICE)).status == "confirmed"
    with pytest.raises(TrainingNeeded, match="runs out before it starts"):
        await sign_up(db, just_after, ALICE)


async def test_holding_the_module_lets_people_sign_up(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2026, 11, 1))
    panel = await add_activity(db, NOW + timedelta(days=20), needs="safeguarding")
    assert (await sign_up(db, panel, ALICE)).status == "confirmed"


async def test_a_coordinator_can_add_someone_without_the_module(db: Database) -> None:
    await agree(db, ALICE)
    panel = await add_activity(db, NOW + timedelta(days=20), needs="safeguarding")
    assert (await sign_up(db, panel, ALICE, by_coordinator=True)).status == "confirmed"


async def test_only_a_training_activity_can_teach(db: Database) -> None:
    panel = await add_activity(db, NOW + timedelta(days=20))
    async with db.sessions() as session, session.begin():
        with pytest.raises(InvalidInput, match="kind training"):
            await programme.set_activity_programme(
                session, GUILD, panel, teaches="safeguarding", catalogue=CATALOGUE
            )
        gate = await programme.set_activity_programme(
            session, GUILD, panel, needs="Safeguarding", catalogue=CATALOGUE
        )
    assert gate.needs == "safeguarding"


# -- the reminder ----------------------------------------------------------------------------


async def test_a_reminder_is_planned_thirty_days_before_it_runs_out(db: Database) -> None:
    await agree(db, ALICE)
    held = (await record(db, ALICE, date(2026, 6, 15))).held
    assert held.expires_at is not None
    [reminder] = await reminders(db)
    assert reminder.user_id == ALICE
    assert reminder.due_at == held.expires_at - timedelta(days=30)
    async with db.sessions() as session:
        due = reminder.due_at
        found = await programme.expiry_reminder_to_send(session, reminder, due, catalogue=CATALOGUE)
    assert found is not None
    assert "runs out on 15 June 2029" in programme.expiry_reminder_words(found)


async def test_a_renewed_module_drops_the_old_reminder_and_plans_a_new_one(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2026, 6, 15))
    await record(db, ALICE, date(2026, 11, 20))
    old, new = await reminders(db)
    async with db.sessions() as session:
        assert (
            await programme.expiry_reminder_to_send(session, old, old.due_at, catalogue=CATALOGUE)
            is None
        )
        assert await programme.expiry_reminder_to_send(
            session, new, new.due_at, catalogue=CATALOGUE
        )


async def test_a_module_that_never_runs_out_has_no_reminder(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2026, 6, 15), module="coproduction_basics")
    assert await reminders(db) == []


# -- a person's data -------------------------------------------------------------------------


async def test_training_is_in_the_export_and_gone_after_erasure(db: Database) -> None:
    await agree(db, ALICE)
    await record(db, ALICE, date(2026, 6, 15))
    async with db.sessions() as session:
        exported = await mydata.export(session, ALICE, NOW)
    assert [row["module_key"] for row in exported.tables["training_records"]] == ["safeguarding"]
    async with db.sessions() as session, session.begin():
        await mydata.erase(session, GUILD, ALICE, [])
    async with db.sessions() as session:
        assert await programme.held_modules(session, GUILD, ALICE, catalogue=CATALOGUE) == []


async def test_recording_twice_at_once_keeps_one_record_with_the_later_date(
    db: Database,
) -> None:
    await agree(db, ALICE)
    await asyncio.gather(record(db, ALICE, date(2026, 5, 1)), record(db, ALICE, date(2026, 9, 1)))
    async with db.sessions() as session:
        held = await programme.held_modules(session, GUILD, ALICE, catalogue=CATALOGUE)
    assert [h.completed_on for h in held] == [date(2026, 9, 1)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (None, date(2026, 12, 2)),
        ("today", date(2026, 12, 2)),
        ("yesterday", date(2026, 12, 1)),
        ("2026-11-05", date(2026, 11, 5)),
        ("5/11/2026", date(2026, 11, 5)),
    ],
)
def test_the_date_typed_is_read_in_the_community_s_time_zone(
    typed: str | None, expected: date
) -> None:
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 2 December in Auckland
    assert programme.parse_completed_on(typed, AUCKLAND, late_evening) == expected


@pytest.mark.parametrize("typed", ["2026-02-30", "next week", "11/2026"])
def test_a_date_that_cannot_be_read_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(InvalidInput, match="Type a date like 2026-12-01"):
        programme.parse_completed_on(typed, LONDON, NOW)
