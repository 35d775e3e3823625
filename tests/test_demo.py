"""`python -m bot demo`: the real bot against the bundled simulator, a scripted story and a
readable transcript, with no token and nothing written where the bot keeps its data."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.harness import bot_process_env

pytestmark = pytest.mark.slow

# The story's key moments, in the order people see them.
STORY = [
    "> Cora types /activity create title:Interview panel for nursing students",
    "[#announcements]",
    "| Places: 2 of 2 places left",
    "[Sign up] [Withdraw]",
    "> Asha presses [Sign up] on the announcement",
    "[Asha, only you can see this]",
    "[I agree]",
    "You have a place at Interview panel for nursing students",
    "| Places: 1 of 2 places left",
    "> Ben types /signup activity:Interview panel for nursing students",
    "| Places: Full - 0 waiting",
    "> Chidi presses [Sign up] on the announcement",
    "you are number 1 on the waiting list",
    "| Places: Full - 1 waiting",
    "> Ben presses [Withdraw] on the announcement",
    "You have given up your place",
    "[DM to Chidi]",
    "a place has come up at Interview panel for nursing students",
    "> Dev types /buddy join role:buddy",
    "> Asha types /buddy join role:newcomer",
    "> Cora types /buddy pair",
    '[private thread "Buddies #1" in #buddies]',
    "@Dev is your buddy, @Asha.",
    "> (The clock moves forward to",
    "Reminder: Interview panel for nursing students starts",
    "> (The clock moves forward to",
    "[DM to Asha]",
    "How did it go?",
    "[Good] [Okay] [Not good] [Tell us more]",
    "> Asha presses [Tell us more] on the message",
    "[Asha, a form opens]",
    "Your feedback on Interview panel for nursing students is saved",
    "> Chidi presses [Good] on the message",
    "That is the end of the demo.",
]


@dataclass(frozen=True)
class Run:
    code: int
    output: str
    configured: Path  # where the settings say the data goes


async def run(tmp_path: Path, *args: str) -> Run:
    """`python -m bot ARGS` with no token, where the configured data place is an empty folder
    (so a demo that wrote there would leave something behind)."""
    configured = tmp_path / "configured"
    configured.mkdir()
    settings = bot_process_env(
        None,
        f"sqlite+aiosqlite:///{configured / 'bot.db'}",
        DATA_KEY="",
        DATA_KEY_FILE=str(configured / "data.key"),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,  # so no developer .env is read
        env=settings,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return Run(process.returncode, output.decode(), configured)


@pytest.fixture(scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One run of the demo, read by each test below."""
    return await run(tmp_path_factory.mktemp("demo"), "demo")


def positions(transcript: str, lines: list[str]) -> list[str]:
    """The lines of `lines` not found in `transcript` after the ones before them."""
    missing, at = [], 0
    for line in lines:
        found = transcript.find(line, at)
        if found < 0:
            missing.append(line)
        else:
            at = found + len(line)
    return missing


def test_the_demo_exits_cleanly(demo: Run) -> None:
    assert demo.code == 0, demo.output
    assert "Traceback" not in demo.output
    assert "ERROR" not in demo.output


def test_the_demo_shows_the_story_in_order(demo: Run) -> None:
    assert positions(demo.output, STORY) == [], demo.output


def test_the_demo_writes_nothing_where_the_bot_keeps_its_data(demo: Run) -> None:
    assert list(demo.configured.iterdir()) == []


async def test_without_a_token_the_bot_points_to_the_demo(tmp_path: Path) -> None:
    found = await run(tmp_path)
    assert found.code != 0
    assert "python -m bot demo" in found.output


def test_the_order_check_notices_a_line_out_of_place() -> None:
    assert positions("first\nsecond", ["second", "first"]) == ["first"]
