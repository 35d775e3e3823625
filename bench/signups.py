"""Sign-up benchmark.

1. Throughput of the sign-up service (`bot.services.signups.sign_up`, one transaction each,
   one after another) on SQLite, against a baseline doing the same transaction with bare
   aiosqlite (BEGIN IMMEDIATE; read the activity; count places and look for the person; insert;
   COMMIT), measured in the same run; the ratio is printed (goal: at least 40%).
2. The same service on PostgreSQL (a throwaway schema), when one answers.
3. Latency p50/p99 with 50 sign-ups at once, on each backend.
4. Through the Discord simulator with the real bot: time from INTERACTION_CREATE to the
   interaction callback for 50 people pressing Sign up at once, p50/p99 (goal: p99 <= 50 ms).

    .venv/bin/python bench/signups.py [--signups 2000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere without installing

from bot.services import activities, consent, signups  # noqa: E402
from bot.services.activities import ActivityDraft  # noqa: E402
from db.engine import SQLITE_BUSY_TIMEOUT_MS, Database  # noqa: E402
from db.migrate import upgrade_to_head  # noqa: E402
from tests.conftest import drop_schema, fresh_database, postgres_answers  # noqa: E402
from tests.e2e.harness import bot_settings, build_community, run_setup, start_bot  # noqa: E402
from tests.simulator import DiscordSimulator, SimMessage, SimUser  # noqa: E402

GUILD = 1
NOW = datetime.now(UTC)
CONCURRENT = 50


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def figures(samples_ms: list[float]) -> str:
    return f"p50 {statistics.median(samples_ms):.1f} ms, p99 {percentile(samples_ms, 0.99):.1f} ms"


async def new_activity(db: Database, capacity: int) -> int:
    draft = ActivityDraft(
        title="Bench", kind="research", starts_at=NOW + timedelta(days=30), capacity=capacity
    )
    async with db.sessions() as session, session.begin():
        return (await activities.create_activity(session, GUILD, draft, NOW)).id


async def service_signup(db: Database, activity_id: int, user_id: int) -> None:
    async with db.sessions() as session, session.begin():
        await signups.sign_up(session, GUILD, activity_id, user_id, NOW)


async def throughput(
    signup: Callable[[int, int], Awaitable[None]], activity_id: int, count: int
) -> float:
    started = time.perf_counter()
    for user in range(count):
        await signup(activity_id, 10_000 + user)
    return count / (time.perf_counter() - started)


async def concurrent_latency(db: Database, rounds: int) -> list[float]:
    samples: list[float] = []

    async def timed(activity_id: int, user: int) -> None:
        started = time.perf_counter()
        await service_signup(db, activity_id, user)
        samples.append((time.perf_counter() - started) * 1000)

    for _ in range(rounds):
        activity_id = await new_activity(db, capacity=CONCURRENT // 5)
        await asyncio.gather(*(timed(activity_id, 20_000 + n) for n in range(CONCURRENT)))
    return samples


class BareSqlite:
    """The sign-up transaction written by hand on one aiosqlite connection."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection

    async def sign_up(self, activity_id: int, user_id: int) -> None:
        db = self.connection
        await db.execute("BEGIN IMMEDIATE")
        try:
            cursor = await db.execute(
                "SELECT capacity, status, starts_at FROM activities WHERE id = ?", (activity_id,)
            )
            capacity, _status, _starts = await cursor.fetchone()  # type: ignore[misc]
            cursor = await db.execute(
                "SELECT count(CASE WHEN status = 'confirmed' THEN 1 END), "
                "count(CASE WHEN status = 'waiting' THEN 1 END), "
                "max(CASE WHEN user_id = ? THEN status END) FROM signups WHERE activity_id = ?",
                (user_id, activity_id),
            )
            confirmed, _waiting, mine = await cursor.fetchone()  # type: ignore[misc]
            assert mine is None
            await db.execute(
                "INSERT INTO signups (activity_id, user_id, status, created_at) VALUES (?, ?, ?, ?)",
                (
                    activity_id,
                    user_id,
                    "confirmed" if confirmed < capacity else "waiting",
                    NOW.isoformat(),
                ),
            )
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise


