"""The bot: resources come in from `bot.app`, cogs load in `setup_hook`, commands sync only when
the command tree changed since the last sync."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import importlib.util
import json
import logging
import pkgutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.delivery import Delivery
from bot.outbox import OutboxDispatcher
from bot.reporting import (
    NextStep,
    database_unreachable,
    quiet_handled_discord_errors,
    report_error,
)
from bot.services import community
from bot.services.checklist import load_items
from bot.services.community import CommunitySetup
from bot.services.consent import load_notice
from bot.services.involvement.settings import load_payment_settings
from bot.services.mydata import ErasureStep
from bot.services.programme import Catalogue, load_modules
from bot.settings import Settings, config_dir
from bot.ui.consent import AfterConsent
from db.engine import Database
from db.models import BotState

log = logging.getLogger(__name__)

# How long a stop waits for the answers to people under way (`HealthBot.close`).
ANSWER_GRACE_SECONDS = 10.0


# What "I agree" on the consent card goes on to do, for each `AfterConsent` (bot.ui.consent).
Continuation = Callable[[discord.Interaction["HealthBot"], str], Awaitable[None]]


class MineSection(Protocol):
    """A capability's part of `/mine` for (guild_id, user_id): a short paragraph, or None."""

    def __call__(self, guild_id: int, user_id: int, /) -> Awaitable[str | None]: ...


