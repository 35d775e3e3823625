from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import Conflict, NotAllowed, NotFound
from bot.services import activity_lookup, checklist
from bot.services.activity_lookup import RECENT
from bot.services.checklist import ChecklistFileError, ChecklistItem
from bot.settings import DEFAULT_CONFIG_DIR
from db.engine import Database
from db.models import Activity

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LEAD, COORDINATOR, STRANGER = 501, 502, 503
ITEMS = checklist.load_items(DEFAULT_CONFIG_DIR)

GOOD_ITEM = """
[[items]]
key = "roles_agreed"
text = "Roles are agreed."
stage = "before"
for = "lead"
from = "start"
offset_hours = -24
"""


async def add_activity(db: Database, *, status: str = "open", title: str = "Interviews") -> int:
    async with db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=1,
            title=title,
            kind="education",
            starts_at=NOW + timedelta(days=3),
            capacity=5,
            lead_user_id=LEAD,
            status=status,
        )
        session.add(activity)
        await session.flush()
        return activity.id


async def tick(
    db: Database, activity_id: int, user: int, *, coordinator: bool = False
) -> list[str]:
    async with db.sessions() as session, session.begin():
        result = await checklist.tick(
            session,
            activity_id=activity_id,
            item_key="roles_agreed",
            user_id=user,
            is_coordinator=coordinator,
            items=ITEMS,
            now=NOW,
        )
    return [entry.item.key for entry in result.entries if entry.done]


def load_text(tmp_path: Path, text: str) -> tuple[ChecklistItem, ...]:
    (tmp_path / "checklist.toml").write_text(text)
    return checklist.load_items(tmp_path)


def test_the_shipped_checklist_has_the_default_items_for_leads_and_participants() -> None:
    keys = {item.key for item in ITEMS}
    assert {"roles_agreed", "papers_sent", "contact_named", "you_said_we_did"} <= keys
    assert {item.audience for item in ITEMS} == {"lead", "participants"}
    assert {item.stage for item in ITEMS} == {"before", "after"}


def test_an_item_is_due_at_its_offset_from_the_start_or_the_end() -> None:
    before = ChecklistItem("a", "A", "before", "lead", "start", -24)
    after = ChecklistItem("b", "B", "after", "lead", "end", 2)
    assert before.due_at(NOW, 90) == NOW - timedelta(hours=24)
    assert after.due_at(NOW, 90) == NOW + timedelta(minutes=90, hours=2)


@pytest.mark.parametrize(
    ("broken", "line", "problem"),
    [
        (GOOD_ITEM.replace('stage = "before"', 'stage = "during"'), 5, "stage must be"),
        (GOOD_ITEM.replace('for = "lead"', 'for = "everyone"'), 6, "for must be"),
        (GOOD_ITEM.replace("offset_hours = -24", 'offset_hours = "soon"'), 8, "a number"),
        (GOOD_ITEM.replace('text = "Roles are agreed."\n', ""), 2, "no 'text'"),
        (GOOD_ITEM + GOOD_ITEM, 11, "used twice"),
        (GOOD_ITEM.replace("offset_hours = -24", "offset_hours = 24"), 8, "negative offset"),
        (GOOD_ITEM + "colour = 1\n", 9, "unknown field 'colour'"),
        (GOOD_ITEM.replace('key = "roles_agreed"', 'key = "roles agreed"'), 3, "lowercase"),
        (GOOD_ITEM.replace('"Roles are agreed."', '"Roles'), 4, "not valid TOML"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_line_and_the_problem(
    tmp_path: Path, broken: str, line: int, problem: str
) -> None:
    with pytest.raises(ChecklistFileError) as refused:
        load_text(tmp_path, broken)
    assert f"line {line}" in str(refused.value)
    assert problem in str(refused.value)


def test_a_missing_file_is_refused_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(ChecklistFileError, match=r"checklist\.toml"):
        checklist.load_items(tmp_path)


async def test_the_lead_ticks_an_item_and_ticking_again_changes_nothing(db: Database) -> None:
    activity_id = await add_activity(db)
    assert await tick(db, activity_id, LEAD) == ["roles_agreed"]
    assert await tick(db, activity_id, LEAD) == ["roles_agreed"]


async def test_a_coordinator_who_is_not_the_lead_may_tick(db: Database) -> None:
    activity_id = await add_activity(db)
    assert await tick(db, activity_id, COORDINATOR, coordinator=True) == ["roles_agreed"]


async def test_someone_neither_lead_nor_coordinator_is_refused(db: Database) -> None:
    activity_id = await add_activity(db)
    with pytest.raises(NotAllowed, match="Only the lead"):
        await tick(db, activity_id, STRANGER)


async def test_ticking_on_a_cancelled_activity_is_refused(db: Database) -> None:
    activity_id = await add_activity(db, status="cancelled")
    with pytest.raises(Conflict, match="cancelled"):
        await tick(db, activity_id, LEAD)


async def test_an_activity_is_found_by_id_or_by_a_title_matching_one(db: Database) -> None:
    activity_id = await add_activity(db, title="Student interviews")
    await add_activity(db, title="Research priorities")

    async def find(guild_id: int, typed: str) -> int:
        return (await activity_lookup.resolve(session, guild_id, typed, NOW, RECENT)).id

    async with db.sessions() as session:
        assert await find(1, str(activity_id)) == activity_id
        assert await find(1, "interviews") == activity_id
        with pytest.raises(NotFound):
            await find(1, "nothing like this")
        with pytest.raises(NotFound):
            await find(2, str(activity_id))
