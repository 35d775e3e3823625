from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bot.errors import Conflict, InvalidInput
from bot.services.involvement import attendance, payments
from bot.services.involvement.attendance import Mark
from bot.services.involvement.payments import fee_pence, safe_cell
from bot.services.involvement.role_cards import Card
from db.engine import Database
from tests.services.involvement.helpers import (
    COORDINATOR,
    FIXED,
    GUILD,
    HOURLY,
    LEAD,
    NOW,
    ODD_HOURLY,
    SETTINGS,
    add_card,
    confirm,
    member,
    new_activity,
)


@pytest.mark.parametrize(
    ("rate", "minutes", "pence"),
    [
        (HOURLY, 60, 2500),
        (HOURLY, 75, 3125),
        (HOURLY, 15, 625),
        (ODD_HOURLY, 15, 500),  # 499.75 rounds up to 500
        (ODD_HOURLY, 45, 1499),  # 1499.25 rounds down
        (ODD_HOURLY, 90, 2999),  # 2998.5: half a penny rounds up
        (HOURLY, 0, 0),
        (FIXED, 15, 7500),
        (FIXED, 600, 7500),
    ],
)
def test_fees_are_exact_integer_pence(rate: object, minutes: int, pence: int) -> None:
    found = fee_pence(rate, minutes)  # type: ignore[arg-type]
    assert found == pence
    assert isinstance(found, int)


async def paid_activity(
    db: Database, *people: int, rate: str = "hourly", days_ago: int = 1, title: str = "Panel"
) -> int:
    activity_id = await new_activity(db, starts_at=NOW - timedelta(days=days_ago), title=title)
    await add_card(db, activity_id, Card(payment_rate=rate))
    await confirm(db, activity_id, *people)
    return activity_id


async def mark_attended(
    db: Database, activity_id: int, *people: int, now: object = NOW, minutes: int | None = None
) -> None:
    async with db.sessions() as session, session.begin():
        await attendance.mark(
            session,
            GUILD,
            activity_id,
            [Mark(person, "attended", minutes) for person in people],
            by_user_id=LEAD,
            is_coordinator=False,
            now=now,  # type: ignore[arg-type]
            settings=SETTINGS,
        )


async def due(db: Database, now: object = NOW) -> list[payments.DueLine]:
    async with db.sessions() as session:
        return await payments.payments_due(session, GUILD, now)  # type: ignore[arg-type]


async def mark_paid(db: Database, *ids: int) -> list[payments.PaidNotice]:
    async with db.sessions() as session, session.begin():
        return await payments.mark_paid(session, GUILD, ids, COORDINATOR, NOW)


async def test_an_attended_person_on_a_paid_activity_is_owed_the_rate_for_their_hours(
    db: Database,
) -> None:
    activity_id = await paid_activity(db, 11)
    await member(db, 11, "Ada")
    await mark_attended(db, activity_id, 11, minutes=105)
    (line,) = await due(db, NOW + timedelta(days=3))
    assert (line.user_id, line.display_name, line.amount_pence, line.source) == (
        11,
        "Ada",
        4375,
        "fee",
    )
    assert (line.what, line.for_title, line.days_waited, line.choice) == (
        "hourly",
        "Panel",
        3,
        None,
    )


async def test_an_unpaid_activity_owes_nothing(db: Database) -> None:
    activity_id = await new_activity(db)
    await confirm(db, activity_id, 11)
    await mark_attended(db, activity_id, 11)
    assert await due(db) == []


async def test_payments_due_are_oldest_first_and_leave_out_no_thanks(db: Database) -> None:
    newer = await paid_activity(db, 11, 12, title="Newer")
    older = await paid_activity(db, 13, title="Older", days_ago=2)
    await mark_attended(db, older, 13, now=NOW - timedelta(days=1))
    await mark_attended(db, newer, 11, 12)
    lines = await due(db)
    no_thanks = next(line for line in lines if line.user_id == 12)
    async with db.sessions() as session, session.begin():
        await payments.choose_how_paid(session, GUILD, 12, no_thanks.payment_id, "no_thanks")
    assert [(line.user_id, line.for_title) for line in await due(db)] == [
        (13, "Older"),
        (11, "Newer"),
    ]


async def test_the_choice_can_change_until_paid_and_not_after(db: Database) -> None:
    activity_id = await paid_activity(db, 11)
    await mark_attended(db, activity_id, 11)
    (line,) = await due(db)
    async with db.sessions() as session, session.begin():
        await payments.choose_how_paid(session, GUILD, 11, line.payment_id, "payment")
        changed = await payments.choose_how_paid(session, GUILD, 11, line.payment_id, "voucher")
    assert changed.choice == "voucher"
    await mark_paid(db, line.payment_id)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="already been made"):
            await payments.choose_how_paid(session, GUILD, 11, line.payment_id, "payment")


