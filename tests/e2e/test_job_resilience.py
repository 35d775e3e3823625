"""Scheduled jobs and delivery against bad rows and Discord's refusals, through the simulator:
one broken record never stops a job for everyone, and handled errors are logged as one line."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import Activity, Member, OutboxMessage, Signup
from discord_sim import DiscordSimulator, SimUser
from discord_sim import permissions as perm
from tests.e2e.harness import Community, ManualClock, RunningBot
from tests.e2e.test_signups import post, signup

# A Tuesday, 10:00 in London (UTC in winter).
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
# The last hour there is: no "after" prompt time can be worked out for it.
FAR_FUTURE = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)


def _guild_id(running: RunningBot) -> int:
    return running.bot.guilds[0].id


async def add_member(running: RunningBot, user: SimUser, guild_id: int | None = None) -> None:
    async with running.bot.db.sessions() as session, session.begin():
        session.add(
            Member(
                guild_id=guild_id or _guild_id(running),
                user_id=user.id,
                consent_version=running.bot.consent_notice.version,
                consented_at=T0,
            )
        )


async def add_activity(
    running: RunningBot,
    people: list[SimUser],
    starts_at: datetime,
    *,
    title: str,
    guild_id: int | None = None,
) -> int:
    """Straight into the database, past the checks of `/activity create`."""
    async with running.bot.db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=guild_id or _guild_id(running),
            title=title,
            kind="education",
            starts_at=starts_at,
            capacity=10,
        )
        activity.signups = [Signup(user_id=user.id, status="confirmed") for user in people]
        session.add(activity)
        await session.flush()
        return activity.id


async def run_jobs_at(running: RunningBot, moment: datetime) -> None:
    """Move the bot's clock, run its scheduled jobs as their time would, send what is due."""
    running.bot.clock = ManualClock(moment)
    await running.run_scheduled_jobs()
    for _ in range(200):
        async with running.bot.db.sessions() as session:
            busy = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.claimed_at.is_not(None), OutboxMessage.sent_at.is_(None))
            )
        if not busy:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not finish sending")


def dms(sim: DiscordSimulator, user: SimUser, containing: str) -> list[str]:
    return [m.text for m in sim.dm_messages(user) if containing in m.text]


def planner_lines(caplog: pytest.LogCaptureFixture, activity_id: int) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if f"activity {activity_id}" in record.getMessage()
    ]


async def test_a_far_future_activity_does_not_stop_another_communitys_reminders(
    sim: DiscordSimulator,
    community: Community,
    running: RunningBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    other = sim.create_guild("Another community")
    far = community.new_citizen("far_future_fan")
    await add_member(running, far, other.id)
    await add_activity(running, [far], FAR_FUTURE, title="The end of time", guild_id=other.id)
    dana = community.new_citizen("dana_reminded")
    await add_member(running, dana)
    starts = T0 + timedelta(days=2)
    await add_activity(running, [dana], starts, title="Patient panel")
    await run_jobs_at(running, T0)
    await run_jobs_at(running, starts - timedelta(hours=24))
    assert len(dms(sim, dana, "Reminder: **Patient panel**")) == 1


async def test_a_broken_activity_is_logged_once_not_every_minute(
    sim: DiscordSimulator,
    community: Community,
    running: RunningBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    erin = community.new_citizen("erin_far")
    await add_member(running, erin)
    broken = await add_activity(running, [erin], FAR_FUTURE, title="Far away")
    for minute in range(3):
        await run_jobs_at(running, T0 + timedelta(minutes=minute))
    lines = planner_lines(caplog, broken)
    assert len(lines) == 1, lines
    assert not any(record.exc_info for record in caplog.records)


async def test_a_handled_discord_refusal_is_one_warning_line_without_a_traceback(
    sim: DiscordSimulator,
    community: Community,
    running: RunningBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    activity_id, _ = await post(sim, community, "Hidden announcement", 3)
    # A moderator hides the announcements channel from the bot: its edit is refused (50001).
    await sim.set_permissions(community.announcements, sim.bot_user, deny=perm.VIEW_CHANNEL)
    try:
        gail = community.new_citizen("gail_signs_up")
        await signup(sim, community, gail, str(activity_id))
        await sim.wait_for(
            lambda: any("50001" in record.getMessage() for record in caplog.records),
            what="the refused announcement update to be logged",
        )
    finally:
        await sim.set_permissions(community.announcements, sim.bot_user)
    lines = [record for record in caplog.records if "50001" in record.getMessage()]
    assert lines
    assert {record.levelname for record in lines} == {"WARNING"}
    assert not any(record.exc_info for record in caplog.records)


async def test_a_person_who_opens_their_dms_gets_prompts_by_dm_again_after_30_days(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    hana = community.new_citizen("hana_reopens")
    sim.refuse_dms(hana)
    await add_member(running, hana)
    first = T0 + timedelta(days=1)
    await add_activity(running, [hana], first, title="Closed DMs panel")
    await run_jobs_at(running, first - timedelta(hours=24))
    in_thread = sim.find_message(contains="Reminder: **Closed DMs panel**")
    assert in_thread is not None
    assert sim.state.channels[in_thread.channel_id].is_thread
    sim.refuse_dms(hana, refuse=False)
    later = T0 + timedelta(days=31)
    await add_activity(running, [hana], later, title="Open DMs panel")
    await run_jobs_at(running, later - timedelta(hours=24))
    assert len(dms(sim, hana, "Reminder: **Open DMs panel**")) == 1


async def test_during_a_database_outage_a_command_says_to_try_again_in_a_minute(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    ivy = community.citizens[0]
    records = running.bot.db
    # Nothing listens on port 1: every connection is refused, as when the server is down.
    running.bot.db = Database("postgresql+asyncpg://postgres@127.0.0.1:1/down")
    try:
        reply = await sim.slash(community.guild, ivy, "mine", {})
        await sim.wait_for(lambda: bool(reply.text), timeout=3, what="an answer within 3 s")
    finally:
        await running.bot.db.dispose()
        running.bot.db = records
    assert reply.text == "We can't reach our records right now. Please try again in a minute."
    assert reply.ephemeral
