"""The reminders cog: the planner job that queues reminders, "what to expect" and checklist
prompts for every activity, and the reminder messages the outbox sends."""

from __future__ import annotations

import logging

from discord.ext import commands

from bot.client import HealthBot
from bot.cogs.reminders._messages import expect_message, reminder_message
from bot.delivery import Outgoing
from bot.reporting import RepeatedFailures
from bot.services import reminders
from bot.services.outbox import OutboxItem, OutboxKind

log = logging.getLogger(__name__)

PLANNER_JOB = "reminder-planner"


class Reminders(commands.Cog):
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot
        self.failures = RepeatedFailures(log, "The reminder planner")

    async def cog_load(self) -> None:
        self.bot.outbox.register(OutboxKind.REMINDER, self.render_reminder)
        self.bot.outbox.register(OutboxKind.EXPECT, self.render_expect)
        self.bot.schedule(PLANNER_JOB, self.plan, minutes=1, run_at_start=True)

    async def cog_unload(self) -> None:
        self.bot.unschedule(PLANNER_JOB)

    async def plan(self, activity_id: int | None = None) -> None:
        """Queue what is owed (all activities, or one), then wake the outbox."""
        coordinators, broken = await self.coordinators()
        async with self.bot.db.sessions() as session, session.begin():
            result = await reminders.plan(
                session,
                now=self.bot.clock.now(),
                offsets_hours=self.bot.settings.reminders.offsets_hours,
                items=self.bot.checklist_items,
                coordinators=coordinators,
                activity_id=activity_id,
            )
        broken.update((f"activity {id_}", reason) for id_, reason in result.broken)
        self.failures.note(broken, complete=activity_id is None)
        if result.queued or result.cancelled:
            log.info("Planned %d prompts, took back %d", result.queued, result.cancelled)
            self.bot.outbox.wake()

    async def coordinators(self) -> tuple[dict[int, list[int]], dict[str, str]]:
        """Per server, the people with the coordinator role (prompted when there is no lead),
        and the servers whose set-up could not be read (planned with no coordinators)."""
        found: dict[int, list[int]] = {}
        broken: dict[str, str] = {}
        for guild in self.bot.guilds:
            try:
                role_id = (await self.bot.community(guild.id)).coordinator_role_id
            # One community's unreadable set-up must not stop the planner for the others.
            except (LookupError, ValueError, ArithmeticError) as error:
                broken[f"server {guild.id}"] = f"{type(error).__name__}: {error}"
                role_id = None
            role = guild.get_role(role_id) if role_id else None
            found[guild.id] = [member.id for member in role.members] if role else []
        return found, broken

    async def render_reminder(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            info = await reminders.reminder_to_send(session, item, self.bot.clock.now())
        return reminder_message(info) if info else None

    async def render_expect(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            found = await reminders.expect_to_send(
                session, item, self.bot.checklist_items, self.bot.clock.now()
            )
        return expect_message(*found) if found else None
