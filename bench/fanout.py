"""Outbox fan-out benchmark: 1,000 due prompts, one per person, through the Discord simulator
limited to 50 requests per second (real 429 answers).

The ideal time is the requests that had to be made (every answered request that was not a 429:
opening each DM channel, then each message) divided by 50 per second. Prints the time taken,
the ratio to the ideal, how many 429s came back, and how many prompts were lost or duplicated.

    .venv/bin/python bench/fanout.py [--prompts 1000] [--limit 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere without installing

from discord_sim import DiscordSimulator  # noqa: E402
from tests.e2e.harness import bot_settings, start_bot  # noqa: E402
from tests.e2e.test_rate_limit import KIND, numbered, queue_prompts  # noqa: E402


async def run(prompts: int, limit: float) -> None:
    async with DiscordSimulator() as sim:
        guild = sim.create_guild("Fan-out")
        people = [member.user for member in guild.add_members(prompts, prefix="fan")]
        with tempfile.TemporaryDirectory() as workdir:
            running = await start_bot(bot_settings(sim, f"sqlite+aiosqlite:///{workdir}/bot.db"))
            try:
                running.bot.outbox.register(KIND, numbered, held_back=False)
                await queue_prompts(running, guild.id, people, prompts)
                before = len(sim.requests)
                sim.set_rate_limit(limit)
                started = time.perf_counter()
                running.bot.outbox.wake()
                await sim.wait_for(
                    lambda: sum(len(sim.dm_messages(user)) for user in people) >= prompts,
                    timeout=prompts,
                    what="every prompt",
                )
                elapsed = time.perf_counter() - started
            finally:
                await running.stop()
        requests = sim.requests[before:]
        needed = sum(1 for request in requests if request.status != 429)
        received = Counter(m.content for user in people for m in sim.dm_messages(user))
    ideal = needed / limit
    print(f"prompts: {prompts}, limit: {limit:g} requests/s")
    print(f"requests needed: {needed}, ideal time: {ideal:.1f} s")
    print(f"time taken: {elapsed:.1f} s, ratio to ideal: {elapsed / ideal:.2f}")
    print(f"429 answers: {sum(1 for request in requests if request.status == 429)}")
    print(f"lost: {prompts - len(received)}, duplicated: {sum(received.values()) - len(received)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--limit", type=float, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.prompts, args.limit))


if __name__ == "__main__":
    main()
