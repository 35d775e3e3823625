from __future__ import annotations

import json
from typing import Any

import pytest

from bot.services import mydata
from db.engine import Database
from tests.test_erasure import ALICE, BOB, CAROL, DAVE, NOW, declared_tables, seed_every_kind


async def exported(db: Database, user_id: int) -> dict[str, Any]:
    async with db.sessions() as session:
        found = await mydata.export(session, user_id, NOW)
    document: dict[str, Any] = json.loads(found.to_json())
    return document


@pytest.mark.parametrize(("me", "them"), [(ALICE, BOB), (BOB, ALICE)])
async def test_an_export_holds_one_row_of_every_kind_about_that_person(
    db: Database, me: int, them: int
) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    await seed_every_kind(db, BOB, DAVE)

    tables = (await exported(db, me))["tables"]

    assert {name: len(rows) for name, rows in tables.items()} == dict.fromkeys(declared_tables(), 1)


@pytest.mark.parametrize(("me", "them"), [(ALICE, BOB), (BOB, ALICE)])
async def test_an_export_holds_nothing_about_anyone_else(db: Database, me: int, them: int) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    await seed_every_kind(db, BOB, DAVE)

    text = json.dumps(await exported(db, me))

    assert str(me) in text
    for someone_else in {ALICE, BOB, CAROL, DAVE} - {me}:
        assert str(someone_else) not in text


async def test_an_export_shows_the_person_s_own_words(db: Database) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    member = (await exported(db, ALICE))["tables"]["members"][0]
    assert member["adjustments"] == f"breaks, says {ALICE}"
    assert member["consented_at"] == NOW.isoformat()


async def test_an_export_shows_the_person_s_involvement_hours_and_money(db: Database) -> None:
    await seed_every_kind(db, ALICE, CAROL)
    tables = (await exported(db, ALICE))["tables"]
    assert tables["applications"][0]["why"] == f"why {ALICE} would like to"
    attended = tables["attendance"][0]
    assert (attended["status"], attended["minutes"], attended["marked_by"]) == (
        "attended",
        90,
        mydata.ANOTHER_MEMBER,
    )
    payment = tables["payments"][0]
    assert (payment["amount_pence"], payment["paid_user_id"], payment["paid_by"]) == (
        3750,
        ALICE,
        mydata.ANOTHER_MEMBER,
    )
    claim = tables["expense_claims"][0]
    assert (claim["amount_pence"], claim["what"], claim["note"]) == (
        1250,
        "travel",
        f"bus fare for {ALICE}",
    )


async def test_an_export_of_someone_unknown_is_empty(db: Database) -> None:
    await seed_every_kind(db, BOB, DAVE)
    tables = (await exported(db, ALICE))["tables"]
    assert tables == {name: [] for name in declared_tables()}
    async with db.sessions() as session:
        assert not await mydata.holds_anything(session, ALICE)
        assert await mydata.holds_anything(session, BOB)


def test_someone_else_in_a_row_is_shown_as_another_member() -> None:
    row = {"id": 7, "buddy_user_id": ALICE, "newcomer_user_id": CAROL, "ended_by": None}
    columns = {"buddy_user_id": "delete", "newcomer_user_id": "delete", "ended_by": "nullify"}
    assert mydata.redact(row, columns, ALICE) == {
        "id": 7,
        "buddy_user_id": ALICE,
        "newcomer_user_id": mydata.ANOTHER_MEMBER,
        "ended_by": None,
    }


def test_every_declared_person_column_exists() -> None:
    for person_table in mydata.person_tables():
        for column, action in person_table.person_columns.items():
            assert column in person_table.table.c, f"{person_table.table.name}.{column}"
            assert action in {"delete", "nullify"}, f"{person_table.table.name}.{column}"
