"""End-to-end fixtures: one simulator, community and running bot per test module."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

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
def database_url(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> str:
    """A copy of the migrated template, so the bot's own upgrade at start-up has nothing to do
    (tests/test_startup.py shows it migrates an empty database)."""
    path = tmp_path_factory.mktemp("e2e") / "bot.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


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


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module", autouse=True)
def no_tracebacks(request: pytest.FixtureRequest) -> Iterator[list[logging.LogRecord]]:
    """Every log record of the module; at its end, fails if any carried a traceback (only an
    unexpected error, a real bug, may). For every e2e module; a module that provokes an
    unexpected error on purpose marks `tracebacks_expected`."""
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)
    if request.node.get_closest_marker("tracebacks_expected"):
        return
    tracebacks = [
        f"{record.name}: {record.getMessage()}" for record in handler.records if record.exc_info
    ]
    assert not tracebacks, f"log lines with a traceback: {tracebacks}"
