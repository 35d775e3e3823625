"""Everything held about a person: export it, or erase it.

Both walk every mapped table that subclasses `PersonData` and find the person through its
`person_columns` only, so a table added later is covered the day it is declared.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.base import Base, PersonData
from db.models import AdjustmentView, Member

# Shown in someone's export instead of the id of another person in the same row.
ANOTHER_MEMBER = "another member"

# A capability's clean-up before the generic erase: (session, guild_id, user_id).
ErasureStep = Callable[[AsyncSession, int, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PersonTable:
    table: Table
    person_columns: Mapping[str, str]  # column name -> "delete" | "nullify"

    def names(self, user_id: int) -> ColumnElement[bool]:
        return or_(*(self.table.c[column] == user_id for column in self.person_columns))


@dataclass(frozen=True, slots=True)
class PersonExport:
    user_id: int
    exported_at: datetime
    tables: Mapping[str, Sequence[Mapping[str, Any]]]

    def to_json(self) -> str:
        document = {
            "about": "Everything the community bot holds about you, table by table.",
            "exported_at": self.exported_at.isoformat(),
            "tables": self.tables,
        }
        return json.dumps(document, indent=2, default=_plain, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Erasure:
    held_anything: bool
    rows_deleted: int
    values_cleared: int


def person_tables() -> list[PersonTable]:
    """Every table that names people, parents before children."""
    declared = {
        mapper.local_table: mapper.class_.person_columns
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, PersonData)
    }
    return [
        PersonTable(table, declared[table])
        for table in Base.metadata.sorted_tables
        if table in declared
    ]


async def holds_anything(session: AsyncSession, user_id: int) -> bool:
    for person_table in person_tables():
        if await session.scalar(select(exists().where(person_table.names(user_id)))):
            return True
    return False


async def export(session: AsyncSession, user_id: int, now: datetime) -> PersonExport:
    """Every row naming the person, in every table; ids of anyone else in those rows are
    replaced by "another member"."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for person_table in person_tables():
        table = person_table.table
        rows = await session.execute(
            select(table).where(person_table.names(user_id)).order_by(*table.primary_key)
        )
        tables[table.name] = [
            redact(dict(row), person_table.person_columns, user_id) for row in rows.mappings()
        ]
    return PersonExport(user_id=user_id, exported_at=now, tables=tables)


async def erase(
    session: AsyncSession, guild_id: int, user_id: int, steps: Sequence[ErasureStep]
) -> Erasure:
    """Run each capability's clean-up, then delete or clear every value naming the person.
    The caller's transaction makes it all or nothing."""
    member_guilds = await session.scalars(
        select(Member.guild_id).where(Member.user_id == user_id).with_for_update()
    )
    guilds = sorted({guild_id, *member_guilds})  # locked: a second press waits, then finds none
    if not await holds_anything(session, user_id):
        return Erasure(held_anything=False, rows_deleted=0, values_cleared=0)
    for step in steps:
        for guild in guilds:
            await step(session, guild, user_id)
    tables = person_tables()
    cleared = sum([await _nullify(session, table, user_id) for table in tables])
    deleted = sum([await _delete(session, table, user_id) for table in reversed(tables)])
    return Erasure(held_anything=True, rows_deleted=deleted, values_cleared=cleared)


async def _nullify(session: AsyncSession, person_table: PersonTable, user_id: int) -> int:
    table, cleared = person_table.table, 0
    for column, action in person_table.person_columns.items():
        if action == "nullify":
            result = await session.execute(
                update(table).where(table.c[column] == user_id).values({column: None})
            )
            cleared += _count(result)
    return cleared


async def _delete(session: AsyncSession, person_table: PersonTable, user_id: int) -> int:
    columns = [c for c, action in person_table.person_columns.items() if action == "delete"]
    if not columns:
        return 0
    table = person_table.table
    result = await session.execute(
        delete(table).where(or_(*(table.c[column] == user_id for column in columns)))
    )
    return _count(result)


async def record_adjustment_views(
    session: AsyncSession,
    guild_id: int,
    viewer_id: int,
    subject_ids: Sequence[int],
    place: str,
    now: datetime,
) -> None:
    """A coordinator was shown what helps these people take part: note who, whose and when
    (the people see it in their export; it goes when they are erased)."""
    session.add_all(
        AdjustmentView(
            guild_id=guild_id, subject_id=subject, viewer_id=viewer_id, place=place, viewed_at=now
        )
        for subject in dict.fromkeys(subject_ids)
        if subject != viewer_id
    )
    await session.flush()


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def redact(row: dict[str, Any], person_columns: Mapping[str, str], user_id: int) -> dict[str, Any]:
    """The row as the person may see it: anyone else named in it becomes "another member"."""
    for column in person_columns:
        if row[column] is not None and row[column] != user_id:
            row[column] = ANOTHER_MEMBER
    return row


def _plain(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
