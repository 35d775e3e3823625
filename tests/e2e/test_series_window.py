"""The rolling window job for repeating activities: it makes the dates that come into the
window, catching up after time passed, gives them events and moves the announcement on; at
Discord's event limit it tells the coordinators in their thread, once a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cogs.activities._cog import Activities
from bot.demo.community import ManualClock
from discord_sim import DiscordSimulator
from tests.e2e.harness import Community, RunningBot, running_cog
from tests.e2e.test_buddies import coordinators_thread
from tests.e2e.test_reminders import settle
from tests.e2e.test_series import LONDON, create_series, occurrences

LIMIT_NOTICE = "Discord allows 100 events per server, and this server has reached that."


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


async def test_at_discords_event_limit_the_window_job_tells_the_coordinators_once_a_day(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    guild = community.guild
    live = sum(1 for e in guild.events.values() if int(e["status"]) in (1, 2))
    start = datetime.now(LONDON) + timedelta(days=30)
    filler = [10**17 + n for n in range(100 - live)]
    for event_id in filler:  # events people made by hand fill the server to the limit
        guild.events[event_id] = {
            "id": str(event_id),
            "guild_id": str(guild.id),
            "status": 1,
            "name": "By hand",
            "scheduled_start_time": start.isoformat(),
        }
    cog = running_cog(running, Activities)
    real = running.bot.clock
    try:
        series_id, _, _ = await create_series(sim, community, title="Choir")
        running.bot.clock = ManualClock(real.now() + timedelta(weeks=3))
        await cog.series.extend()
        thread = await sim.wait_for(
            lambda: coordinators_thread(community), what="the coordinators' thread"
        )
        notice = await sim.wait_for(
            lambda: sim.find_message(thread, contains=LIMIT_NOTICE), what="the limit notice"
        )
        later = running.bot.clock.now()
        waiting = sum(a.starts_at > later for a in await occurrences(running, series_id))
        assert f"So {waiting} dates of repeating activities have no Discord event yet." in (
            notice.text
        )
        assert "people sign up on the announcements" in notice.text
        assert "end or delete old events" in notice.text
        await cog.series.extend()  # the same day: the server is still full, no second notice
        await settle(running)
    finally:
        running.bot.clock = real
        for event_id in filler:
            del guild.events[event_id]
    assert sum(LIMIT_NOTICE in m.text for m in thread.messages) == 1
