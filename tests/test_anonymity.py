"""Anonymous feedback is unlinkable: after an anonymous form, no row in any table ties what was
said to the person who said it, yet they cannot send a second form and still hear "you said,
we did"."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.errors import Conflict
from bot.services import feedback
from bot.services.feedback import FormAnswers
from db.engine import Database
from db.models import Activity, Base, FeedbackResponse, OutboxMessage, Signup

GUILD = 1
ALICE, BOB = 424242424242424242, 535353535353535353
START = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
AFTER = START + timedelta(hours=2)
SAID = FormAnswers(
    rating=2, worked="The tea was lovely", to_change="Quieter room please", anonymous=True
)


def identifiers(user_id: int) -> list[str]:
    """The person's id and the hashes someone might keep instead of it."""
    raw = str(user_id).encode()
    hashes = [hashlib.new(name, raw).hexdigest() for name in ("md5", "sha1", "sha256", "blake2b")]
    return [str(user_id), *hashes]


def mentions(row: dict[str, Any], needles: list[str], number: int | None = None) -> bool:
    return any(
        value == number or any(needle in str(value) for needle in needles)
        for value in row.values()
        if value is not None
    )


async def every_row(db: Database) -> list[tuple[str, dict[str, Any]]]:
    async with db.sessions() as session:
        found = []
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table))
            found += [(table.name, dict(row)) for row in result.mappings()]
        return found


async def anonymous_feedback_given(db: Database) -> int:
    """Alice (anonymous) and Bob (named) took part and gave feedback; returns the activity."""
    async with db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=GUILD,
            title="Interview panel",
            kind="education",
            starts_at=START,
            capacity=10,
        )
        session.add(activity)
        await session.flush()
        for user_id in (ALICE, BOB):
            session.add(Signup(activity_id=activity.id, user_id=user_id, status="confirmed"))
        await session.flush()
        await feedback.plan_requests(session, AFTER, timedelta(minutes=30))
        await feedback.submit_form(session, activity.id, ALICE, SAID, AFTER)
        named = FormAnswers(4, "Good chair", "", anonymous=False)
        await feedback.submit_form(session, activity.id, BOB, named, AFTER)
        await feedback.send_update(session, GUILD, activity.id, "We found a quieter room", AFTER)
        return activity.id


async def test_no_row_ties_an_anonymous_answer_to_its_giver(db: Database) -> None:
    await anonymous_feedback_given(db)
    async with db.sessions() as session:
        response = await session.scalar(
            select(FeedbackResponse).where(FeedbackResponse.anonymous.is_(True))
        )
    assert response is not None
    what_was_said = [SAID.worked, SAID.to_change]
    rows = await every_row(db)
    naming_alice = [(table, row) for table, row in rows if mentions(row, identifiers(ALICE), ALICE)]
    holding_the_answer = [
        (table, row) for table, row in rows if mentions(row, what_was_said, response.id)
    ]
    assert [table for table, _ in holding_the_answer] == ["feedback_responses"]
    # She is named where she took part, gave feedback and is owed messages, never beside it.
    assert {table for table, _ in naming_alice} == {"signups", "feedback_givers", "outbox"}
    assert not [pair for pair in naming_alice if pair in holding_the_answer]


async def test_the_anonymous_answer_keeps_no_time_and_no_insertion_order(db: Database) -> None:
    await anonymous_feedback_given(db)
    rows = [row for table, row in await every_row(db) if table == "feedback_responses"]
    anonymous = next(row for row in rows if row["anonymous"])
    assert anonymous["user_id"] is None
    assert not [value for value in anonymous.values() if isinstance(value, datetime | date)]
    assert FeedbackResponse.__table__.c.id.autoincrement is False
    if db.engine.dialect.name == "sqlite":  # no hidden insertion counter behind the random id
        async with db.sessions() as session:
            pairs = (await session.execute(text("SELECT rowid, id FROM feedback_responses"))).all()
        assert all(rowid == row_id for rowid, row_id in pairs)


async def test_the_anonymous_giver_cannot_send_twice_but_still_hears_back(db: Database) -> None:
    activity_id = await anonymous_feedback_given(db)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict):
            await feedback.submit_form(session, activity_id, ALICE, SAID, AFTER)
    async with db.sessions() as session:
        told = await session.scalars(
            select(OutboxMessage.user_id).where(OutboxMessage.kind == feedback.UPDATE_KIND)
        )
        assert set(told) == {ALICE, BOB}
