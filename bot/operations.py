"""Operator commands on the data itself: `backup DIR`, `restore FILE` and `rotate-key`.

Each returns what to print and an exit code (0 done, non-zero refused), so bot/main.py stays a
dispatcher and tests can call them directly. Nothing here ever copies the data key anywhere
near the database: a backup holds ciphertext only, and needs the key kept elsewhere.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.app import prepare
from bot.keys import from_setting, keep_retired_keys, load_keyring, write_key_file
from bot.settings import Settings
from db.crypto import Keyring, is_encrypted, new_key
from db.encryption import encrypted_tables, reencrypt
from db.engine import Database


@dataclass(frozen=True, slots=True)
class Outcome:
    message: str
    code: int = 0


REFUSED = 2


def sqlite_file(settings: Settings) -> Path | None:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _postgres_url(settings: Settings) -> str:
    url = make_url(settings.database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=True)


# -- backup -----------------------------------------------------------------------------


def backup(settings: Settings, directory: Path, now: datetime) -> Outcome:
    source = sqlite_file(settings)
    if source is None:
        schema = f" --schema={settings.database_schema}" if settings.database_schema else ""
        target = directory / f"bot-{now:%Y%m%d-%H%M%S}.dump"
        return Outcome(
            "This command copies SQLite databases only, so nothing was copied.\n"
            "For PostgreSQL, run pg_dump yourself (it asks for the password):\n"
            f"  pg_dump --format=custom{schema} --file={target} '{_postgres_url(settings)}'\n"
            "The data key is not in the dump. Keep it safe somewhere else.",
            REFUSED,
        )
    if not source.exists():
        return Outcome(f"There is no database at {source} yet, so there is nothing to back up.", 1)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"bot-{now:%Y%m%d-%H%M%S}.db"
    partial = target.with_name(target.name + ".partial")
    # SQLite's online backup: a consistent copy even while the bot is writing.
    with (
        contextlib.closing(sqlite3.connect(source)) as live,
        contextlib.closing(sqlite3.connect(partial)) as copy,
    ):
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    partial.chmod(0o600)
    partial.replace(target)
    return Outcome(
        f"Backup written to {target}.\n"
        "It does not hold the data key. You need that key to read the backup, so keep it "
        "safe somewhere else."
    )


# -- restore ----------------------------------------------------------------------------


def _tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [row[0] for row in rows]


def _has_data(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with contextlib.closing(sqlite3.connect(path)) as connection:
        for name in _tables(connection):
            if name == "alembic_version":
                continue
            # Table names come from the file's own catalogue, not from input.
            if connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone():  # noqa: S608
                return True
    return False


def _unreadable(connection: sqlite3.Connection, keyring: Keyring) -> str | None:
    """The first encrypted column of a backup that the keyring cannot open, if any."""
    present = set(_tables(connection))
    for spec in encrypted_tables():
        if spec.name not in present:
            continue
        for name in spec.columns:
            # Names come from our own models, not from input.
            query = f'SELECT "{name}" FROM "{spec.name}" WHERE "{name}" IS NOT NULL LIMIT 20'  # noqa: S608
            for (value,) in connection.execute(query):
                if is_encrypted(value) and not keyring.readable(value):
                    return f"{spec.name}.{name}"
    return None


def restore(settings: Settings, backup_file: Path, *, replace: bool) -> Outcome:
    target = sqlite_file(settings)
    if target is None:
        return Outcome(
            "This command restores SQLite databases only, so nothing was changed.\n"
            "For PostgreSQL, use pg_restore with the dump you made with pg_dump.",
            REFUSED,
        )
    if not backup_file.is_file():
        return Outcome(f"There is no file at {backup_file}. Check the name and try again.", 1)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as copy:
            if "alembic_version" not in _tables(copy):
                return Outcome(
                    f"{backup_file} is not a backup of this bot. Nothing was changed.", REFUSED
                )
            unreadable = _unreadable(copy, load_keyring(settings))
    except sqlite3.DatabaseError:
        return Outcome(f"{backup_file} is not a SQLite database. Nothing was changed.", REFUSED)
    if unreadable:
        return Outcome(
            f"The data key cannot read this backup ({unreadable}). It was made with another key. "
            "Set DATA_KEY to that key and try again. Nothing was changed.",
            REFUSED,
        )
    if _has_data(target) and not replace:
        return Outcome(
            f"The database at {target} already has data, so nothing was changed.\n"
            "To overwrite it with the backup, stop the bot and run this again with --replace.",
            REFUSED,
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as copy,
        contextlib.closing(sqlite3.connect(target)) as live,
    ):
        copy.backup(live)
    return Outcome(f"Restored {backup_file} into {target}. Start the bot as usual.")


# -- rotate-key -------------------------------------------------------------------------

ROTATE_START_SETTING = """\
A new data key was made. It is shown only this once:

DATA_KEY={keys}

1. Put that whole value (new key, comma, old key) in DATA_KEY where you keep secrets.
2. Restart the bot, so it writes with the new key and still reads the old one.
3. Run `python -m bot rotate-key` again to re-encrypt everything.
Nothing in the database was changed yet."""

ROTATE_START_FILE = """\
A new data key was added to {path}; the old key is still in it, for reading.
1. Restart the bot (if it is running), so it writes with the new key.
2. Run `python -m bot rotate-key` again to re-encrypt everything.
Nothing in the database was changed yet."""

ROTATE_DONE_SETTING = """\
Everything ({count} values) is now encrypted with the new key.
Now set DATA_KEY to the new key only: the part before the comma. Then restart the bot.
Backups made before today need the old key. Keep it with them, or destroy it."""

ROTATE_DONE_FILE = """\
Everything ({count} values) is now encrypted with the new key, and {path} holds only it.
The old key was moved to {retired}, for backups made before today.
Keep that file with those backups, or delete it. Back up the new key file now."""


async def rotate_key(settings: Settings, *, batch_size: int = 500) -> Outcome:
    """First run: add a new key in front of the old one (key file, or printed for DATA_KEY).
    Second run, once the bot writes with the new key: re-encrypt every value, one transaction
    per batch (safe to stop and run again), then drop the old key."""
    keyring = load_keyring(settings)
    if not keyring.rotating:
        rotating = Keyring([new_key(), *keyring.keys])
        if from_setting(settings):
            return Outcome(ROTATE_START_SETTING.format(keys=rotating.to_text()))
        write_key_file(settings.data_key_file, rotating)
        return Outcome(ROTATE_START_FILE.format(path=settings.data_key_file))
    db = Database(settings.database_url, schema=settings.database_schema, keyring=keyring)
    try:
        await prepare(db)
        count = await reencrypt(db.engine, keyring, batch_size=batch_size)
    finally:
        await db.dispose()
    if from_setting(settings):
        return Outcome(ROTATE_DONE_SETTING.format(count=count))
    retired = keep_retired_keys(settings.data_key_file, keyring)
    write_key_file(settings.data_key_file, Keyring([keyring.keys[0]]))
    return Outcome(
        ROTATE_DONE_FILE.format(count=count, path=settings.data_key_file, retired=retired)
    )
