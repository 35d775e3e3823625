"""Migrations build the schema the models describe, on an empty and on an existing database."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection

from db.engine import Database
from db.migrate import alembic_config, upgrade_to_head
from db.models import Base, Community


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_empty_database_gets_every_table_and_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        assert set(Base.metadata.tables) <= tables
        assert await connection.run_sync(differences) == []


async def test_upgrading_an_existing_database_keeps_its_data(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        session.add(Community(guild_id=42, timezone="Europe/London", quiet_hours="21:00-08:00"))
    await upgrade_to_head(db.engine)  # already at head: must be a no-op
    async with db.sessions() as session:
        assert (await session.scalars(select(Community.guild_id))).all() == [42]


async def test_downgrade_to_base_and_back(db: Database) -> None:
    def cycle(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        command.upgrade(config, "head")

    async with db.engine.begin() as connection:
        await connection.run_sync(cycle)
        assert await connection.run_sync(differences) == []
