"""End-to-end fixtures: one simulator, community and running bot per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from discord_sim import DiscordSimulator
from tests.e2e.harness import (
    Community,
    RunningBot,
    bot_settings,
    build_community,
    run_setup,
    start_bot,
)


@pytest.fixture(scope="module")
async def sim() -> AsyncIterator[DiscordSimulator]:
    simulator = DiscordSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()
    assert not simulator.unknown_routes, (
        f"the bot called routes the simulator does not know: {simulator.unknown_routes}"
    )
    assert not simulator.rejected_payloads, (
        "the bot sent payloads Discord would refuse (400, 50035): "
        + "; ".join(str(r) for r in simulator.rejected_payloads)
    )


@pytest.fixture(scope="module")
def community(sim: DiscordSimulator) -> Community:
    return build_community(sim)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('e2e')}/bot.db"


@pytest.fixture(scope="module")
async def running(
    sim: DiscordSimulator, community: Community, database_url: str
) -> AsyncIterator[RunningBot]:
    """The bot, started once for the module, with the community already set up."""
    bot = await start_bot(bot_settings(sim, database_url))
    await sim.wait_until_ready()
    await run_setup(community)
    yield bot
    await bot.stop()
