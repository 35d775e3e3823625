"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL runs when it answers on TEST_POSTGRES_URL (default: the local server). In CI
(CI=true) a missing PostgreSQL fails the run instead of quietly skipping half the suite.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator

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


async def fresh_database(backend: str, workdir: str) -> tuple[Database, str]:
    """A migrated, empty database; returns it and the schema to drop afterwards (PostgreSQL)."""
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{workdir}/test-{uuid.uuid4().hex[:8]}.db"), ""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return Database(POSTGRES_URL, schema=schema), schema


async def drop_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db(backend: str, tmp_path: object) -> AsyncIterator[Database]:
    database, schema = await fresh_database(backend, str(tmp_path))
    await upgrade_to_head(database.engine)
    try:
        yield database
    finally:
        await database.dispose()
        if schema:
            await drop_schema(schema)
