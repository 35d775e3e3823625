"""Whole-database work on the encrypted columns: check that the key opens what is stored, and
bring every value to the current key (rotation, and plaintext left from before encryption).

Both read and write the raw stored text with plain table constructs, bypassing
`EncryptedText`, so they see exactly what is on disk. The columns are found from the models
(every column whose type is `EncryptedText`), so a new table that uses the type is covered
without changes here; it needs a single-column primary key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import MetaData, Table, column, inspect, select, table, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db.crypto import Keyring, WrongDataKey, is_encrypted, key_id, stored_key_id
from db.types import EncryptedText

log = logging.getLogger(__name__)

SAMPLE_PER_COLUMN = 20


@dataclass(frozen=True, slots=True)
class EncryptedTable:
    name: str
    primary_key: str
    columns: tuple[str, ...]


def encrypted_tables(metadata: MetaData | None = None) -> tuple[EncryptedTable, ...]:
    """Every table with `EncryptedText` columns, from the models' metadata."""
    if metadata is None:
        from db.models import Base

        metadata = Base.metadata
    found = []
    for model_table in metadata.sorted_tables:
        columns = tuple(c.name for c in model_table.columns if isinstance(c.type, EncryptedText))
        if not columns:
            continue
        keys = [c.name for c in model_table.primary_key.columns]
        if len(keys) != 1:
            raise TypeError(f"{model_table.name}: encrypted columns need a one-column primary key")
        found.append(EncryptedTable(model_table.name, keys[0], columns))
    return tuple(found)


def _raw(spec: EncryptedTable) -> Table:  # a lightweight table: raw values, no type processing
    return table(spec.name, column(spec.primary_key), *(column(name) for name in spec.columns))  # type: ignore[return-value]


def _existing(connection: Connection, specs: tuple[EncryptedTable, ...]) -> list[EncryptedTable]:
    names = set(inspect(connection).get_table_names())
    return [spec for spec in specs if spec.name in names]


async def check_key(engine: AsyncEngine, keyring: Keyring) -> None:
    """Raise WrongDataKey (naming the table and column, never a value) when a sample of the
    stored values does not open with the keyring. Plaintext (not yet encrypted) is skipped;
    tables that do not exist yet are skipped too, so this may run before migrations."""

    def check(connection: Connection) -> None:
        for spec in _existing(connection, encrypted_tables()):
            raw = _raw(spec)
            for name in spec.columns:
                col = raw.c[name]
                values = connection.scalars(
                    select(col).where(col.is_not(None)).limit(SAMPLE_PER_COLUMN)
                )
                for value in values:
                    if is_encrypted(value) and not keyring.readable(value):
                        raise WrongDataKey(
                            f"{spec.name}.{name} holds values written with key "
                            f"{stored_key_id(value)}; the keys given are "
                            f"{', '.join(keyring_ids(keyring))}"
                        )

    async with engine.connect() as connection:
        await connection.run_sync(check)


def keyring_ids(keyring: Keyring) -> list[str]:
    return [key_id(key) for key in keyring.keys]


async def reencrypt(engine: AsyncEngine, keyring: Keyring, *, batch_size: int = 500) -> int:
    """Write every stored value again with the keyring's current key, one transaction per
    batch of rows; values already on the current key are left alone, so an interrupted run
    simply carries on where it stopped. Returns how many values were rewritten."""
    changed = 0
    async with engine.connect() as connection:
        specs = await connection.run_sync(lambda sync: _existing(sync, encrypted_tables()))
    for spec in specs:
        after: object = None
        while True:
            async with engine.begin() as connection:
                done, last, count = await connection.run_sync(
                    _reencrypt_batch, spec, keyring, after, batch_size
                )
            changed += count
            if done:
                break
            after = last
        log.info("Re-encrypted %s", spec.name)
    return changed


def _reencrypt_batch(
    connection: Connection,
    spec: EncryptedTable,
    keyring: Keyring,
    after: object,
    batch_size: int,
) -> tuple[bool, object, int]:
    raw = _raw(spec)
    key = raw.c[spec.primary_key]
    query = select(key, *(raw.c[name] for name in spec.columns)).order_by(key).limit(batch_size)
    if after is not None:
        query = query.where(key > after)
    rows = connection.execute(query).all()
    count = 0
    for row in rows:
        values: dict[str, str] = {}
        for name, value in zip(spec.columns, row[1:], strict=True):
            if value is None or stored_key_id(value) == keyring.current_id:
                continue
            plain = keyring.decrypt(value) if is_encrypted(value) else value
            values[name] = keyring.encrypt(plain)
        if values:
            connection.execute(update(raw).where(key == row[0]).values(**values))
            count += len(values)
    return len(rows) < batch_size, rows[-1][0] if rows else after, count
