"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

Migrating costs about a second a test, so each worker process migrates one template per
backend once per session and gives every test a copy of it: a file copy on SQLite, and on
PostgreSQL a new schema built from a `pg_dump` of the template schema. The templates are
built anew each session, never kept between runs, and tests/test_migrations.py checks that a
copy matches a database migrated from empty (which it gets from `migrated_from_empty`).

PostgreSQL runs when it answers on TEST_POSTGRES_URL (default: the local server). In CI
(CI=true) a missing PostgreSQL fails the run instead of quietly skipping half the suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import uuid
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import Database, create_engine
from db.migrate import upgrade_to_head

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_answers() -> bool:
    url = make_url(POSTGRES_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def backends() -> list[str]:
    if postgres_answers():
        return ["sqlite", "postgresql"]
    if IN_CI:
        raise RuntimeError(f"CI needs PostgreSQL at {POSTGRES_URL} and it does not answer")
    return ["sqlite"]


BACKENDS = backends()


def new_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


async def create_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()


async def drop_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await admin.dispose()


async def empty_database(backend: str, workdir: str) -> tuple[Database, str]:
    """An empty database (no tables); returns it and the schema to drop afterwards."""
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{workdir}/{new_name('test')}.db"), ""
    schema = new_name("test")
    await create_schema(schema)
    return Database(POSTGRES_URL, schema=schema), schema


# SQLite ---------------------------------------------------------------------------------------


async def build_sqlite_template(path: Path) -> None:
    """Migrate a database file, then leave it whole in one file, ready for plain copies."""
    database = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade_to_head(database.engine)
    await database.dispose()
    # Fold the write-ahead log into the file and stop using one, so the file is all there is.
    # Each copy turns WAL back on when the engine first connects.
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    left_behind = [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    assert not left_behind, f"the SQLite template left files behind: {left_behind}"


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This worker's migrated SQLite file (pytest-xdist gives each worker its own temp dir)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    await build_sqlite_template(path)
    return path


# PostgreSQL -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresTemplate:
    """A migrated schema, and the SQL that rebuilds it (with its rows) under another name."""

    schema: str
    script: str  # empty: pg_dump is missing or failed, so each copy is migrated instead

    def script_for(self, schema: str) -> str:
        # The template's name is random and unique, so it appears only as its own identifier.
        return self.script.replace(self.schema, schema)


def dump_schema(schema: str) -> str:
    """pg_dump's SQL for one schema (tables, sequences, indexes, constraints and rows)."""
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    command = ["pg_dump", "--schema", schema, "--inserts", "--no-owner", "--no-privileges"]
    # Our own fixed arguments and the test server's URL: nothing from outside the test run.
    dump = subprocess.run(  # noqa: S603
        [*command, url.render_as_string(hide_password=False)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    # Drop psql's meta-commands (newer pg_dump wraps its output in \restrict ... \unrestrict).
    return "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))


@pytest.fixture(scope="session")
async def postgresql_template() -> AsyncIterator[PostgresTemplate]:
    """This worker's migrated schema, dropped when the session ends."""
    schema = new_name("tmpl")
    await create_schema(schema)
    try:
        database = Database(POSTGRES_URL, schema=schema)
        await upgrade_to_head(database.engine)
        await database.dispose()
        try:
            if not shutil.which("pg_dump"):
                raise FileNotFoundError("pg_dump is not on PATH")
            script = dump_schema(schema)
        except (OSError, subprocess.SubprocessError) as error:
            script = ""
            warnings.warn(
                f"pg_dump failed, so each test migrates its own schema: {error}", stacklevel=1
            )
        if not script and IN_CI:
            raise RuntimeError("CI needs pg_dump to copy the PostgreSQL template schema")
        yield PostgresTemplate(schema, script)
    finally:
        await drop_schema(schema)


async def copy_postgres_template(template: PostgresTemplate, schema: str) -> None:
    if not template.script:
        await create_schema(schema)
        database = Database(POSTGRES_URL, schema=schema)
        await upgrade_to_head(database.engine)
        await database.dispose()
        return
    admin = create_engine(POSTGRES_URL)
    try:
        async with admin.connect() as connection:
            raw = await connection.get_raw_connection()
            # One simple query: PostgreSQL runs the statements as one transaction.
            await raw.driver_connection.execute(template.script_for(schema))  # type: ignore[union-attr]
    finally:
        await admin.dispose()


# The fixtures tests use -----------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def template(backend: str, request: pytest.FixtureRequest) -> Path | PostgresTemplate:
    """The backend's template, built the first time a test of this worker asks for it."""
    found: Path | PostgresTemplate = request.getfixturevalue(f"{backend}_template")
    return found


@pytest.fixture
async def db(template: Path | PostgresTemplate, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database: a copy of this worker's template."""
    schema = ""
    if isinstance(template, Path):
        path = tmp_path / f"{new_name('test')}.db"
        shutil.copyfile(template, path)
        database = Database(f"sqlite+aiosqlite:///{path}")
    else:
        schema = new_name("test")
        await copy_postgres_template(template, schema)
        database = Database(POSTGRES_URL, schema=schema)
    try:
        yield database
    finally:
        await database.dispose()
        if schema:
            await drop_schema(schema)


@pytest.fixture
async def empty_db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables at all, for tests that migrate it themselves."""
    database, schema = await empty_database(backend, str(tmp_path))
    try:
        yield database
    finally:
        await database.dispose()
        if schema:
            await drop_schema(schema)


@pytest.fixture
async def migrated_from_empty(empty_db: Database) -> Database:
    """A database migrated for real from empty, never copied from a template."""
    await upgrade_to_head(empty_db.engine)
    return empty_db
