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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.delivery import Outgoing
from bot.services import contacts, outbox
from bot.services.outbox import OutboxItem

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)

Renderer = Callable[[OutboxItem], Awaitable[Outgoing | None]]


@dataclass(frozen=True, slots=True)
class Kind:
    render: Renderer
    # Prompts and reminders wait for a pause or quiet hours to end; answers people asked for don't.
    held_back: bool = True


class OutboxDispatcher:
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot
        self.settings = bot.settings.outbox
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._kinds: dict[str, Kind] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def register(self, kind: str, render: Renderer, *, held_back: bool = True) -> None:
        self._kinds[kind] = Kind(render, held_back)

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
        await self.bot.wait_until_ready()
        self._wake.set()  # whatever fell due while we were down goes out now
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_seconds)
            self._wake.clear()
            try:
                while await self.dispatch_due():
                    pass
            except Exception:
                log.exception("Outbox dispatch failed; will try again at the next wake-up")

    async def dispatch_due(self) -> int:
        """Claim and deliver one batch of due messages; returns how many were claimed."""
        now = self.bot.clock.now()
        async with self.bot.db.sessions() as session, session.begin():
            items = await outbox.claim_due(
                session,
                now=now,
                worker=self.worker,
                limit=self.settings.batch_size,
                stale_after=timedelta(seconds=self.settings.stale_claim_seconds),
            )
        for item in items:
            await self._deliver(item)
        return len(items)

    async def _deliver(self, item: OutboxItem) -> None:
        kind = self._kinds.get(item.kind)
        try:
            if kind is None:
                raise LookupError(f"no renderer registered for outbox kind {item.kind!r}")
            hold_until = await self._held_until(item) if kind.held_back else None
            if hold_until is not None:
                async with self.bot.db.sessions() as session, session.begin():
                    await outbox.postpone(session, item.id, hold_until)
                return
            message = await kind.render(item)
            if message is not None:
                await self._send(item, message)
        except Exception as error:
            await self._record_failure(item, error)
            return
        async with self.bot.db.sessions() as session, session.begin():
            await outbox.mark_sent(session, item.id, self.bot.clock.now())

    async def _send(self, item: OutboxItem, message: Outgoing) -> None:
        if message.channel_id is not None:
            await self.bot.delivery.to_channel(message)
        elif item.user_id is not None:
            await self.bot.delivery.to_person(item.guild_id, item.user_id, message)
        else:
            raise ValueError(f"outbox row {item.id} has neither a person nor a channel")

    async def _held_until(self, item: OutboxItem) -> datetime | None:
        """When a pause or the community's quiet hours hold this message back, until when."""
        now = self.bot.clock.now()
        if item.user_id is not None:
            async with self.bot.db.sessions() as session:
                contact = await contacts.get_contact(session, item.guild_id, item.user_id)
            if contact and contact.paused_until and contact.paused_until > now:
                return contact.paused_until
        setup = await self.bot.community(item.guild_id)
        allowed = setup.quiet_hours.next_allowed(now, setup.zone)
        return allowed if allowed > now else None

    async def _record_failure(self, item: OutboxItem, error: Exception) -> None:
        now = self.bot.clock.now()
        attempt = item.attempts + 1
        retry_at = None
        if attempt < self.settings.max_attempts:
            retry_at = now + timedelta(
                seconds=self.settings.retry_base_seconds * 2 ** (attempt - 1)
            )
        log.warning(
            "Outbox message %s (%s for user %s) failed on attempt %s: %r; %s",
            item.id,
            item.kind,
            item.user_id,
            attempt,
            error,
            f"retrying at {retry_at:%H:%M:%S} UTC" if retry_at else "giving up",
        )
        async with self.bot.db.sessions() as session, session.begin():
            await outbox.record_failure(
                session,
                item.id,
                error=f"{type(error).__name__}: {error}",
                retry_at=retry_at,
                now=now,
            )