class HealthTree(app_commands.CommandTree["HealthBot"]):
    async def interaction_check(self, interaction: discord.Interaction[HealthBot], /) -> bool:
        interaction.client.answering()  # runs in the task that answers the command
        return True

    async def on_error(
        self, interaction: discord.Interaction[HealthBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


def cog_extensions() -> list[str]:
    """Every module or package in `bot/cogs` is an extension."""
    spec = importlib.util.find_spec("bot.cogs")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    return [
        f"bot.cogs.{info.name}" for info in pkgutil.iter_modules(spec.submodule_search_locations)
    ]


def tree_fingerprint(tree: app_commands.CommandTree[Any]) -> str:
    payload = sorted((command.to_dict(tree) for command in tree.get_commands()), key=str)
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class HealthBot(commands.Bot):
    def __init__(self, *, settings: Settings, db: Database, scheduler: AsyncIOScheduler) -> None:
        intents = discord.Intents.default()
        intents.members = True  # to welcome people who join
        intents.message_content = settings.message_content  # replies in feedback threads
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=HealthTree,
            help_command=None,
            guild_ready_timeout=settings.guild_ready_timeout,
            # Nobody is pinged unless a message says so (`Outgoing.allowed_mentions`, or
            # `Delivery` naming the one person a private-thread message is for): text from
            # people is in many messages, and a mention in it must never notify anyone.
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.settings = settings
        self.db = db
        self.scheduler = scheduler
        self.clock = Clock()
        # Built from narrow parts of this bot by `bot.app.build_bot`.
        self.delivery: Delivery
        self.outbox: OutboxDispatcher
        self.consent_notice = load_notice(config_dir())
        # Read at start so a malformed file stops the bot with the line and the problem.
        self.checklist_items = load_items(config_dir())
        self.training: Catalogue = load_modules(config_dir())
        self.payment_settings = load_payment_settings(config_dir())
        self.after_consent: dict[AfterConsent, Continuation] = {}
        # The scheduled jobs by id (`schedule`), and the run of each that is under way.
        self._jobs: dict[str, Callable[[], Awaitable[object]]] = {}
        self._job_tasks: dict[str, asyncio.Task[None]] = {}
        # Each job's last failure, so a job failing the same way every minute is logged once.
        self._job_failures: dict[str, str] = {}
        self._closing = False
        # The answers to people under way (a command, a button, a form), which a stop lets
        # finish: cut off, one would use the closed connection (an unexpected error).
        self._answers: set[asyncio.Task[Any]] = set()
        self._mine_sections: dict[int, MineSection] = {}
        self.erasure_steps: list[ErasureStep] = []
        self.next_steps: list[NextStep] = []

    def add_mine_section(self, order: int, section: MineSection) -> None:
        """Add a capability's part of `/mine`; sections show in `order` (after the person's
        activities), whatever order the cogs load in. Two sections cannot share an order."""
        if order in self._mine_sections:
            raise ValueError(
                f"/mine section order {order} is taken by {self._mine_sections[order]}"
            )
        self._mine_sections[order] = section

    def mine_sections(self) -> list[MineSection]:
        return [self._mine_sections[order] for order in sorted(self._mine_sections)]

    async def setup_hook(self) -> None:
        for extension in cog_extensions():
            await self.load_extension(extension)
        quiet_handled_discord_errors()  # after the cogs, so their loggers exist
        await self.sync_commands_if_changed()
        # The dispatcher polls by itself (OutboxSettings.poll_seconds); no job wakes it, since
        # APScheduler runs a plain function in a thread, where an asyncio.Event must not be set.
        self.scheduler.start()
        self.outbox.start()

    async def sync_commands_if_changed(self) -> bool:
        """Sync the slash commands only when they differ from the last sync (kept in the
        database), so restarts don't spend Discord's daily command-update allowance."""
        assert self.application_id is not None
        key = f"command_tree_hash:{self.application_id}"
        fingerprint = tree_fingerprint(self.tree)
        async with self.db.sessions() as session, session.begin():
            state = await session.get(BotState, key)
            if state is not None and state.value == fingerprint:
                log.info("Slash commands unchanged since the last sync; not syncing")
                return False
            synced = await self.tree.sync()
            if state is None:
                session.add(BotState(key=key, value=fingerprint))
            else:
                state.value = fingerprint
        log.info("Synced %d slash commands", len(synced))
        return True

    async def community(self, guild_id: int) -> CommunitySetup:
        async with self.db.sessions() as session:
            return await community.get_setup(
                session,
                guild_id,
                self.settings.default_timezone,
                self.settings.default_quiet_hours,
            )

    async def on_ready(self) -> None:
        # Everything built so far (modules, caches, the guild) lives as long as the bot:
        # freezing it keeps the garbage collector's full passes short, so they don't hold up
        # answers to people (a pause of ~100 ms under load otherwise; bench/signups.py).
        gc.freeze()
        log.info("Ready as %s in %d server(s)", self.user, len(self.guilds))

    def schedule(
        self,
        job_id: str,
        job: Callable[[], Awaitable[object]],
        *,
        run_at_start: bool = False,
        **interval: float,
    ) -> None:
        """Run `job` every `interval` (e.g. minutes=1) under a stable id; `run_at_start` also
        runs it as soon as the scheduler starts, to catch up on what fell due while down."""
        extra: dict[str, Any] = {"next_run_time": datetime.now(UTC)} if run_at_start else {}
        self._jobs[job_id] = job
        self.scheduler.add_job(
            self._launch_job,
            "interval",
            args=[job_id],
            id=job_id,
            replace_existing=True,
            **interval,
            **extra,
        )

    def unschedule(self, job_id: str) -> None:
        self._jobs.pop(job_id, None)
        if self.scheduler.get_job(job_id) is not None:
            self.scheduler.remove_job(job_id)

    async def _launch_job(self, job_id: str) -> None:
        """APScheduler's part ends here at once: the run is a task the bot owns, so close()
        can cancel it, started or not, without APScheduler reporting that as an error. A run
        still going when the next time comes is left to finish (no second one beside it)."""
        job = self._jobs.get(job_id)
        if job is None or self._closing or job_id in self._job_tasks:
            return
        task = asyncio.create_task(self._run_job(job_id, job), name=f"job:{job_id}")
        self._job_tasks[job_id] = task
        task.add_done_callback(lambda _: self._job_tasks.pop(job_id, None))

    async def run_jobs_now(self) -> None:
        """Run every scheduled job once, one after another, and wait for them (tests and the
        demo, after moving a ManualClock forward)."""
        for job_id, job in list(self._jobs.items()):
            await self._run_job(job_id, job)

    async def _run_job(self, job_id: str, job: Callable[[], Awaitable[object]]) -> None:
        try:
            await job()
        except asyncio.CancelledError:
            if not self._closing:
                raise
            log.info("Stopped scheduled job %s for shutdown", job_id)
        # The isolation boundary for a job: it runs again at its next time whatever went wrong.
        except Exception as error:
            failure = f"{type(error).__name__}: {error}"
            if database_unreachable(error) is not None:
                log.warning(
                    "Scheduled job %s skipped: the database cannot be reached (%s); it runs "
                    "again at its next time",
                    job_id,
                    failure,
                )
            elif self._job_failures.get(job_id) == failure:
                log.debug("Scheduled job %s failed again the same way: %s", job_id, failure)
            else:
                log.error(
                    "Scheduled job %s failed; it runs again at its next time",
                    job_id,
                    exc_info=error,
                )
            self._job_failures[job_id] = failure
        else:
            if self._job_failures.pop(job_id, None) is not None:
                log.info("Scheduled job %s works again", job_id)

    def answering(self) -> None:
        """Count the running task as an answer to someone: `close` lets it finish first. An
        answer goes on after its reply (an announcement's numbers are refreshed then)."""
        task = asyncio.current_task()
        if task is not None and task not in self._answers:
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)

    async def close(self) -> None:
        self._closing = True
        await self._stop_waiting_for_ready()
        await self._let_answers_finish()
        await self.outbox.stop()
        if self.scheduler.running:
            # No new runs; the launches already handed to the loop finish their one step
            # first, so shutting down has nothing to cancel (which APScheduler logs as an error).
            self.scheduler.pause()
            await asyncio.sleep(0)
            self.scheduler.shutdown(wait=False)
        tasks = list(self._job_tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await super().close()

    async def _let_answers_finish(self) -> None:
        """Wait, for a while at most, for the answers under way (never for the caller itself,
        a command that stops the bot)."""
        current = asyncio.current_task()
        answers = [task for task in self._answers if task is not current and not task.done()]
        if not answers:
            return
        _, unfinished = await asyncio.wait(answers, timeout=ANSWER_GRACE_SECONDS)
        if unfinished:
            log.warning("Stopped with %s answers to people still under way", len(unfinished))

    async def _stop_waiting_for_ready(self) -> None:
        """A stop during discord.py's ready delay (waiting for the servers to arrive) ends that
        wait first: left running, it announces "ready" after close() has dropped the loop, and
        fails with a traceback (discord.py's own `_ready_task`, which its close() leaves)."""
        ready_task: asyncio.Task[None] | None = getattr(self._connection, "_ready_task", None)
        if ready_task is not None and not ready_task.done():
            ready_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ready_task
