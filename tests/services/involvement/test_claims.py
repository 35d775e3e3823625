from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import Conflict, InvalidInput, NotAllowed
from bot.services.involvement import claims, payments
from bot.services.involvement.claims import Claim
from bot.services.involvement.common import parse_pounds
from bot.services.involvement.settings import ExpenseKind
from db.engine import Database
from tests.services.involvement.helpers import (
    COORDINATOR,
    GUILD,
    NOW,
    SETTINGS,
    confirm,
    new_activity,
)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("12.50", 1250),
        ("£12.50", 1250),
        ("12", 1200),
        ("12.5", 1250),
        (" £0.07 ", 7),
        ("1,250", 125000),
    ],
)
def test_amounts_are_read_exactly_to_the_penny(typed: str, pence: int) -> None:
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize(
    "typed",
    ["-5", "12.505", "twelve", "", "£", "12.", "1e3", "0x10", "12,50.1.1", "3,50", "12.50p"],
)
def test_amounts_that_are_not_pounds_and_pence_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="could not read"):
        parse_pounds(typed)


async def claim(
    db: Database,
    activity_id: int,
    user_id: int = 11,
    *,
    amount: str = "12.50",
    what: str = "travel",
    note: str | None = None,
    now: object = NOW,
) -> Claim:
    async with db.sessions() as session, session.begin():
        return await claims.claim(
            session,
            GUILD,
            activity_id,
            user_id,
            amount=amount,
            what=what,
            note=note,
            settings=SETTINGS,
            now=now,  # type: ignore[arg-type]
        )


async def taken_part(db: Database) -> int:
    activity_id = await new_activity(db)
    await confirm(db, activity_id, 11)
    return activity_id


async def test_a_claim_is_stored_in_pence_with_its_kind_and_cleaned_note(db: Database) -> None:
    activity_id = await taken_part(db)
    found = await claim(db, activity_id, amount="£7.40", what="care cover", note="  Sitter  ")
    assert (found.amount_pence, found.what, found.note, found.status) == (
        740,
        ExpenseKind.CARE_COVER,
        "Sitter",
        "claimed",
    )


@pytest.mark.parametrize("amount", ["0", "0.00"])
async def test_a_zero_claim_is_refused(db: Database, amount: str) -> None:
    activity_id = await taken_part(db)
    with pytest.raises(InvalidInput, match="more than £0"):
        await claim(db, activity_id, amount=amount)


async def test_a_claim_over_the_limit_is_refused(db: Database) -> None:
    activity_id = await taken_part(db)
    assert (await claim(db, activity_id, amount="500.00")).amount_pence == 50000
    with pytest.raises(InvalidInput, match=r"up to £500\.00"):
        await claim(db, activity_id, amount="500.01")


async def test_a_claim_for_an_activity_they_did_not_sign_up_to_is_refused(db: Database) -> None:
    activity_id = await new_activity(db)
    await confirm(db, activity_id, 12)
    with pytest.raises(NotAllowed, match="had a place on"):
        await claim(db, activity_id, 11)


async def test_a_claim_after_the_window_is_refused(db: Database) -> None:
    activity_id = await taken_part(db)  # ended a day before NOW, less an hour
    ends = NOW - timedelta(days=1) + timedelta(hours=1)
    await claim(db, activity_id, now=ends + timedelta(days=90))
    with pytest.raises(Conflict, match="closed 90 days after"):
        await claim(db, activity_id, now=ends + timedelta(days=90, seconds=1))


async def test_an_unknown_kind_of_expense_is_refused(db: Database) -> None:
    activity_id = await taken_part(db)
    with pytest.raises(InvalidInput, match="travel, care cover, online costs, other"):
        await claim(db, activity_id, what="lunch")


async def test_a_long_note_is_refused(db: Database) -> None:
    activity_id = await taken_part(db)
    with pytest.raises(InvalidInput, match="501 characters"):
        await claim(db, activity_id, note="n" * 501)


async def test_an_approved_claim_joins_payments_due_and_the_person_is_told(db: Database) -> None:
    activity_id = await taken_part(db)
    found = await claim(db, activity_id, amount="12.50")
    async with db.sessions() as session, session.begin():
        decision = await claims.approve(session, GUILD, found.claim_id, COORDINATOR, NOW)
    async with db.sessions() as session:
        (line,) = await payments.payments_due(session, GUILD, NOW)
        left = await claims.waiting(session, GUILD)
    assert decision.user_id == 11
    assert "£12.50" in decision.message
    assert "approved" in decision.message
    assert (line.payment_id, line.source, line.what, line.amount_pence) == (
        decision.payment_id,
        "expense",
        "travel",
        1250,
    )
    assert left == []


async def test_a_declined_claim_tells_the_reason_and_owes_nothing(db: Database) -> None:
    activity_id = await taken_part(db)
    found = await claim(db, activity_id)
    async with db.sessions() as session, session.begin():
        decision = await claims.decline(
            session, GUILD, found.claim_id, COORDINATOR, " Taxi not agreed first. ", NOW
        )
    async with db.sessions() as session:
        assert await payments.payments_due(session, GUILD, NOW) == []
    assert decision.claim.decline_reason == "Taxi not agreed first."
    assert "The reason given: Taxi not agreed first." in decision.message


async def test_a_claim_is_decided_once(db: Database) -> None:
    activity_id = await taken_part(db)
    found = await claim(db, activity_id)
    async with db.sessions() as session, session.begin():
        await claims.approve(session, GUILD, found.claim_id, COORDINATOR, NOW)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="already approved"):
            await claims.decline(session, GUILD, found.claim_id, COORDINATOR, "no", NOW)


async def test_declining_needs_a_reason(db: Database) -> None:
    activity_id = await taken_part(db)
    found = await claim(db, activity_id)
    async with db.sessions() as session, session.begin():
        with pytest.raises(InvalidInput, match="say why"):
            await claims.decline(session, GUILD, found.claim_id, COORDINATOR, "   ", NOW)


async def test_an_approved_claim_paid_is_marked_paid_too(db: Database) -> None:
    activity_id = await taken_part(db)
    found = await claim(db, activity_id)
    async with db.sessions() as session, session.begin():
        decision = await claims.approve(session, GUILD, found.claim_id, COORDINATOR, NOW)
        assert decision.payment_id is not None
        await payments.mark_paid(session, GUILD, [decision.payment_id], COORDINATOR, NOW)
    async with db.sessions() as session:
        (mine,) = await claims.claims_of(session, GUILD, 11)
    assert (mine.status, mine.user_id) == ("paid", 11)
