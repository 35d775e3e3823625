"""Reminders, pauses and quiet hours through the simulator, with time moved by hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.cogs.reminders._cog import Reminders
from db.models import Activity, Member, OutboxMessage, Signup
from discord_sim import DiscordSimulator, SimUser
from tests.e2e.harness import Community, ManualClock, RunningBot, running_cog

# A Tuesday, 10:00 in London (UTC in winter).
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


async def add_member(running: RunningBot, user: SimUser, **values: object) -> None:
    async with running.bot.db.sessions() as session, session.begin():
        session.add(
            Member(
                guild_id=_guild_id(running),
                user_id=user.id,
                consent_version=running.bot.consent_notice.version,
                consented_at=T0,
                **values,
            )
        )


async def add_activity(
    running: RunningBot,
    people: list[SimUser],
    starts_at: datetime,
    *,
    lead: SimUser | None = None,
    title: str = "Student interviews",
) -> int:
    async with running.bot.db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=_guild_id(running),
            title=title,
            kind="education",
            starts_at=starts_at,
            capacity=10,
            lead_user_id=lead.id if lead else None,
        )
        activity.signups = [Signup(user_id=user.id, status="confirmed") for user in people]
        session.add(activity)
        await session.flush()
        return activity.id


def _guild_id(running: RunningBot) -> int:
    return running.bot.guilds[0].id


async def at(running: RunningBot, moment: datetime) -> None:
    """Move the bot's clock, plan, and deliver everything due by then."""
    running.bot.clock = ManualClock(moment)
    await running_cog(running, Reminders).plan(None)
    await settle(running)


async def settle(running: RunningBot) -> None:
    """Wait until nothing due is left unsent or half-sent (the dispatcher is idle)."""
    while await running.bot.outbox.dispatch_due():
        pass
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


async def test_reminders_arrive_a_day_and_an_hour_before(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    alice = community.new_citizen("alice_reminded")
    await add_member(running, alice)
    starts = T0 + timedelta(days=2)
    await add_activity(running, [alice], starts)
    await at(running, T0)
    assert dms(sim, alice, "Reminder") == []
    await at(running, starts - timedelta(hours=24))
    assert len(dms(sim, alice, "Reminder: **Student interviews**")) == 1
    await at(running, starts - timedelta(hours=2))
    assert len(dms(sim, alice, "Reminder")) == 1
    await at(running, starts - timedelta(hours=1))
    assert len(dms(sim, alice, "Reminder")) == 2


async def test_a_new_time_moves_the_reminders(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    bea = community.new_citizen("bea_moved")
    await add_member(running, bea)
    starts = T0 + timedelta(days=2)
    activity_id = await add_activity(running, [bea], starts, title="Priority setting")
    await at(running, T0)
    async with running.bot.db.sessions() as session, session.begin():
        await session.execute(
            update(Activity)
            .where(Activity.id == activity_id)
            .values(starts_at=starts + timedelta(days=1))
        )
    await at(running, starts - timedelta(hours=24))  # the old time: nothing
    assert dms(sim, bea, "Reminder") == []
    await at(running, starts)  # a day before the new time
    assert len(dms(sim, bea, "Reminder: **Priority setting**")) == 1


async def test_a_person_with_dms_closed_is_reminded_in_their_private_thread(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    carl = community.new_citizen("carl_closed")
    sim.refuse_dms(carl)
    await add_member(running, carl)
    starts = T0 + timedelta(days=1)
    await add_activity(running, [carl], starts, title="Grant review")
    await at(running, starts - timedelta(hours=24))
    reminder = sim.find_message(contains="Reminder: **Grant review**")
    assert reminder is not None
    thread = sim.state.channels[reminder.channel_id]
    assert thread.is_thread
    assert carl in sim.thread_members(thread)
    async with running.bot.db.sessions() as session:
        member = await session.scalar(select(Member).where(Member.user_id == carl.id))
    assert member is not None
    assert member.dms_closed  # the bot stops trying DMs that fail


async def test_a_paused_person_gets_the_reminder_when_the_pause_ends(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    dora = community.new_citizen("dora_paused")
    starts = T0 + timedelta(days=3)
    await add_member(running, dora, paused_until=starts - timedelta(hours=20))
    await add_activity(running, [dora], starts, title="Advisory group")
    await at(running, starts - timedelta(hours=24))
    assert dms(sim, dora, "Reminder") == []
    await at(running, starts - timedelta(hours=20) + timedelta(minutes=1))
    assert len(dms(sim, dora, "Reminder: **Advisory group**")) == 1


async def test_quiet_hours_hold_a_reminder_until_morning(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    evan = community.new_citizen("evan_quiet")
    await add_member(running, evan)
    starts = datetime(2026, 12, 11, 22, 0, tzinfo=UTC)  # the day-before reminder falls at 22:00
    await add_activity(running, [evan], starts, title="Evening panel")
    await sim.slash(community.guild, community.admin, "setup", {"quiet_hours": "21:00-08:00"})
    try:
        await at(running, starts - timedelta(hours=24))
        assert dms(sim, evan, "Reminder") == []
        await at(running, datetime(2026, 12, 11, 8, 0, tzinfo=UTC))
        assert len(dms(sim, evan, "Reminder: **Evening panel**")) == 1
    finally:
        await sim.slash(community.guild, community.admin, "setup", {"quiet_hours": "00:00-00:00"})
