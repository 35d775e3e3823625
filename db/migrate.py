"""Apply Alembic migrations from inside the bot's event loop; on PostgreSQL under an advisory
lock, so several processes starting together migrate once (the others wait, then find the
schema up to date)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed number, the same in every process of this bot: "health-bot migrations".
MIGRATION_LOCK_KEY = 0x4842_4D49_4752


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Bring the schema up to date; a no-op when it already is."""

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends (PostgreSQL's DDL is transactional: the
            # migrations commit together with the lock's release).
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        await connection.run_sync(upgrade)