async def sqlite_figures(workdir: str, count: int, rounds: int) -> None:
    db = Database(f"sqlite+aiosqlite:///{workdir}/service.db")
    await upgrade_to_head(db.engine)
    await service_signup(db, await new_activity(db, 1), 1)  # warm up the pool and caches
    service = await throughput(
        lambda a, u: service_signup(db, a, u), await new_activity(db, 500), count
    )

    bare_db = Database(f"sqlite+aiosqlite:///{workdir}/bare.db")
    await upgrade_to_head(bare_db.engine)
    activity_id = await new_activity(bare_db, 500)
    await bare_db.dispose()
    async with aiosqlite.connect(f"{workdir}/bare.db", isolation_level=None) as connection:
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            await connection.execute(f"PRAGMA {pragma}")
        bare = await throughput(BareSqlite(connection).sign_up, activity_id, count)

    print(f"SQLite service:     {service:8.0f} sign-ups/s")
    print(f"SQLite bare:        {bare:8.0f} sign-ups/s (aiosqlite, same transaction)")
    print(f"Ratio:              {service / bare:8.0%} of the bare baseline (goal >= 40%)")
    print(f"SQLite {CONCURRENT} at once:   {figures(await concurrent_latency(db, rounds))}")
    await db.dispose()


async def postgres_figures(workdir: str, count: int, rounds: int) -> None:
    if not postgres_answers():
        print("PostgreSQL:         not running; skipped")
        return
    db, schema = await fresh_database("postgresql", workdir)
    try:
        await upgrade_to_head(db.engine)
        await service_signup(db, await new_activity(db, 1), 1)
        rate = await throughput(
            lambda a, u: service_signup(db, a, u), await new_activity(db, 500), count
        )
        print(f"PostgreSQL service: {rate:8.0f} sign-ups/s")
        print(f"PostgreSQL {CONCURRENT} at once: {figures(await concurrent_latency(db, rounds))}")
    finally:
        await db.dispose()
        await drop_schema(schema)


async def press_together(
    sim: DiscordSimulator, people: list[SimUser], announcement: SimMessage, activity_id: int
) -> list[float]:
    """Everyone presses Sign up at once; returns each INTERACTION_CREATE-to-callback time."""
    presses = await asyncio.gather(
        *(sim.click(user, announcement, f"activity:signup:{activity_id}") for user in people)
    )
    for ix in presses:  # the answer follows the acknowledgement
        await ix.wait_followup()
        assert "You have a place" in ix.text or "waiting list" in ix.text, ix.text
    waiting = f"Full - {len(people) - len(people) // 2} waiting"
    await sim.wait_for(lambda: waiting in announcement.text, what="the last announcement edit")
    return [((ix.responded_at or 0) - ix.created_at) * 1000 for ix in presses]


async def simulator_figures(workdir: str, rounds: int) -> None:
    """50 people with consent on record press Sign up on the same announcement at once."""
    async with DiscordSimulator() as sim:
        community = build_community(sim, citizens=0)
        people = [member.user for member in community.guild.add_members(CONCURRENT, prefix="b")]
        running = await start_bot(bot_settings(sim, f"sqlite+aiosqlite:///{workdir}/bot.db"))
        samples: list[float] = []
        try:
            await sim.wait_until_ready()
            await run_setup(community)
            async with running.bot.db.sessions() as session, session.begin():
                for user in people:
                    await consent.record_consent(session, community.guild.id, user.id, "bench")
            for round_number in range(rounds):
                reply = await sim.slash(
                    community.guild,
                    community.coordinator,
                    "activity create",
                    {
                        "title": f"Bench {round_number}",
                        "when": "2030-01-01 10:00",
                        "kind": "research",
                        "capacity": CONCURRENT // 2,
                    },
                )
                await reply.wait_followup()
                announcement = sim.channel_messages(community.announcements)[-1]
                activity_id = int((announcement.footer or "").removeprefix("Activity #"))
                samples += await press_together(sim, people, announcement, activity_id)
        finally:
            await running.stop()
    print(
        f"Simulator, {CONCURRENT} press Sign up at once, INTERACTION_CREATE to callback: "
        f"{figures(samples)} (goal p99 <= 50 ms)"
    )


async def main(count: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        await sqlite_figures(workdir, count, rounds)
        await postgres_figures(workdir, count, rounds)
        await simulator_figures(workdir, rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signups", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.signups, arguments.rounds))