async def test_marking_paid_returns_who_to_tell_and_clears_it_from_due(db: Database) -> None:
    activity_id = await paid_activity(db, 11, 12, rate="fixed")
    await mark_attended(db, activity_id, 11, 12)
    ids = [line.payment_id for line in await due(db)]
    notices = await mark_paid(db, *ids)
    assert sorted((n.user_id, n.amount_pence) for n in notices) == [(11, 7500), (12, 7500)]
    assert "£75.00" in notices[0].message
    assert await due(db) == []


async def test_paying_twice_is_refused_plainly_and_changes_nothing(db: Database) -> None:
    activity_id = await paid_activity(db, 11, 12)
    await mark_attended(db, activity_id, 11, 12)
    first, second = (line.payment_id for line in await due(db))
    await mark_paid(db, first)
    with pytest.raises(Conflict, match=f"Payment P{first} is already marked as paid"):
        await mark_paid(db, first, second)
    assert [line.payment_id for line in await due(db)] == [second]


async def test_a_paid_fee_cannot_be_changed_by_marking_again(db: Database) -> None:
    activity_id = await paid_activity(db, 11)
    await mark_attended(db, activity_id, 11)
    (line,) = await due(db)
    await mark_paid(db, line.payment_id)
    with pytest.raises(Conflict, match="already paid"):
        await mark_attended(db, activity_id, 11, minutes=240)


async def test_the_person_sees_owed_and_paid_this_year_and_in_total(db: Database) -> None:
    last_year = await paid_activity(db, 11, days_ago=400, rate="fixed")
    recent = await paid_activity(db, 11, rate="hourly")
    await mark_attended(db, last_year, 11, now=NOW - timedelta(days=399))
    async with db.sessions() as session, session.begin():
        (old,) = await payments.payments_due(session, GUILD, NOW)
        await payments.mark_paid(
            session, GUILD, [old.payment_id], COORDINATOR, NOW - timedelta(days=390)
        )
    await mark_attended(db, recent, 11)
    async with db.sessions() as session:
        money = await payments.money_of(session, GUILD, 11, NOW)
    assert (money.owed_pence, money.paid_this_year_pence, money.paid_total_pence) == (
        2500,
        0,
        7500,
    )


async def test_late_payments_are_summed_for_the_coordinators_prompt(db: Database) -> None:
    activity_id = await paid_activity(db, 11, 12, days_ago=40)
    await mark_attended(db, activity_id, 11, 12, now=NOW - timedelta(days=30))
    recent = await paid_activity(db, 13)
    await mark_attended(db, recent, 13)
    async with db.sessions() as session:
        late = await payments.late_summary(session, GUILD, NOW, SETTINGS.prompt_after_days)
        none = await payments.late_summary(session, GUILD, NOW - timedelta(days=20), 21)
    assert (late.count, late.total_pence, late.oldest_days) == (2, 5000, 30)
    assert none == payments.LateSummary(0, 0, 0)


async def test_the_finance_export_has_one_row_per_payment_in_both_formats(db: Database) -> None:
    activity_id = await paid_activity(db, 11, 12, title="=HYPERLINK(evil)")
    await member(db, 11, "@Ada")
    await mark_attended(db, activity_id, 11, 12, minutes=75)
    async with db.sessions() as session:
        found = await payments.finance_export(
            session, GUILD, NOW - timedelta(days=1), NOW + timedelta(days=1)
        )
        outside = await payments.finance_export(
            session, GUILD, NOW + timedelta(days=1), NOW + timedelta(days=2)
        )
    assert outside.rows == ()
    assert found.total_pence == 6250
    rows = list(csv.reader(io.StringIO(found.csv())))
    assert rows[0][:3] == ["reference", "discord_id", "name"]
    assert [row[2] for row in rows[1:]] == ["'@Ada", ""]
    assert {row[5] for row in rows[1:]} == {"'=HYPERLINK(evil)"}
    assert {(row[7], row[8]) for row in rows[1:]} == {("1.25", "31.25")}
    sheet = load_workbook(io.BytesIO(found.xlsx())).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3
    assert values[1][8] == Decimal("31.25")
    assert values[1][5] == "'=HYPERLINK(evil)"


async def test_an_export_with_the_end_before_the_start_is_refused(db: Database) -> None:
    async with db.sessions() as session:
        with pytest.raises(InvalidInput, match="end date must be after"):
            await payments.finance_export(session, GUILD, NOW, NOW)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ada", "Ada"),
        ("12.50", "12.50"),
    ],
)
def test_risky_cells_get_a_quote_so_spreadsheets_do_not_run_them(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe
