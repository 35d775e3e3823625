"""Start the real bot in-process against the Discord simulator, with a ready-made community.

The community, the clock and starting the bot live in `bot.demo.community` (the demo uses them
too); this module adds what only tests need."""

from __future__ import annotations

import base64
import os
from typing import Any, TypeVar, cast

from discord.ext import commands

from bot.demo.community import (
    MANAGE_GUILD,
    Community,
    ManualClock,
    RunningBot,
    build_community,
    run_setup,
    sim_settings,
    start_bot,
)
from bot.settings import PROJECT_ROOT, Settings
from discord_sim import DiscordSimulator

__all__ = [
    "MANAGE_GUILD",
    "TEST_DATA_KEY",
    "Community",
    "ManualClock",
    "RunningBot",
    "bot_process_env",
    "bot_settings",
    "build_community",
    "run_setup",
    "running_cog",
    "start_bot",
]

# The data key of every test bot, so tests never make a key file in the project's data/.
TEST_DATA_KEY = base64.b64encode(b"k" * 32).decode()


def bot_settings(sim: DiscordSimulator, database_url: str, **overrides: Any) -> Settings:
    return sim_settings(sim, database_url, TEST_DATA_KEY, **overrides)


def bot_process_env(
    sim: DiscordSimulator | None, database_url: str, **extra: str
) -> dict[str, str]:
    """The environment for `python -m bot` as its own process against the simulator: nothing
    inherited that would change its settings, no quiet hours, a short ready delay."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL"}}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        DATABASE_URL=database_url,
        DATA_KEY=TEST_DATA_KEY,
        GUILD_READY_TIMEOUT="0.05",
        DEFAULT_QUIET_HOURS="00:00-00:00",
    )
    if sim is not None:
        env.update(
            DISCORD_TOKEN=sim.token,
            DISCORD_API_URL=sim.api_url,
            DISCORD_GATEWAY_URL=sim.gateway_url,
        )
    env.update(extra)
    return env


CogT = TypeVar("CogT", bound=commands.Cog)


def running_cog(running: RunningBot, cog_class: type[CogT]) -> CogT:
    """The running bot's instance of a cog. Compared by name, not identity: discord.py drops a
    closed bot's extension modules from sys.modules, so a later bot loads fresh class objects."""
    found = running.bot.get_cog(cog_class.__cog_name__)
    assert found is not None, f"no {cog_class.__cog_name__} cog is loaded"
    assert type(found).__qualname__ == cog_class.__qualname__, found
    return cast(CogT, found)
