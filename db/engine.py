"""The async engine and session factories, tuned per backend.

SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout, and every
transaction opened with BEGIN IMMEDIATE so a read that decides a write (places left, waitlist
position) holds the write lock from its first statement. PostgreSQL relies on row locks
(`SELECT ... FOR UPDATE`) in the services instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.crypto import Keyring, attach_keyring

SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_SECONDS = 2.5


def insert_for(session: AsyncSession) -> Callable[..., Any]:
    """The backend's own INSERT, which can skip rows that exist already
    (`.on_conflict_do_nothing(...)`): the same statement on SQLite and PostgreSQL."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Pre-pinged connections survive a database restart; a server that does not answer
        # fails a connection within seconds, so a person hears back quickly (bot.reporting).
        if parsed.get_driver_name() == "asyncpg":
            kwargs["connect_args"] = {
                "timeout": CONNECT_TIMEOUT_SECONDS,
                **kwargs.get("connect_args", {}),
            }
        return create_async_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # SQLite lets one transaction write at a time, and ours all begin IMMEDIATE: one connection
    # loses nothing, and waiting for it in the pool's first-come queue is fair and cheap, where
    # several connections would spin on the file lock in their threads.
    kwargs.setdefault("pool_size", 1)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_timeout", 60)
    # The pool's rollback when a connection comes back is one more trip to the driver's thread
    # for nothing: SQLAlchemy's Connection already ends any transaction it began when closed.
    kwargs.setdefault("pool_reset_on_return", None)
    engine = create_async_engine(url, **kwargs)
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to the driver: every transaction pays for this, and exec_driver_sql's
        # bookkeeping cost ~15% of a sign-up (bench/signups.py).
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.close()


class Database:
    """Owns the engine and its data keyring; `sessions()` opens one session per command or job
    (the caller owns the transaction: `async with db.sessions() as s, s.begin(): ...`).

    `keyring` encrypts and decrypts the `EncryptedText` columns of this database only (it is
    attached to this engine's dialect, see db/crypto.py). The bot passes the one built from its
    settings (`bot.app.open_database`); without one, a new random key is made that lives only
    as long as this object: right for tests and benchmarks, never for data that must last."""

    def __init__(
        self, url: str, *, schema: str = "", keyring: Keyring | None = None, **engine_kwargs: Any
    ) -> None:
        self.url = url
        if schema and make_url(url).get_backend_name() == "postgresql":
            engine_kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
        self.engine = create_engine(url, **engine_kwargs)
        self.keyring = keyring or Keyring.generate()
        attach_keyring(self.engine, self.keyring)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def dispose(self) -> None:
        await self.engine.dispose()
