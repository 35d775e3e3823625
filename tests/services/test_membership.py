from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import InvalidInput, NotFound
from bot.services import consent, membership
from bot.services.membership import ProfileForm
from db.engine import Database

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GUILD, ALICE = 1, 412345678901234567

FORM = ProfileForm(
    display_name="  Alice  ",
    interests=("research", "education"),
    availability=("weekends",),
    adjustments="Large print, please",
    wants_dms=False,
)


async def joined(db: Database, user_id: int = ALICE) -> None:
    async with db.sessions() as session, session.begin():
        await consent.record_consent(session, GUILD, user_id, "2026-11", NOW)


async def save(db: Database, form: ProfileForm = FORM) -> membership.Profile:
    async with db.sessions() as session, session.begin():
        return await membership.save_profile(session, GUILD, ALICE, form)


async def profile(db: Database) -> membership.Profile | None:
    async with db.sessions() as session:
        return await membership.find_profile(session, GUILD, ALICE)


async def test_no_profile_before_consent(db: Database) -> None:
    assert await profile(db) is None
    with pytest.raises(NotFound, match="/join"):
        await save(db)


async def test_consent_alone_leaves_the_profile_to_fill_in(db: Database) -> None:
    await joined(db)
    found = await profile(db)
    assert found is not None
    assert not found.filled_in


async def test_saved_profile_reads_back_tidied(db: Database) -> None:
    await joined(db)
    await save(db)
    assert await profile(db) == membership.Profile(
        display_name="Alice",
        interests=("education", "research"),
        availability=("weekends",),
        adjustments="Large print, please",
        wants_dms=False,
        paused_until=None,
    )


async def test_saving_again_replaces_the_profile(db: Database) -> None:
    await joined(db)
    await save(db)
    await save(db, replace(FORM, interests=(), adjustments="  ", wants_dms=True))
    found = await profile(db)
    assert found is not None
    assert (found.interests, found.adjustments, found.wants_dms) == ((), None, True)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"display_name": "   "}, "name you would like"),
        ({"display_name": "x" * 81}, "81 characters"),
        ({"adjustments": "x" * 501}, "501 characters"),
        ({"interests": ("gardening",)}, "'gardening'"),
        ({"availability": ("mornings",)}, "'mornings'"),
    ],
)
async def test_bad_profile_is_refused_and_nothing_changes(
    db: Database, change: dict[str, object], words: str
) -> None:
    await joined(db)
    before = await save(db)
    with pytest.raises(InvalidInput, match=words):
        await save(db, replace(FORM, **change))  # type: ignore[arg-type]
    assert await profile(db) == before


async def test_pause_ends_the_given_number_of_days_from_now(db: Database) -> None:
    await joined(db)
    async with db.sessions() as session, session.begin():
        until = await membership.pause(session, GUILD, ALICE, 14, NOW)
    assert until == NOW + timedelta(days=14)
    async with db.sessions() as session:
        assert await membership.paused_until(session, GUILD, ALICE, NOW) == until
        assert await membership.paused_until(session, GUILD, ALICE, until) is None


@pytest.mark.parametrize("days", [0, -3, 366, 1000])
async def test_pause_outside_one_to_365_days_is_refused(db: Database, days: int) -> None:
    await joined(db)
    async with db.sessions() as session, session.begin():
        with pytest.raises(InvalidInput, match="1 to 365 days"):
            await membership.pause(session, GUILD, ALICE, days, NOW)
    async with db.sessions() as session:
        assert await membership.paused_until(session, GUILD, ALICE, NOW) is None


async def test_resume_ends_a_running_pause(db: Database) -> None:
    await joined(db)
    async with db.sessions() as session, session.begin():
        await membership.pause(session, GUILD, ALICE, 3, NOW)
        assert await membership.resume(session, GUILD, ALICE, NOW) is True
        assert await membership.resume(session, GUILD, ALICE, NOW) is False
    async with db.sessions() as session:
        assert await membership.paused_until(session, GUILD, ALICE, NOW) is None


async def test_pause_before_joining_is_refused_kindly(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        with pytest.raises(NotFound, match="hold nothing about you"):
            await membership.pause(session, GUILD, ALICE, 3, NOW)
