"""Build the bot's resources (database, scheduler), the bot, and its delivery and outbox
dispatcher from narrow parts of it; close them after. Used by `python -m bot` and by the
tests, so both start the bot the same way."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, timedelta

import discord
import yarl
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.client import HealthBot
from bot.delivery import Delivery
from bot.keys import load_keyring
from bot.outbox import OutboxDispatcher
from bot.settings import Settings
from db.crypto import WrongDataKey
from db.encryption import check_key
from db.engine import Database
from db.migrate import upgrade_to_head

log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """The database could not be reached or migrated."""


def point_at_discord(settings: Settings) -> None:
    """Send REST and gateway traffic somewhere else (a local simulator) when settings say so."""
    if settings.discord_api_url:
        discord.http.Route.BASE = settings.discord_api_url
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def open_database(settings: Settings) -> Database:
    """The database with the data key from the settings (DataKeyError when it is malformed)."""
    return Database(
        settings.database_url, schema=settings.database_schema, keyring=load_keyring(settings)
    )


async def migrate(settings: Settings) -> None:
    db = open_database(settings)
    try:
        await prepare(db)
    finally:
        await db.dispose()


async def prepare(db: Database) -> None:
    """Check that the data key opens what is stored (WrongDataKey, before anything is written),
    then bring the schema up to date."""
    try:
        await check_key(db.engine, db.keyring)
        await upgrade_to_head(db.engine)
    except WrongDataKey:
        raise
    except (OSError, ConnectionError) as error:
        raise DatabaseUnavailable(str(error)) from error
    except Exception as error:
        # Drivers raise their own types for refused connections and bad credentials.
        if "connect" in type(error).__name__.lower() or "connect" in str(error).lower():
            raise DatabaseUnavailable(str(error)) from error
        raise


def log_privacy_placeholders(settings: Settings) -> None:
    """Load config/privacy.toml (PrivacyFileError stops start-up) and say, in one warning, if
    the university has not filled it in yet."""
    missing = settings.privacy.placeholders
    if missing:
        log.warning(
            "config/privacy.toml still has placeholders (%s): fill them in before real people "
            "use the bot.",
            ", ".join(missing),
        )


def build_bot(settings: Settings, db: Database, scheduler: AsyncIOScheduler) -> HealthBot:
    """The bot, with delivery and the outbox dispatcher given only the parts they use."""
    bot = HealthBot(settings=settings, db=db, scheduler=scheduler)
    bot.delivery = Delivery(
        bot,
        db.sessions,
        bot.community,
        now=lambda: bot.clock.now(),  # looked up each time: tests swap the bot's clock
        dm_retry=timedelta(days=settings.outbox.dm_retry_days),
    )
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
    log_privacy_placeholders(settings)
    db = open_database(settings)
    try:
        await prepare(db)
        scheduler = AsyncIOScheduler(timezone=UTC)
        async with build_bot(settings, db, scheduler) as bot:
            yield bot
    finally:
        await db.dispose()
