"""The readable export: sentences a person understands, with no table or column names and no
id but their own, built from one row of every kind the bot holds (tests/test_erasure.py)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from bot.services import mydata
from bot.services.mydata_document import readable_export
from db.base import Base
from db.engine import Database
from tests.test_erasure import ALICE, BOB, NOW, rows_naming, seed_every_kind

LONDON = ZoneInfo("Europe/London")


async def page_for(db: Database, user_id: int) -> str:
    async with db.sessions() as session:
        return await readable_export(session, user_id, NOW, LONDON)


def internal_names() -> set[str]:
    """Every table name, and every column name that is not an everyday word (has an `_`)."""
    names = set(Base.metadata.tables)
    for table in Base.metadata.tables.values():
        names |= {column.name for column in table.columns if "_" in column.name}
    return names


def visible_text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


async def test_the_readable_export_names_no_table_or_column(db: Database) -> None:
    await seed_every_kind(db, ALICE, BOB)
    text = visible_text(await page_for(db, ALICE))
    found = [name for name in internal_names() if re.search(rf"\b{re.escape(name)}\b", text)]
    assert not found, f"the readable export shows internal names: {found}"


async def test_the_readable_export_shows_no_id_but_the_persons_own(db: Database) -> None:
    await seed_every_kind(db, ALICE, BOB)
    text = visible_text(await page_for(db, ALICE))
    ids = set(re.findall(r"\b\d{15,}\b", text))  # Discord ids are 17 to 20 digits
    assert ids == {str(ALICE)}


async def test_the_readable_export_says_what_we_hold_in_sentences(db: Database) -> None:
    await seed_every_kind(db, ALICE, BOB)
    page = await page_for(db, ALICE)
    for words in (
        "You joined on",
        "You signed up for",
        "Your adjustments:",
        "You came to",
        "We paid you",
        "You claimed",
        "You finished the training",
        "You joined the group",
        "Who can see what",
        "a coordinator saw it",
    ):
        assert words in page, words


async def test_the_json_beside_it_still_holds_every_table(db: Database) -> None:
    await seed_every_kind(db, ALICE, BOB)
    async with db.sessions() as session:
        found = await mydata.export(session, ALICE, NOW)
    empty = [name for name, rows in found.tables.items() if not rows]
    assert not empty


async def test_erasing_a_viewer_keeps_the_record_without_their_name(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        await mydata.record_adjustment_views(session, 1, BOB, [ALICE], "attendees", NOW)
    async with db.sessions() as session, session.begin():
        await mydata.erase(session, 1, BOB, [])
    assert await rows_naming(db.engine, BOB) == []
    page = await page_for(db, ALICE)
    assert "a coordinator saw it in the list of people coming to an activity" in page
