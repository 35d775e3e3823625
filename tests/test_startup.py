"""`python -m bot` as an operator runs it: clear messages for each start-up problem, migrations
on their own, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from discord_sim import DiscordSimulator
from tests.conftest import BACKENDS, POSTGRES_URL, create_schema, drop_schema, new_name
from tests.e2e.harness import bot_process_env
from tests.processes import finish


def database_in(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/bot.db"


async def run_bot(
    tmp_path: Path, *args: str, sim: DiscordSimulator | None = None, **env: str
) -> tuple[int, str]:
    # cwd is the temp folder so no developer .env is read.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=bot_process_env(sim, database_in(tmp_path), **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    code, output = await finish(process, 30, f"python -m bot {' '.join(args)}")
    return code, output.decode()


@pytest.fixture
async def sim() -> AsyncIterator[DiscordSimulator]:
    simulator = DiscordSimulator()
    await simulator.start()
    simulator.create_guild("Health Citizens")
    yield simulator
    await simulator.stop()


async def test_without_a_token_it_says_where_to_get_one(tmp_path: Path) -> None:
    code, output = await run_bot(tmp_path)
    assert code != 0
    assert "discord.com/developers/applications" in output
    assert "DISCORD_TOKEN" in output
    assert "Traceback" not in output


async def test_a_token_discord_rejects_gets_its_own_message(
    tmp_path: Path, sim: DiscordSimulator
) -> None:
    code, output = await run_bot(tmp_path, sim=sim, DISCORD_TOKEN="not-the-token")
    assert code != 0
    assert "did not accept the token" in output
    assert "Traceback" not in output


async def test_a_missing_privileged_intent_gets_its_own_message(
    tmp_path: Path, sim: DiscordSimulator
) -> None:
    sim.refuse_privileged_intents()
    code, output = await run_bot(tmp_path, sim=sim)
    assert code != 0
    assert "4014" in output
    assert "Server Members Intent" in output
    assert "Traceback" not in output


async def test_an_unreachable_database_gets_its_own_message(tmp_path: Path) -> None:
    code, output = await run_bot(
        tmp_path,
        DISCORD_TOKEN="x",
        DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/nothing",
    )
    assert code != 0
    assert "Could not reach the database" in output
    assert "127.0.0.1:1" in output
    assert "Traceback" not in output


async def test_migrate_applies_migrations_only(tmp_path: Path) -> None:
    code, output = await run_bot(tmp_path, "migrate")
    assert code == 0, output
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "bot.db").execute("select name from sqlite_master")
    }
    assert {"communities", "members", "outbox", "activities", "alembic_version"} <= tables


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
async def test_a_stop_signal_stops_the_bot_cleanly(
    tmp_path: Path, sim: DiscordSimulator, signum: signal.Signals
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=bot_process_env(sim, database_in(tmp_path)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    await sim.wait_until_ready(timeout=30)
    process.send_signal(signum)
    code, output = await finish(process, 30, f"the bot after {signum.name}")
    text = output.decode()
    assert code == 0, text
    assert "Stopped cleanly" in text
    assert "Traceback" not in text


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL")
async def test_two_migrations_started_together_on_a_fresh_postgres_schema_both_succeed(
    tmp_path: Path,
) -> None:
    schema = new_name("race")
    await create_schema(schema)
    try:
        env = bot_process_env(None, POSTGRES_URL, DATABASE_SCHEMA=schema)
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "migrate",
                cwd=tmp_path,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        results = await asyncio.gather(
            *(finish(process, 60, "python -m bot migrate") for process in processes)
        )
    finally:
        await drop_schema(schema)
    for code, output in results:
        assert code == 0, output.decode()
