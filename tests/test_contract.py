"""Every cog loads, and the slash commands are exactly the contract in DESIGN.md: names,
options (required or optional as written) and a description on every command and option."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands

from bot.app import build_bot
from bot.client import HealthBot, cog_extensions
from bot.settings import get_settings
from db.engine import Database

# command -> (required options, optional options), from the table in DESIGN.md.
CONTRACT: dict[str, tuple[list[str], list[str]]] = {
    "setup": (
        [],
        [
            "announcements",
            "coordinator_role",
            "buddies",
            "feedback",
            "welcome",
            "timezone",
            "quiet_hours",
        ],
    ),
    "activity create": (
        ["title", "when", "kind", "capacity"],
        # `teaches` is not in DESIGN.md's table (the programme issue asks for it).
        [
            "duration",
            "place",
            "description",
            "lead",
            "repeat",
            "until",
            "choose",
            "payment",
            "needs",
            "group",
            "teaches",
        ],
    ),
    "activity role": (["activity"], []),
    "activity choose": (["activity"], []),
    "activity attendance": (["activity"], []),
    "payments due": ([], []),
    "payments paid": ([], []),
    "payments export": ([], ["from", "to"]),
    "claim": (["activity", "amount", "what"], ["note", "receipt"]),
    "activity edit": (["activity"], ["title", "when", "capacity", "place", "description", "which"]),
    "activity cancel": (["activity"], ["reason", "which"]),
    "activity attendees": (["activity"], []),
    "activities": ([], ["kind"]),
    "signup": (["activity"], []),
    "withdraw": (["activity"], []),
    "mine": ([], []),
    "join": ([], []),
    "privacy": ([], []),
    "profile": ([], []),
    "pause": (["days"], []),
    "resume": ([], []),
    "mydata export": ([], []),
    "mydata delete": ([], []),
    "buddy join": (["role"], ["capacity"]),
    "buddy leave": ([], []),
    "buddy status": ([], []),
    "buddy pair": ([], []),
    "buddy list": ([], []),
    "feedback give": (["activity"], []),
    "feedback summary": (["activity"], []),
    "feedback respond": (["activity", "text"], []),
    "checklist": (["activity"], []),
    "training record": (["member", "module"], ["date"]),
    "training list": ([], ["module"]),
    "group create": (["name", "description"], ["term_months"]),
    "group add": (["group", "member"], []),
    "group remove": (["group", "member"], []),
    "group decision": (["group", "text"], []),
    "group list": ([], []),
}

DISCORD_DEFAULT_DESCRIPTION = "…"


@pytest.fixture(scope="module")
async def loaded_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[HealthBot]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('contract')}/bot.db")
    bot = build_bot(get_settings(), database, AsyncIOScheduler())
    for extension in cog_extensions():
        await bot.load_extension(extension)
    yield bot
    await bot.close()
    await database.dispose()


def leaf_commands(bot: HealthBot) -> Iterator[app_commands.Command[Any, ..., Any]]:
    for command in bot.tree.walk_commands():
        if isinstance(command, app_commands.Command):
            yield command


async def test_command_names_match_the_contract(loaded_bot: HealthBot) -> None:
    names = sorted(command.qualified_name for command in leaf_commands(loaded_bot))
    assert names == sorted(CONTRACT)


async def test_options_match_the_contract(loaded_bot: HealthBot) -> None:
    for command in leaf_commands(loaded_bot):
        required, optional = CONTRACT[command.qualified_name]
        found_required = [p.display_name for p in command.parameters if p.required]
        found_optional = [p.display_name for p in command.parameters if not p.required]
        assert (found_required, found_optional) == (required, optional), command.qualified_name


async def test_every_command_and_option_is_described(loaded_bot: HealthBot) -> None:
    for command in loaded_bot.tree.walk_commands():
        assert command.description not in {"", DISCORD_DEFAULT_DESCRIPTION}, command.qualified_name
        for parameter in getattr(command, "parameters", []):
            where = f"{command.qualified_name} {parameter.name}"
            assert parameter.description not in {"", DISCORD_DEFAULT_DESCRIPTION}, where


async def test_every_cog_loads(loaded_bot: HealthBot) -> None:
    assert set(loaded_bot.extensions) == set(cog_extensions())
