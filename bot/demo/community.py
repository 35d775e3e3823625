"""The real bot in-process against the Discord simulator, with a ready-made community.

Shared by `python -m bot demo` and the end-to-end tests (tests/e2e/harness.py), so both build
the same server and start the bot the same way. It drives nothing inside the bot's cogs: what
happens next is done through the simulator, as people would do it.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.app import open_bot
from bot.client import HealthBot
from bot.clock import Clock
from bot.settings import Settings, get_settings
from discord_sim import DiscordSimulator, SimChannel, SimGuild, SimRole, SimUser

MANAGE_GUILD = discord.Permissions(manage_guild=True).value


def sim_settings(
    sim: DiscordSimulator, database_url: str, data_key: str, **overrides: Any
) -> Settings:
    """Settings for a bot that talks to `sim`, keeps its data at `database_url` and encrypts it
    with `data_key` (so no key file is made in the project's data/ folder)."""
    values: dict[str, Any] = {
        "discord_token": sim.token,
        "database_url": database_url,
        "data_key": data_key,
        "guild_ready_timeout": 0.05,
        # No quiet hours unless asked for, so what happens does not depend on the time of day.
        "default_quiet_hours": "00:00-00:00",
        "discord_api_url": sim.api_url,
        "discord_gateway_url": sim.gateway_url,
        "outbox": {"poll_seconds": 0.5, "retry_base_seconds": 0.2},
    }
    values.update(overrides)
    return get_settings(**values)


class ManualClock(Clock):
    """A clock moved by hand; starts at the real time."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, by: timedelta) -> datetime:
        self.current += by
        return self.current


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

    async def run_scheduled_jobs(self) -> None:
        """Run every scheduled job once now and wait for them, as if their time had come (after
        moving a ManualClock forward); then send everything in the outbox that is due."""
        await self.bot.run_jobs_now()
        while await self.bot.outbox.dispatch_due():
            pass


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

    def new_citizen(self, name: str, display_name: str | None = None) -> SimUser:
        user = self.sim.create_user(name, display_name)
        self.guild.add_member(user)
        self.citizens.append(user)
        return user


def build_community(
    sim: DiscordSimulator,
    citizens: int = 4,
    *,
    admin: tuple[str, str | None] = ("ada_admin", None),
    coordinator: tuple[str, str | None] = ("cora_coordinator", None),
) -> Community:
    """The server, with an admin, a coordinator and `citizens` people named citizen_1, ...;
    `admin` and `coordinator` are (user name, display name)."""
    guild = sim.create_guild("Health Citizens")
    admins = guild.add_role("Admins", permissions=MANAGE_GUILD)
    coordinators = guild.add_role("Coordinators", permissions=0)
    admin_user = sim.create_user(*admin)
    guild.add_member(admin_user, roles=[admins.id])
    coordinator_user = sim.create_user(*coordinator)
    guild.add_member(coordinator_user, roles=[coordinators.id])
    community = Community(
        sim=sim,
        guild=guild,
        coordinators=coordinators,
        announcements=guild.add_text_channel("announcements"),
        buddies=guild.add_text_channel("buddies"),
        feedback=guild.add_text_channel("feedback"),
        welcome=guild.add_text_channel("welcome"),
        admin=admin_user,
        coordinator=coordinator_user,
    )
    for number in range(citizens):
        community.new_citizen(f"citizen_{number + 1}")
    return community


async def run_setup(community: Community) -> str:
    """Configure the community through the real `/setup`, as an admin would; returns the reply."""
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
    return reply.text
