"""The dispatcher: claims due outbox rows, renders them, delivers them, marks them sent.

APScheduler only wakes it (every few seconds, and services wake it after queueing something);
the rows are the truth, so anything due while the bot was down goes out on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
import discord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import CommunityLookup, Delivery, Outgoing
from bot.services import outbox
from bot.services.community import CommunitySetup
from bot.services.outbox import OutboxItem, OutboxKind
from bot.settings import OutboxSettings

log = logging.getLogger(__name__)

Renderer = Callable[[OutboxItem], Awaitable[Outgoing | None]]


@dataclass(frozen=True, slots=True)
class Kind:
    render: Renderer
    # Prompts and reminders wait for a pause or quiet hours to end; answers people asked for don't.
    held_back: bool = True


class OutboxDispatcher:
    """Built in `bot.app` from the parts it uses: the database's sessions, "now" (the bot's
    clock, which tests swap), the outbox settings, delivery, the community lookup (quiet
    hours) and a wait for the bot to be ready."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        now: Callable[[], datetime],
        settings: OutboxSettings,
        delivery: Delivery,
        community: CommunityLookup,
        ready: Callable[[], Awaitable[None]],
    ) -> None:
        self.sessions = sessions
        self.now = now
        self.settings = settings
        self.delivery = delivery
        self.community = community
        self.ready = ready
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._kinds: dict[str, Kind] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def register(self, kind: OutboxKind, render: Renderer, *, held_back: bool = True) -> None:
        self._kinds[kind] = Kind(render, held_back)

    def registered_kinds(self) -> list[str]:
        return list(self._kinds)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        await self.ready()
        await self._take_back_from_dead_workers()
        self._wake.set()  # whatever fell due while we were down goes out now
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancel that
            # lands as the wake-up comes, and then stop() would wait for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.poll_seconds):
                    await self._wake.wait()
            self._wake.clear()
            try:
                while await self.dispatch_due():
                    pass
            except Exception:
                log.exception("Outbox dispatch failed; will try again at the next wake-up")

    async def _take_back_from_dead_workers(self) -> None:
        """A bot on this machine that was killed mid-send left rows claimed: take them back now
        rather than waiting for the claims to go stale."""
        async with self.sessions() as session, session.begin():
            dead = [worker for worker in await outbox.claimants(session) if _is_dead_here(worker)]
            if dead:
                released = await outbox.release_claims(session, dead)
                log.info("Took back %d messages claimed by stopped bots %s", released, dead)

    def _held_back_kinds(self) -> list[str]:
        return [name for name, kind in self._kinds.items() if kind.held_back]

    async def dispatch_due(self) -> int:
        """Claim and deliver one batch of due messages; returns how many were claimed."""
        now = self.now()
        async with self.sessions() as session, session.begin():
            items = await outbox.claim_due(
                session,
                now=now,
                worker=self.worker,
                limit=self.settings.batch_size,
                stale_after=timedelta(seconds=self.settings.stale_claim_seconds),
                held_back_kinds=self._held_back_kinds(),
            )
        await self._deliver_batch(items)
        return len(items)

    async def _deliver_batch(self, items: list[OutboxItem]) -> None:
        """Several people at once to keep the pipe to Discord full (discord.py queues behind
        its rate limits); one person's messages in order, one after another."""
        by_person: dict[object, list[OutboxItem]] = defaultdict(list)
        for item in items:
            by_person[item.user_id if item.user_id is not None else ("row", item.id)].append(item)
        slots = asyncio.Semaphore(self.settings.concurrency)
        setups: dict[int, CommunitySetup] = {}  # read once per batch

        async def deliver_in_order(queue: list[OutboxItem]) -> None:
            async with slots:
                for item in queue:
                    await self._deliver(item, setups)

        await asyncio.gather(*(deliver_in_order(queue) for queue in by_person.values()))

    async def _deliver(self, item: OutboxItem, setups: dict[int, CommunitySetup]) -> None:
        kind = self._kinds.get(item.kind)
        try:
            if kind is None:
                raise LookupError(f"no renderer registered for outbox kind {item.kind!r}")
            hold_until = await self._quiet_until(item.guild_id, setups) if kind.held_back else None
            if hold_until is not None:
                async with self.sessions() as session, session.begin():
                    await outbox.postpone(session, item.id, hold_until)
                return
            message = await kind.render(item)
            if message is not None:
                await self._send(item, message)
        except outbox.PayloadError as error:
            # A row that does not fit its payload class never will: say so once and give up.
            log.error(
                "Outbox message %s (%s) has a payload that does not fit: %s",
                item.id,
                item.kind,
                error,
            )
            await self._store_failure(item, error, None, self.now())
            return
        # The isolation boundary for one message: its failure is recorded (and retried or
        # given up for a coordinator) without stopping the rest of the batch.
        except Exception as error:  # noqa: BLE001
            await self._record_failure(item, error)
            return
        async with self.sessions() as session, session.begin():
            await outbox.mark_sent(session, item.id, self.now())

    async def _send(self, item: OutboxItem, message: Outgoing) -> None:
        if message.channel_id is not None:
            await self.delivery.to_channel(message)
        elif item.user_id is not None:
            await self.delivery.to_person(item.guild_id, item.user_id, message)
        else:
            raise ValueError(f"outbox row {item.id} has neither a person nor a channel")

    async def _quiet_until(
        self, guild_id: int, setups: dict[int, CommunitySetup]
    ) -> datetime | None:
        """When the community's quiet hours hold prompts back, until when. (A pause is handled
        when claiming: a paused person's prompts are not claimed.)"""
        if guild_id not in setups:
            setups[guild_id] = await self.community(guild_id)
        setup = setups[guild_id]
        now = self.now()
        allowed = setup.quiet_hours.next_allowed(now, setup.zone)
        return allowed if allowed > now else None

    async def _record_failure(self, item: OutboxItem, error: Exception) -> None:
        now = self.now()
        attempt = item.attempts + 1
        retry_at = retry_time(self.settings, attempt, error, now)
        log.warning(
            "Outbox message %s (%s for user %s) failed on attempt %s: %r; %s",
            item.id,
            item.kind,
            item.user_id,
            attempt,
            error,
            f"retrying at {retry_at:%H:%M:%S} UTC" if retry_at else "giving up",
        )
        await self._store_failure(item, error, retry_at, now)

    async def _store_failure(
        self, item: OutboxItem, error: Exception, retry_at: datetime | None, now: datetime
    ) -> None:
        async with self.sessions() as session, session.begin():
            await outbox.record_failure(
                session,
                item.id,
                error=f"{type(error).__name__}: {error}",
                retry_at=retry_at,
                now=now,
            )


def retry_time(
    settings: OutboxSettings, attempt: int, error: Exception, now: datetime
) -> datetime | None:
    """Growing waits between tries. A passing fault (rate limit, Discord down, network) is
    retried for ever; anything else is given up after `max_attempts`, for a coordinator."""
    if attempt >= settings.max_attempts and not is_passing_fault(error):
        return None
    wait = settings.retry_base_seconds * 2 ** min(attempt - 1, 16)
    return now + timedelta(seconds=min(wait, settings.retry_max_seconds))


def is_passing_fault(error: Exception) -> bool:
    if isinstance(error, discord.HTTPException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, discord.RateLimited | aiohttp.ClientError | OSError | TimeoutError)


def _is_dead_here(worker: str) -> bool:
    """Whether `worker` (host:pid:tag) was a process on this machine that no longer runs."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
