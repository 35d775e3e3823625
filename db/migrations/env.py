"""Alembic environment: async engines, batch mode for SQLite, the URL from the bot's settings.

`db.migrate.upgrade_to_head` hands in an open connection (the bot migrates on start inside its
own event loop); the `alembic` command line builds its own engine.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from bot.keys import load_keyring
from bot.settings import get_settings
from db.engine import Database
from db.models import Base

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    # The same data key as the bot: a data migration may encrypt or decrypt (see 0008).
    settings = get_settings()
    database = Database(
        _database_url(), schema=settings.database_schema, keyring=load_keyring(settings)
    )
    async with database.engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await database.dispose()


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


given_connection = config.attributes.get("connection")
if context.is_offline_mode():
    run_migrations_offline()
elif given_connection is not None:
    run_migrations(given_connection)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    asyncio.run(run_async_migrations())
