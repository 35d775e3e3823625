"""Start the real bot in-process against the Discord simulator, with a ready-made community."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import discord
from discord.ext import commands

from bot.app import open_bot
from bot.client import HealthBot
from bot.clock import Clock
from bot.settings import PROJECT_ROOT, Settings, get_settings
from discord_sim import DiscordSimulator, SimChannel, SimGuild, SimRole, SimUser

MANAGE_GUILD = discord.Permissions(manage_guild=True).value
# The data key of every test bot, so tests never make a key file in the project's data/.
TEST_DATA_KEY = base64.b64encode(b"k" * 32).decode()


def bot_settings(sim: DiscordSimulator, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": sim.token,
        "database_url": database_url,
        "data_key": TEST_DATA_KEY,
        "guild_ready_timeout": 0.05,
        # No quiet hours unless a test sets them, so results don't depend on the time of day.
        "default_quiet_hours": "00:00-00:00",
        "discord_api_url": sim.api_url,
        "discord_gateway_url": sim.gateway_url,
        "outbox": {"poll_seconds": 0.5, "retry_base_seconds": 0.2},
    }
    values.update(overrides)
    return get_settings(**values)


class ManualClock(Clock):
    """A clock a test moves by hand; starts at the real time."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, by: timedelta) -> datetime:
        self.current += by
        return self.current


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


@dataclass
class RunningBot:
    bot: HealthBot
    task: asyncio.Task[None]
    stack: AsyncExitStack

    async def stop(self) -> None:
        await self.bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, timeout=10)
        await self.stack.aclose()


async def start_bot(settings: Settings) -> RunningBot:
    stack = AsyncExitStack()
    bot = await stack.enter_async_context(open_bot(settings))
    assert settings.discord_token is not None
    task = asyncio.create_task(bot.start(settings.discord_token.get_secret_value()))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if task in done:
            task.result()  # re-raise why the bot stopped
        raise AssertionError("the bot did not become ready within 15 seconds")
    return RunningBot(bot, task, stack)


CogT = TypeVar("CogT", bound=commands.Cog)


def running_cog(running: RunningBot, cog_class: type[CogT]) -> CogT:
    """The running bot's instance of a cog. Compared by name, not identity: discord.py drops a
    closed bot's extension modules from sys.modules, so a later bot loads fresh class objects."""
    found = running.bot.get_cog(cog_class.__cog_name__)
    assert found is not None, f"no {cog_class.__cog_name__} cog is loaded"
    assert type(found).__qualname__ == cog_class.__qualname__, found
    return cast(CogT, found)


@dataclass
class Community:
    """A server laid out like the real one: channels, a coordinator role and a cast of people."""

    sim: DiscordSimulator
    guild: SimGuild
    coordinators: SimRole
    announcements: SimChannel
    buddies: SimChannel
    feedback: SimChannel
    welcome: SimChannel
    admin: SimUser
    coordinator: SimUser
    citizens: list[SimUser] = field(default_factory=list)

    def new_citizen(self, name: str) -> SimUser:
        user = self.sim.create_user(name)
        self.guild.add_member(user)
        self.citizens.append(user)
        return user


def build_community(sim: DiscordSimulator, citizens: int = 4) -> Community:
    guild = sim.create_guild("Health Citizens")
    admins = guild.add_role("Admins", permissions=MANAGE_GUILD)
    coordinators = guild.add_role("Coordinators", permissions=0)
    admin = sim.create_user("ada_admin")
    guild.add_member(admin, roles=[admins.id])
    coordinator = sim.create_user("cora_coordinator")
    guild.add_member(coordinator, roles=[coordinators.id])
    community = Community(
        sim=sim,
        guild=guild,
        coordinators=coordinators,
        announcements=guild.add_text_channel("announcements"),
        buddies=guild.add_text_channel("buddies"),
        feedback=guild.add_text_channel("feedback"),
        welcome=guild.add_text_channel("welcome"),
        admin=admin,
        coordinator=coordinator,
    )
    for number in range(citizens):
        community.new_citizen(f"citizen_{number + 1}")
    return community


async def run_setup(community: Community) -> None:
    """Configure the community through the real `/setup`, as an admin would."""
    reply = await community.sim.slash(
        community.guild,
        community.admin,
        "setup",
        {
            "announcements": community.announcements,
            "coordinator_role": community.coordinators,
            "buddies": community.buddies,
            "feedback": community.feedback,
            "welcome": community.welcome,
        },
        channel=community.announcements,
    )
    assert "Saved" in reply.text, reply.text
