"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import ColumnClause
from sqlalchemy.types import TypeDecorator

from db.crypto import keyring_of


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out. SQLite keeps no zone, so we store naive UTC there and
    put the zone back on the way out; a naive value going in is a bug and is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EncryptedText(TypeDecorator[str]):
    """Free text a person gave (names, adjustments, feedback, notes), encrypted at rest with
    AES-GCM by the keyring of the engine it goes through (db/crypto.py). Stored as TEXT, so a
    value may be any length; limit lengths in the service. A fresh nonce each time means the
    same words never look the same twice, so SQL cannot compare these columns: filtering or
    joining on one raises at once instead of quietly matching nothing."""

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[str]):  # noqa: N801 (SQLAlchemy's name)
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            # Column-to-column `==` is how the ORM itself looks columns up in its maps
            # (bool() of it is identity); only comparing with a value is refused.
            if op in (operators.is_, operators.is_not) or all(
                isinstance(item, ColumnClause) for item in other
            ):
                return super().operate(op, *other, **kwargs)
            raise TypeError("an encrypted column cannot be compared or searched in SQL")

        def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
            raise TypeError("an encrypted column cannot be compared or searched in SQL")

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring_of(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring_of(dialect).decrypt(value)
