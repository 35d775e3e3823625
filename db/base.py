"""Declarative base with a naming convention, so Alembic names every constraint the same way
on SQLite and PostgreSQL and batch migrations can find them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class PersonData:
    """Marks the columns that hold a person's Discord id, and what erasing that person does to
    each: "delete" the row, or "nullify" the column. Export and erasure walk these, so a new
    table that names people must declare them (the erasure test finds any it forgot)."""

    person_columns: ClassVar[dict[str, str]] = {}


class CreatedAt:
    """Adds a `created_at` column stamped by Python (same value on every backend)."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
