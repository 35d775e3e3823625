"""Start-up benchmark: time from launch to ready, and resident memory, with a 10,000-member guild.

Runs `python -m bot` as a real process against the Discord simulator, and, as the baseline in the
same run, a bare discord.py client with the same intents and no cogs, database or scheduler.
"Time to ready" is from process launch to the bot's ready log line, minus discord.py's
configured ready delay (GUILD_READY_TIMEOUT), so it measures our own start-up work.

    .venv/bin/python bench/startup.py [--members 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere without installing

from discord_sim import DiscordSimulator  # noqa: E402
from tests.e2e.harness import bot_process_env  # noqa: E402

READY_DELAY = 0.05
BASELINE = """
import asyncio, logging, os, sys, discord, yarl
discord.http.Route.BASE = os.environ["DISCORD_API_URL"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
intents = discord.Intents.default(); intents.members = True; intents.message_content = True
client = discord.Client(intents=intents, guild_ready_timeout=float(os.environ["GUILD_READY_TIMEOUT"]))
@client.event
async def on_ready():
    print("Ready as baseline", file=sys.stderr, flush=True)
asyncio.run(client.start(os.environ["DISCORD_TOKEN"]))
"""


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def launch(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from launch to the ready line (minus the ready delay), and RSS in MB then."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env=env,
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert process.stderr is not None
    try:
        while True:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
            if not line:
                raise RuntimeError(f"{args} exited before it was ready")
            if b"Ready as" in line:
                elapsed = time.perf_counter() - started - READY_DELAY
                await asyncio.sleep(0.2)  # let the member cache settle before reading memory
                return elapsed, resident_mb(process.pid)
    finally:
        process.terminate()
        await process.wait()


async def main(members: int, runs: int) -> None:
    sim = DiscordSimulator()
    await sim.start()
    guild = sim.create_guild("Health Citizens")
    guild.add_members(members)
    workdir = tempfile.mkdtemp()
    env = bot_process_env(sim, "", GUILD_READY_TIMEOUT=str(READY_DELAY), LOG_LEVEL="INFO")
    bot_times, bot_memory, base_times, base_memory = [], [], [], []
    for run in range(runs):
        # A fresh database each run: the first start migrates and syncs, as a new install would.
        run_env = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench-{run}.db"}
        seconds, megabytes = await launch(["-m", "bot"], run_env)
        bot_times.append(seconds)
        bot_memory.append(megabytes)
        seconds, megabytes = await launch(["-c", BASELINE], env)
        base_times.append(seconds)
        base_memory.append(megabytes)
    again, _ = await launch(
        ["-m", "bot"], {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench-0.db"}
    )
    await sim.stop()

    bot_time, base_time = statistics.median(bot_times), statistics.median(base_times)
    bot_rss, base_rss = statistics.median(bot_memory), statistics.median(base_memory)
    print(f"guild members:                    {members}")
    print(f"runs:                             {runs} (median shown)")
    print(f"bot, first start (migrate+sync):  {bot_time:.2f} s to ready, {bot_rss:.0f} MB resident")
    print(f"bot, restart (nothing to do):     {again:.2f} s to ready")
    print(
        f"baseline bare discord.py client:  {base_time:.2f} s to ready, {base_rss:.0f} MB resident"
    )
    print(
        f"ratio bot / baseline:             time {bot_time / base_time:.2f}, memory {bot_rss / base_rss:.2f}"
    )
    print(
        f"goals (<= 2 s, <= 150 MB):        {'met' if bot_time <= 2 and bot_rss <= 150 else 'NOT met'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(main(options.members, options.runs))
