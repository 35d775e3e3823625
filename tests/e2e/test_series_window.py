"""The rolling window job for repeating activities: it makes the dates that come into the
window, catching up after time passed, gives them events and moves the announcement on."""

from __future__ import annotations

from datetime import timedelta

from bot.cogs.activities._cog import Activities
from bot.demo.community import ManualClock
from discord_sim import DiscordSimulator
from tests.e2e.harness import Community, RunningBot, running_cog
from tests.e2e.test_series import create_series, occurrences


async def test_the_rolling_window_job_catches_up_with_events_and_the_announcement(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, announcement, _ = await create_series(sim, community, title="Running club")
    before = await occurrences(running, series_id)
    cog = running_cog(running, Activities)
    real = running.bot.clock
    running.bot.clock = ManualClock(real.now() + timedelta(weeks=3))
    try:
        await cog.series.extend()
        await cog.series.extend()  # a second run makes nothing more
    finally:
        running.bot.clock = real
    after = await occurrences(running, series_id)
    assert len(after) == len(before) + 3
    assert [a.id for a in after[: len(before)]] == [a.id for a in before]
    for made in after[len(before) :]:
        assert made.scheduled_event_id in community.guild.events
        assert made.announcement_message_id == announcement.id
    first = f"<t:{int(before[0].starts_at.timestamp())}:F>"
    assert first not in announcement.text.split("Next dates")[1]
