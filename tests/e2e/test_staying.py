"""Someone away a long time is asked privately whether to stay: **Stay** keeps them, no answer
erases them after the waiting time. A module of its own, because it moves the clock by years."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from bot.cogs.membership._retention import Retention
from db.models import Member
from discord_sim import DiscordSimulator, SimMessage, SimUser
from tests.e2e.harness import Community, ManualClock, RunningBot, running_cog
from tests.e2e.test_buddies import dm_containing
from tests.test_erasure import rows_naming

QUESTION = "Would you like us to keep what we hold about you?"


@pytest.fixture
def clock(running: RunningBot) -> Iterator[ManualClock]:
    """Midday tomorrow (outside quiet hours, whenever the tests run)."""
    original = running.bot.clock
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    running.bot.clock = ManualClock(noon + timedelta(days=1))
    yield running.bot.clock
    running.bot.clock = original


async def join(sim: DiscordSimulator, community: Community, user: SimUser) -> None:
    card = await sim.slash(community.guild, user, "join")
    assert card.original is not None
    form = await sim.click(user, card.original, "consent:agree:join:")
    await sim.submit_modal(
        form,
        {"name": user.name, "interests": [], "adjustments": "", "availability": [], "dms": "yes"},
    )


async def still_held(running: RunningBot, user: SimUser) -> bool:
    async with running.bot.db.sessions() as session:
        found = await session.scalar(select(Member.id).where(Member.user_id == user.id))
    return found is not None


async def asked_after_two_years(
    sim: DiscordSimulator,
    community: Community,
    running: RunningBot,
    clock: ManualClock,
    user: SimUser,
) -> SimMessage:
    await join(sim, community, user)
    clock.advance(relativedelta(months=24, days=1))  # type: ignore[arg-type]
    await running_cog(running, Retention).tick()
    return await dm_containing(sim, user, QUESTION)


async def test_someone_away_for_two_years_is_asked_privately_whether_to_stay(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    user = community.new_citizen("away")
    question = await asked_after_two_years(sim, community, running, clock, user)
    labels = [c.get("label") for c in question.all_components() if c.get("type") == 2]
    assert labels == ["Stay", "Leave and delete"]
    assert "30 days" in question.text


async def test_someone_who_does_not_answer_is_erased_after_thirty_days(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    user = community.new_citizen("silent")
    await asked_after_two_years(sim, community, running, clock, user)
    clock.advance(timedelta(days=29))
    await running_cog(running, Retention).tick()
    assert await still_held(running, user)
    clock.advance(timedelta(days=2))
    await running_cog(running, Retention).tick()
    assert await rows_naming(running.bot.db.engine, user.id) == []


async def test_stay_keeps_them(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    user = community.new_citizen("stayer")
    question = await asked_after_two_years(sim, community, running, clock, user)
    answer = await sim.click(user, question, f"retention:stay:{community.guild.id}")
    assert "We will keep your details" in answer.text
    clock.advance(timedelta(days=60))
    await running_cog(running, Retention).tick()
    assert await still_held(running, user)


async def test_leave_and_delete_erases_them_at_once(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    user = community.new_citizen("leaver")
    question = await asked_after_two_years(sim, community, running, clock, user)
    answer = await sim.click(user, question, f"retention:leave:{community.guild.id}")
    assert "Everything we held about you has been deleted" in answer.text
    assert await rows_naming(running.bot.db.engine, user.id) == []
