"""`python -m bot demo`: the real bot at work, with no token and no Discord account.

Starts the bundled Discord simulator (`discord_sim`) on 127.0.0.1 with a sample community,
starts the real bot against it with a throwaway database and data key in a temporary folder,
plays a short story (bot/demo/_story.py) and prints what each person saw
(bot/demo/_transcript.py). Nothing is written to the project's data/ folder.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.demo._story import Story, cast_of
from bot.demo.community import ManualClock, build_community, sim_settings, start_bot
from discord_sim import DiscordSimulator

INTRO = """\
A demo of the community bot. A pretend Discord runs on this computer, with a small
community in it, and the real bot is connected to it. No token or Discord account is needed.
Lines starting with > say what a person did. Lines in [brackets] say where a message
appeared and who could see it. Buttons look like [Sign up]."""

OUTRO = """\
That is the end of the demo. Nothing was saved: the demo's data was in a temporary folder.
To run the bot in a real Discord server, see "Create the Discord application" in README.md."""


async def play(write: Callable[[str], None] = print) -> None:
    """Play the story against a fresh simulator and bot, writing the transcript as it goes."""
    zone = ZoneInfo("Europe/London")
    async with DiscordSimulator() as sim:
        community = build_community(
            sim, citizens=0, admin=("ada", "Ada"), coordinator=("cora", "Cora")
        )
        cast = cast_of(community)
        with tempfile.TemporaryDirectory(prefix="bot-demo-") as folder:
            settings = sim_settings(
                sim,
                f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}",
                base64.b64encode(os.urandom(32)).decode(),
                data_key_file=Path(folder) / "data.key",
                database_schema="",
                default_timezone=zone.key,
                buddies={"approval_mode": "auto"},
            )
            running = await start_bot(settings)
            clock = ManualClock()
            running.bot.clock = clock
            try:
                await sim.wait_until_ready()
                await Story(sim, community, cast, running, clock, zone, write).play()
            finally:
                await running.stop()
        problems = sim.unknown_routes or [str(r) for r in sim.rejected_payloads]
        if problems:
            raise RuntimeError(f"the bot did something Discord would refuse: {problems}")


def main(write: Callable[[str], None] = print) -> int:
    # Only real problems reach the screen: the transcript is the point.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    write(INTRO)
    try:
        asyncio.run(play(write))
    except (AssertionError, RuntimeError) as error:
        print(
            f"\nThe demo stopped before the end, so something is wrong:\n{error}", file=sys.stderr
        )
        return 1
    write("")
    write(OUTRO)
    return 0
