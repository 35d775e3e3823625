"""Build the bot's resources (database, scheduler), the bot, and its delivery and outbox
dispatcher from narrow parts of it; close them after. Used by `python -m bot` and by the
tests, so both start the bot the same way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC

import discord
import yarl
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.client import HealthBot
from bot.delivery import Delivery
from bot.outbox import OutboxDispatcher
from bot.settings import Settings
from db.engine import Database
from db.migrate import upgrade_to_head


class DatabaseUnavailable(Exception):
    """The database could not be reached or migrated."""


def point_at_discord(settings: Settings) -> None:
    """Send REST and gateway traffic somewhere else (a local simulator) when settings say so."""
    if settings.discord_api_url:
        discord.http.Route.BASE = settings.discord_api_url
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def open_database(settings: Settings) -> Database:
    return Database(settings.database_url, schema=settings.database_schema)


async def migrate(settings: Settings) -> None:
    db = open_database(settings)
    try:
        await _upgrade(db)
    finally:
        await db.dispose()


async def _upgrade(db: Database) -> None:
    try:
        await upgrade_to_head(db.engine)
    except (OSError, ConnectionError) as error:
        raise DatabaseUnavailable(str(error)) from error
    except Exception as error:
        # Drivers raise their own types for refused connections and bad credentials.
        if "connect" in type(error).__name__.lower() or "connect" in str(error).lower():
            raise DatabaseUnavailable(str(error)) from error
        raise


def build_bot(settings: Settings, db: Database, scheduler: AsyncIOScheduler) -> HealthBot:
    """The bot, with delivery and the outbox dispatcher given only the parts they use."""
    bot = HealthBot(settings=settings, db=db, scheduler=scheduler)
    bot.delivery = Delivery(bot, db.sessions, bot.community)
    bot.outbox = OutboxDispatcher(
        sessions=db.sessions,
        now=lambda: bot.clock.now(),  # looked up each time: tests swap the bot's clock
        settings=settings.outbox,
        delivery=bot.delivery,
        community=bot.community,
        ready=bot.wait_until_ready,
    )
    return bot


@asynccontextmanager
async def open_bot(settings: Settings) -> AsyncIterator[HealthBot]:
    """A migrated database, a scheduler and the bot wired to them; all closed on the way out."""
    point_at_discord(settings)
    db = open_database(settings)
    try:
        await _upgrade(db)
        scheduler = AsyncIOScheduler(timezone=UTC)
        async with build_bot(settings, db, scheduler) as bot:
            yield bot
    finally:
        await db.dispose()
