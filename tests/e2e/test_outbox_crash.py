"""The bot process is killed (SIGKILL) in the middle of sending 300 reminders and started again:
every reminder arrives, and only those in flight at the kill can arrive twice."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services import checklist, reminders
from bot.settings import DEFAULT_CONFIG_DIR, PROJECT_ROOT
from db.engine import Database
from db.migrate import upgrade_to_head
from db.models import Activity, Member, OutboxMessage, Signup
from discord_sim import DiscordSimulator, SimUser
from tests.e2e.harness import bot_process_env
from tests.processes import finish

PEOPLE = 300
KILL_AFTER = 100
# Only an item for the lead, so the reminders are the only messages to participants.
LEAD_ONLY_CHECKLIST = """
[[items]]
key = "debrief"
text = "Debrief held."
stage = "after"
for = "lead"
from = "end"
offset_hours = 24
"""

pytestmark = pytest.mark.slow


async def prepare(database_url: str, guild_id: int, people: list[SimUser], config: Path) -> None:
    """300 consenting people confirmed for an activity an hour away: their reminders are due."""
    db = Database(database_url)
    await upgrade_to_head(db.engine)
    now = datetime.now(UTC)
    async with db.sessions() as session, session.begin():
        session.add_all(
            Member(guild_id=guild_id, user_id=user.id, consent_version="test", consented_at=now)
            for user in people
        )
        activity = Activity(
            guild_id=guild_id,
            title="Crash course",
            kind="training",
            starts_at=now + timedelta(minutes=59),
            capacity=PEOPLE,
        )
        activity.signups = [Signup(user_id=user.id, status="confirmed") for user in people]
        session.add(activity)
        await session.flush()
        await reminders.plan(
            session,
            now=now,
            offsets_hours=[24, 1],
            items=checklist.load_items(config),
            coordinators={},
        )
    await db.dispose()


async def sent_rows(database_url: str) -> int:
    db = Database(database_url)
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at.is_not(None))
        )
    await db.dispose()
    return int(count or 0)


async def start_bot_process(
    sim: DiscordSimulator, env: dict[str, str], log: Path
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def reminders_received(sim: DiscordSimulator, people: list[SimUser]) -> Counter[int]:
    return Counter(
        user.id for user in people for m in sim.dm_messages(user) if "Crash course" in m.text
    )


async def test_a_killed_bot_delivers_everything_after_restart(
    sim: DiscordSimulator, tmp_path: Path
) -> None:
    guild = sim.create_guild("Crash test")
    people = [member.user for member in guild.add_members(PEOPLE, prefix="crash")]
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    (config / "checklist.toml").write_text(LEAD_ONLY_CHECKLIST)
    database_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    await prepare(database_url, guild.id, people, config)
    env = bot_process_env(sim, database_url, CONFIG_DIR=str(config))
    log = tmp_path / "bot.log"

    first = await start_bot_process(sim, env, log)
    await sim.wait_for(
        lambda: sum(reminders_received(sim, people).values()) >= KILL_AFTER,
        timeout=60,
        what=f"{KILL_AFTER} reminders before the kill",
    )
    first.kill()
    await finish(first, 30, "the first bot after SIGKILL")
    delivered_at_kill = len(reminders_received(sim, people))
    in_flight = delivered_at_kill - await sent_rows(database_url)
    assert delivered_at_kill < PEOPLE, "the kill came too late to interrupt the sending"

    second = await start_bot_process(sim, env, log)
    try:
        await sim.wait_for(
            lambda: len(reminders_received(sim, people)) == PEOPLE,
            timeout=60,
            what="every reminder after the restart",
        )
    finally:
        second.terminate()
        code, _ = await finish(second, 30, "the restarted bot after SIGTERM")
    assert code == 0, f"the restarted bot exited with {code} after SIGTERM"
    duplicates = sum(reminders_received(sim, people).values()) - PEOPLE
    assert duplicates <= in_flight
