"""Erasure and money: paid amounts stay for the university's accounts without the person;
everything unpaid goes; before confirming, the person can be told what is still owed."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services import mydata
from bot.services.involvement import attendance, claims, payments
from bot.services.involvement.attendance import Mark
from bot.services.involvement.role_cards import Card
from db.engine import Database
from db.models import ExpenseClaim, Payment
from tests.services.involvement.helpers import (
    COORDINATOR,
    GUILD,
    LEAD,
    NOW,
    SETTINGS,
    add_card,
    confirm,
    member,
    new_activity,
)

ALICE = 412345678901234567


async def alice_is_owed_a_fee_and_an_expense_and_was_paid_a_fee(db: Database) -> None:
    await member(db, ALICE)
    for title in ("Paid already", "Still owed"):
        activity_id = await new_activity(db, title=title)
        await add_card(db, activity_id, Card(payment_rate="fixed"))
        await confirm(db, activity_id, ALICE)
        async with db.sessions() as session, session.begin():
            await attendance.mark(
                session,
                GUILD,
                activity_id,
                [Mark(ALICE, "attended")],
                by_user_id=LEAD,
                is_coordinator=False,
                now=NOW,
                settings=SETTINGS,
            )
    async with db.sessions() as session, session.begin():
        claim = await claims.claim(
            session,
            GUILD,
            activity_id,
            ALICE,
            amount="4.20",
            what="travel",
            note="bus",
            settings=SETTINGS,
            now=NOW,
        )
        paid_expense = await claims.approve(session, GUILD, claim.claim_id, COORDINATOR, NOW)
        await claims.claim(
            session,
            GUILD,
            activity_id,
            ALICE,
            amount="3.00",
            what="online costs",
            note=None,
            settings=SETTINGS,
            now=NOW,
        )
        due = await payments.payments_due(session, GUILD, NOW)
        fee = next(
            line for line in due if line.for_title == "Paid already" and line.source == "fee"
        )
        assert paid_expense.payment_id is not None
        await payments.mark_paid(
            session, GUILD, [fee.payment_id, paid_expense.payment_id], COORDINATOR, NOW
        )


async def test_before_erasure_the_person_is_told_what_is_still_owed(db: Database) -> None:
    await alice_is_owed_a_fee_and_an_expense_and_was_paid_a_fee(db)
    async with db.sessions() as session:
        owed = await payments.still_owed(session, GUILD, ALICE)
        nothing = await payments.still_owed(session, GUILD, 5)
    assert (owed.payments, owed.owed_pence, owed.claims_waiting) == (1, 7500, 1)
    assert owed.anything
    assert not nothing.anything


async def test_erasure_keeps_paid_amounts_without_the_person_and_removes_the_rest(
    db: Database,
) -> None:
    await alice_is_owed_a_fee_and_an_expense_and_was_paid_a_fee(db)
    async with db.sessions() as session, session.begin():
        await mydata.erase(session, GUILD, ALICE, [])
    async with db.sessions() as session:
        kept = list(
            await session.execute(
                select(
                    Payment.source,
                    Payment.what,
                    Payment.amount_pence,
                    Payment.user_id,
                    Payment.paid_user_id,
                    Payment.claim_id,
                ).order_by(Payment.source)
            )
        )
        claims_left = await session.scalar(select(func.count()).select_from(ExpenseClaim))
        export = await payments.finance_export(session, GUILD, NOW, NOW.replace(year=2027))
    assert [tuple(row) for row in kept] == [
        ("expense", "travel", 420, None, None, None),
        ("fee", None, 7500, None, None, None),
    ]
    assert claims_left == 0
    assert {row.user_id for row in export.rows} == {None}
    assert {line[1] for line in export.table()[1:]} == {"erased"}
