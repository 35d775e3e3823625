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


async def test_empty_database_gets_every_table_and_matches_the_models(
    migrated_from_empty: Database,
) -> None:
    async with migrated_from_empty.engine.connect() as connection:
        tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        assert set(Base.metadata.tables) <= tables
        assert await connection.run_sync(differences) == []


async def test_upgrading_an_existing_database_keeps_its_data(
    migrated_from_empty: Database,
) -> None:
    db = migrated_from_empty
    async with db.sessions() as session, session.begin():
        session.add(Community(guild_id=42, timezone="Europe/London", quiet_hours="21:00-08:00"))
    await upgrade_to_head(db.engine)  # already at head: must be a no-op
    async with db.sessions() as session:
        assert (await session.scalars(select(Community.guild_id))).all() == [42]


async def test_downgrade_to_base_and_back(migrated_from_empty: Database) -> None:
    def cycle(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        command.upgrade(config, "head")

    async with migrated_from_empty.engine.begin() as connection:
        await connection.run_sync(cycle)
        assert await connection.run_sync(differences) == []


def structure(connection: Connection) -> dict[str, object]:
    """Every table's columns, keys, indexes and constraints, and the migration revision."""
    inspector = inspect(connection)
    tables: dict[str, object] = {}
    for table in sorted(inspector.get_table_names()):
        tables[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], str(fk.get("options")))
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (str(i["name"]), tuple(map(str, i["column_names"])), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (str(u["name"]), tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "checks": sorted(str(c["sqltext"]) for c in inspector.get_check_constraints(table)),
        }
    revision = MigrationContext.configure(connection).get_current_revision()
    return {"tables": tables, "revision": revision}


async def test_the_template_copy_every_test_gets_matches_a_freshly_migrated_database(
    db: Database, migrated_from_empty: Database
) -> None:
    async with db.engine.connect() as copy, migrated_from_empty.engine.connect() as fresh:
        assert await copy.run_sync(differences) == []
        assert await copy.run_sync(structure) == await fresh.run_sync(structure)
