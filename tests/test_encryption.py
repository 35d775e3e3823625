"""Free text people give is encrypted at rest: what the real services store is unreadable in
the raw database, readable through the bot, and stays readable across a key rotation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from bot.services import consent, feedback, membership
from bot.services.feedback import FormAnswers
from bot.services.involvement import choosing, claims, role_cards
from bot.services.involvement.role_cards import Card
from db.crypto import Keyring, WrongDataKey, stored_key_id
from db.encryption import check_key, encrypted_tables, reencrypt
from db.engine import Database
from db.migrate import alembic_config, upgrade_to_head
from db.models import (
    Activity,
    Application,
    ExpenseClaim,
    FeedbackComment,
    FeedbackResponse,
    Member,
    Signup,
)
from tests.services.involvement.helpers import SETTINGS

GUILD, ALICE, BOB = 1, 101, 102
START = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
AFTER = START + timedelta(hours=2)
MARKERS = {
    "name": "Zephyrine Quillborough",
    "adjustments": "MARKER-large-print-please",
    "worked": "MARKER-kind-hosts",
    "to_change": "MARKER-more-breaks",
    "comment": "MARKER-lovely-group",
    "why": "MARKER-my-mum-had-this",
    "note": "MARKER-taxi-from-ward-7",
    "decline_reason": "MARKER-no-receipt-shown",
}
ENCRYPTED = {
    "members": ("display_name", "adjustments"),
    "feedback_responses": ("worked", "to_change"),
    "feedback_comments": ("text",),
    "applications": ("why",),
    "expense_claims": ("note", "decline_reason"),
}
# The encrypted tables that 0006 already had (the involvement tables came later, encrypted).
BEFORE_0008 = {
    table: ENCRYPTED[table] for table in ("members", "feedback_responses", "feedback_comments")
}


async def fill(db: Database) -> None:
    """A profile, a feedback form and a thread reply, each through its real service."""
    async with db.sessions() as session, session.begin():
        await consent.record_consent(session, GUILD, ALICE, "2026-11", START)
        await membership.save_profile(
            session,
            GUILD,
            ALICE,
            membership.ProfileForm(
                display_name=MARKERS["name"],
                interests=("research",),
                availability=("weekends",),
                adjustments=MARKERS["adjustments"],
                wants_dms=True,
            ),
        )
        activity = Activity(
            guild_id=GUILD, title="Panel", kind="education", starts_at=START, capacity=5
        )
        session.add(activity)
        await session.flush()
        for user_id in (ALICE, BOB):
            session.add(Signup(activity_id=activity.id, user_id=user_id, status="confirmed"))
        await feedback.plan_requests(session, AFTER, timedelta(minutes=30))
        await feedback.remember_post(
            session, activity.id, channel_id=5, message_id=500, thread_id=600
        )
        answers = FormAnswers(
            rating=4, worked=MARKERS["worked"], to_change=MARKERS["to_change"], anonymous=True
        )
        await feedback.submit_form(session, activity.id, ALICE, answers, AFTER)
        assert await feedback.add_comment(session, 600, BOB, 9001, MARKERS["comment"])
        await claims.claim(
            session,
            GUILD,
            activity.id,
            ALICE,
            amount="12.50",
            what="travel",
            note=MARKERS["note"],
            settings=SETTINGS,
            now=AFTER,
        )
        declined = await claims.claim(
            session,
            GUILD,
            activity.id,
            BOB,
            amount="3",
            what="travel",
            note=None,
            settings=SETTINGS,
            now=AFTER,
        )
        await claims.decline(
            session, GUILD, declined.claim_id, 9001, MARKERS["decline_reason"], AFTER
        )
        chosen = Activity(
            guild_id=GUILD,
            title="Interviews",
            kind="research",
            starts_at=START + timedelta(days=14),
            capacity=3,
        )
        session.add(chosen)
        await session.flush()
        await role_cards.set_card(
            session, GUILD, chosen.id, Card(choose="coordinators"), SETTINGS, START
        )
        await choosing.apply(session, GUILD, chosen.id, ALICE, MARKERS["why"], START)


async def raw_values(db: Database, tables: dict[str, tuple[str, ...]] = ENCRYPTED) -> list[str]:
    """Every stored value of the encrypted columns, read with plain SQL (no column types)."""
    found: list[str] = []
    async with db.engine.connect() as connection:
        for table, columns in tables.items():
            for column in columns:
                rows = await connection.execute(
                    text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
                )
                found.extend(row[0] for row in rows)
    return found


async def readable_text(db: Database) -> set[str]:
    async with db.sessions() as session:
        profile = await membership.find_profile(session, GUILD, ALICE)
        assert profile is not None
        comments = list(await session.scalars(select(FeedbackComment.text)))
        forms = (
            await session.execute(select(FeedbackResponse.worked, FeedbackResponse.to_change))
        ).all()
        reasons = list(await session.scalars(select(Application.why)))
        claimed = (
            await session.execute(select(ExpenseClaim.note, ExpenseClaim.decline_reason))
        ).all()
    return {profile.display_name or "", profile.adjustments or "", *comments} | {
        said or "" for words in (*forms, *claimed, reasons) for said in words
    }


def test_the_models_encrypt_exactly_the_free_text_columns() -> None:
    assert {spec.name: spec.columns for spec in encrypted_tables()} == ENCRYPTED


async def test_the_raw_database_shows_none_of_the_words_people_gave(db: Database) -> None:
    await fill(db)
    values = await raw_values(db)
    assert len(values) == len(MARKERS)
    assert all(stored_key_id(value) == db.keyring.current_id for value in values)
    for marker in MARKERS.values():
        assert not any(marker in value for value in values)


async def test_the_sqlite_file_holds_none_of_the_words_people_gave(
    db: Database, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("a file exists only on SQLite; the raw-column test covers PostgreSQL")
    await fill(db)
    path = Path(str(db.engine.url.database))
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert raw, "the database file was not found"
    for marker in MARKERS.values():
        assert marker.encode() not in raw


async def test_the_bot_reads_back_what_people_gave(db: Database) -> None:
    await fill(db)
    assert set(MARKERS.values()) <= await readable_text(db)


async def test_the_same_words_are_stored_differently_each_time(db: Database) -> None:
    assert db.keyring.encrypt("same") != db.keyring.encrypt("same")


async def test_a_database_checked_with_another_key_is_refused(db: Database) -> None:
    await fill(db)
    with pytest.raises(WrongDataKey):
        await check_key(db.engine, Keyring.generate())


async def test_two_databases_in_one_process_keep_their_own_keys(
    db: Database, tmp_path: Path
) -> None:
    other = Database(f"sqlite+aiosqlite:///{tmp_path}/other.db")
    try:
        await upgrade_to_head(other.engine)
        await fill(other)
        await fill(db)
        assert set(MARKERS.values()) <= await readable_text(db)
        assert set(MARKERS.values()) <= await readable_text(other)
        with pytest.raises(WrongDataKey):
            await check_key(other.engine, db.keyring)
    finally:
        await other.dispose()


def test_comparing_an_encrypted_column_in_sql_fails_loudly() -> None:
    with pytest.raises(TypeError, match="encrypted"):
        _ = Member.display_name == "Alice"


def test_searching_an_encrypted_column_in_sql_fails_loudly() -> None:
    with pytest.raises(TypeError, match="encrypted"):
        _ = FeedbackComment.text.contains("lovely")


def test_asking_whether_an_encrypted_column_is_empty_still_works() -> None:
    assert "IS NULL" in str(Member.adjustments.is_(None))


async def test_rotation_leaves_everything_readable_with_the_new_key_alone(db: Database) -> None:
    await fill(db)
    new = Keyring.generate()
    rotating = Keyring([new.keys[0], *db.keyring.keys])
    changed = await reencrypt(db.engine, rotating, batch_size=2)
    assert changed == len(MARKERS)
    assert {stored_key_id(value) for value in await raw_values(db)} == {new.current_id}
    await check_key(db.engine, new)


async def test_a_rotation_run_again_rewrites_nothing(db: Database) -> None:
    await fill(db)
    rotating = Keyring([Keyring.generate().keys[0], *db.keyring.keys])
    await reencrypt(db.engine, rotating, batch_size=1)
    before = await raw_values(db)
    assert await reencrypt(db.engine, rotating, batch_size=1) == 0
    assert await raw_values(db) == before


def _to(revision: str) -> Callable[[Connection], None]:
    def move(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        if revision == "head":
            command.upgrade(config, "head")
        else:
            command.downgrade(config, revision)

    return move


async def test_migration_encrypts_rows_stored_before_encryption(db: Database) -> None:
    await fill(db)
    async with db.engine.begin() as connection:
        await connection.run_sync(_to("0006"))
    plain = await raw_values(db, BEFORE_0008)
    assert MARKERS["name"] in plain
    async with db.engine.begin() as connection:
        await connection.run_sync(_to("head"))
    values = await raw_values(db)
    assert all(stored_key_id(value) == db.keyring.current_id for value in values)
    assert MARKERS["name"] in await readable_text(db)
