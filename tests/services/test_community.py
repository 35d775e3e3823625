from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.services import community
from bot.services.community import QuietHours, SetupChanges
from db.engine import Database

GUILD = 111


async def current(db: Database) -> community.CommunitySetup:
    async with db.sessions() as session:
        return await community.get_setup(session, GUILD, "Europe/London", "21:00-08:00")


async def test_defaults_before_any_setup(db: Database) -> None:
    setup = await current(db)
    assert setup.timezone == "Europe/London"
    assert str(setup.quiet_hours) == "21:00-08:00"
    assert setup.saved is False


async def test_update_keeps_what_was_not_given(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        await community.update_setup(
            session, await current(db), SetupChanges(announcements_channel_id=5)
        )
    async with db.sessions() as session, session.begin():
        await community.update_setup(
            session, await current(db), SetupChanges(timezone="america/new_york")
        )
    setup = await current(db)
    assert setup.announcements_channel_id == 5
    assert setup.timezone == "America/New_York"
    assert setup.saved is True


async def test_invalid_time_zone_writes_nothing(db: Database) -> None:
    with pytest.raises(InvalidInput, match="Europe/London"):
        async with db.sessions() as session, session.begin():
            await community.update_setup(
                session,
                await current(db),
                SetupChanges(feedback_channel_id=9, timezone="Mars/Base"),
            )
    assert (await current(db)).saved is False


@pytest.mark.parametrize("text", ["9pm-8am", "25:00-08:00", "21:00", "21:60-08:00"])
def test_unreadable_quiet_hours_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidInput, match="21:00-08:00"):
        community.parse_quiet_hours(text)


def test_quiet_hours_across_midnight() -> None:
    quiet = community.parse_quiet_hours("21:00-08:00")
    assert quiet.contains(time(23, 30))
    assert quiet.contains(time(7, 59))
    assert not quiet.contains(time(8, 0))
    assert not quiet.contains(time(12, 0))


def test_next_allowed_moves_to_the_end_of_quiet_hours_in_local_time() -> None:
    quiet = QuietHours(time(21), time(8))
    london = ZoneInfo("Europe/London")
    late = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)  # 22:30 in London (summer time)
    assert quiet.next_allowed(late, london) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)
    noon = datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert quiet.next_allowed(noon, london) == noon


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    assert not community.parse_quiet_hours("00:00-00:00").contains(time(3))


def test_time_zone_suggestions_match_what_was_typed() -> None:
    suggestions = community.matching_timezones("lond")
    assert suggestions[0] == "Europe/London"
    assert len(community.matching_timezones("")) == 25
