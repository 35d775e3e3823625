from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.services.involvement import role_cards
from bot.services.involvement.role_cards import NO_CARD, Card
from db.engine import Database
from tests.services.involvement.helpers import GUILD, NOW, SETTINGS, add_card, new_activity

CARD = Card(
    what_you_do="  Read two short papers and talk about them.  ",
    reading_minutes=30,
    support="A call beforehand",
    skills="None needed",
    how_chosen="Coordinators choose",
    contact="Sam, the involvement lead",
    difference="Shapes the study's questions",
    hear_back="A summary by email",
    payment_rate="hourly",
    choose="coordinators",
)


async def card_of(db: Database, activity_id: int) -> Card:
    async with db.sessions() as session:
        return await role_cards.get_card(session, activity_id)


async def test_an_activity_without_a_card_is_first_come_and_unpaid(db: Database) -> None:
    activity_id = await new_activity(db)
    card = await card_of(db, activity_id)
    assert card == NO_CARD
    assert not card.chosen_by_coordinators
    assert role_cards.key_lines(card, 60, SETTINGS).payment == "Payment: this role is not paid."


async def test_a_card_is_stored_cleaned_and_replaced(db: Database) -> None:
    activity_id = await new_activity(db)
    await add_card(db, activity_id, CARD)
    assert (await card_of(db, activity_id)).what_you_do == CARD.what_you_do.strip()  # type: ignore[union-attr]

    await add_card(db, activity_id, Card(what_you_do="Something else", support="  "))
    stored = await card_of(db, activity_id)
    assert (stored.what_you_do, stored.support, stored.payment_rate) == (
        "Something else",
        None,
        None,
    )


async def test_an_unknown_rate_is_refused(db: Database) -> None:
    activity_id = await new_activity(db)
    async with db.sessions() as session, session.begin():
        with pytest.raises(InvalidInput, match="no payment rate called 'gold'"):
            await role_cards.set_card(
                session, GUILD, activity_id, Card(payment_rate="gold"), SETTINGS, NOW
            )


async def test_an_answer_that_is_too_long_is_refused(db: Database) -> None:
    activity_id = await new_activity(db)
    async with db.sessions() as session, session.begin():
        with pytest.raises(InvalidInput, match="Who to contact is 201 characters"):
            await role_cards.set_card(
                session, GUILD, activity_id, Card(contact="x" * 201), SETTINGS, NOW
            )


def test_key_lines_say_time_with_reading_payment_expenses_and_contact() -> None:
    lines = role_cards.key_lines(CARD, 90, SETTINGS)
    assert lines.time == ("Time needed: 2 hours, including 30 minutes of reading or preparation.")
    assert lines.payment.startswith("Payment: £25.00 an hour (Hourly rate).")
    assert "travel, care cover, online costs, other" in lines.expenses
    assert "within 90 days" in lines.expenses
    assert lines.contact == "Questions? Contact Sam, the involvement lead."
    assert lines.benefits == SETTINGS.benefits


def test_an_unpaid_role_has_no_benefits_line() -> None:
    lines = role_cards.key_lines(Card(), 45, SETTINGS)
    assert lines.benefits is None
    assert lines.contact is None
    assert lines.lines() == [lines.time, lines.payment, lines.expenses]
    assert lines.time == "Time needed: 45 minutes."
