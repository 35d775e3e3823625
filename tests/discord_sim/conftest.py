"""Fixtures for the simulator's own tests: one simulator, guild and tiny bot per module;
each test builds what it needs on the shared guild."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from discord_sim import DiscordSimulator

from .tinybot import SimBot, World, start_bot, stop_bot


@pytest.fixture(scope="module")
async def sim() -> AsyncIterator[DiscordSimulator]:
    simulator = DiscordSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()
    simulator.assert_no_problems()


@pytest.fixture(scope="module")
async def world(sim: DiscordSimulator) -> World:
    return World(sim)


@pytest.fixture(scope="module")
async def bot(sim: DiscordSimulator, world: World) -> AsyncIterator[SimBot]:
    client, task = await start_bot(sim)
    yield client
    await stop_bot(client, task)
