"""The operator's side of trust: the data key (setting or key file), `backup`, `restore`,
`rotate-key`, config/privacy.toml, and the plain stops at start-up when one of them is wrong."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import operations
from bot.app import log_privacy_placeholders
from bot.keys import load_keyring, read_key_file
from bot.privacy import PrivacyFileError, load_privacy
from bot.settings import DEFAULT_CONFIG_DIR, Settings, get_settings
from db.crypto import DataKeyError, Keyring, stored_key_id
from db.engine import Database
from db.migrate import upgrade_to_head
from tests.e2e.harness import bot_process_env
from tests.test_encryption import MARKERS, fill, readable_text

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "data_key_file": tmp_path / "keys" / "data.key",
        "data_key": None,
    }
    values.update(overrides)
    return get_settings(**values)


async def filled(settings: Settings) -> None:
    db = Database(settings.database_url, keyring=load_keyring(settings))
    try:
        await upgrade_to_head(db.engine)
        await fill(db)
    finally:
        await db.dispose()


async def readable(settings: Settings, keyring: Keyring | None = None) -> set[str]:
    db = Database(settings.database_url, keyring=keyring or load_keyring(settings))
    try:
        return await readable_text(db)
    finally:
        await db.dispose()


def raw_names(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT display_name FROM members")]


def wipe(database: Path) -> None:
    for path in database.parent.glob(database.name + "*"):
        path.unlink()
    assert not database.exists()


# -- the key ------------------------------------------------------------------------------


def test_a_first_start_makes_an_owner_only_key_file_and_says_to_back_it_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(tmp_path)
    with caplog.at_level(logging.WARNING):
        keyring = load_keyring(settings)
    path = settings.data_key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path).current_id == keyring.current_id
    assert [r.message for r in caplog.records if "Back it up" in r.message] != []


def test_a_second_start_uses_the_same_key_file_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(tmp_path)
    first = load_keyring(settings)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert load_keyring(settings).current_id == first.current_id
    assert caplog.records == []


def test_a_malformed_data_key_is_refused_plainly(tmp_path: Path) -> None:
    with pytest.raises(DataKeyError, match="DATA_KEY is not a valid data key"):
        load_keyring(settings_for(tmp_path, data_key="not a key"))


def test_a_data_key_of_the_wrong_length_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataKeyError, match="16 bytes"):
        load_keyring(settings_for(tmp_path, data_key="MDEyMzQ1Njc4OWFiY2RlZg=="))


# -- backup and restore ------------------------------------------------------------------------


async def test_a_backup_holds_neither_the_words_people_gave_nor_the_key(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await filled(settings)
    outcome = operations.backup(settings, tmp_path / "backups", NOW)
    assert outcome.code == 0, outcome.message
    (copy,) = (tmp_path / "backups").glob("*.db")
    raw = copy.read_bytes()
    assert b"alembic_version" in raw  # it is the database
    for marker in MARKERS.values():
        assert marker.encode() not in raw
    key_text = settings.data_key_file.read_text().strip().encode()
    assert key_text not in raw


async def test_backup_then_wipe_then_restore_brings_the_data_back(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await filled(settings)
    operations.backup(settings, tmp_path / "backups", NOW)
    wipe(tmp_path / "bot.db")
    (copy,) = (tmp_path / "backups").glob("*.db")
    outcome = operations.restore(settings, copy, replace=False)
    assert outcome.code == 0, outcome.message
    assert set(MARKERS.values()) <= await readable(settings)


async def test_restore_into_a_database_with_data_is_refused_without_replace(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path)
    await filled(settings)
    operations.backup(settings, tmp_path / "backups", NOW)
    (copy,) = (tmp_path / "backups").glob("*.db")
    outcome = operations.restore(settings, copy, replace=False)
    assert outcome.code != 0
    assert "already has data" in outcome.message
    assert "--replace" in outcome.message


async def test_restore_with_replace_overwrites_the_database(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await filled(settings)
    operations.backup(settings, tmp_path / "backups", NOW)
    (copy,) = (tmp_path / "backups").glob("*.db")
    with sqlite3.connect(tmp_path / "bot.db") as connection:
        connection.execute("DELETE FROM members")
    assert operations.restore(settings, copy, replace=True).code == 0
    assert set(MARKERS.values()) <= await readable(settings)


async def test_restore_refuses_a_backup_the_key_cannot_read(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await filled(settings)
    operations.backup(settings, tmp_path / "backups", NOW)
    (copy,) = (tmp_path / "backups").glob("*.db")
    elsewhere = settings_for(tmp_path / "elsewhere")
    outcome = operations.restore(elsewhere, copy, replace=False)
    assert outcome.code != 0
    assert "another key" in outcome.message
    assert not (tmp_path / "elsewhere" / "bot.db").exists()


def test_backup_on_postgresql_says_which_pg_dump_to_run(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path, database_url="postgresql+asyncpg://bot:secret@db.example:5432/bot"
    )
    outcome = operations.backup(settings, tmp_path, NOW)
    assert outcome.code != 0
    assert "pg_dump --format=custom" in outcome.message
    assert "secret" not in outcome.message


# -- rotate-key -------------------------------------------------------------------------------


async def test_rotate_key_with_a_key_file_ends_with_only_the_new_key(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await filled(settings)
    old = load_keyring(settings)
    first = await operations.rotate_key(settings)
    assert first.code == 0, first.message
    rotating = read_key_file(settings.data_key_file)
    assert rotating.keys[1:] == old.keys
    second = await operations.rotate_key(settings, batch_size=1)
    assert second.code == 0, second.message
    new = read_key_file(settings.data_key_file)
    assert new.keys == rotating.keys[:1]
    assert {stored_key_id(name) for name in raw_names(tmp_path / "bot.db")} == {new.current_id}
    assert set(MARKERS.values()) <= await readable(settings, new)


async def test_rotate_key_keeps_the_old_key_for_old_backups(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await filled(settings)
    old = load_keyring(settings)
    await operations.rotate_key(settings)
    await operations.rotate_key(settings)
    retired = settings.data_key_file.with_name("data.key.retired").read_text()
    assert old.to_text() in retired


async def test_rotate_key_with_data_key_prints_the_new_key_once_and_changes_nothing(
    tmp_path: Path,
) -> None:
    old = Keyring.generate()
    settings = settings_for(tmp_path, data_key=old.to_text())
    await filled(settings)
    before = raw_names(tmp_path / "bot.db")
    outcome = await operations.rotate_key(settings)
    assert outcome.code == 0
    line = next(x for x in outcome.message.splitlines() if x.startswith("DATA_KEY="))
    rotating = Keyring.from_text(line.removeprefix("DATA_KEY="))
    assert rotating.keys[1:] == old.keys
    assert raw_names(tmp_path / "bot.db") == before


async def test_rotate_key_with_data_key_re_encrypts_for_the_new_key(tmp_path: Path) -> None:
    old, new = Keyring.generate(), Keyring.generate()
    await filled(settings_for(tmp_path, data_key=old.to_text()))
    rotating = settings_for(tmp_path, data_key=f"{new.to_text()},{old.to_text()}")
    outcome = await operations.rotate_key(rotating)
    assert outcome.code == 0, outcome.message
    assert "before the comma" in outcome.message
    assert set(MARKERS.values()) <= await readable(rotating, new)


# -- privacy.toml -----------------------------------------------------------------------------


def test_the_shipped_privacy_file_loads_with_the_retention_periods() -> None:
    privacy = load_privacy(DEFAULT_CONFIG_DIR)
    assert privacy.retention.after_leaving_days == 30
    assert privacy.retention.inactive_months == 24
    assert privacy.retention.no_answer_days == 30


def test_placeholders_left_in_the_privacy_file_give_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        log_privacy_placeholders(settings_for(tmp_path))
    warnings = [r for r in caplog.records if "privacy.toml" in r.getMessage()]
    assert len(warnings) == 1
    assert "controller.name" in warnings[0].getMessage()


def test_a_filled_in_privacy_file_gives_no_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (DEFAULT_CONFIG_DIR / "privacy.toml").read_text()
    text = text.replace("FILL IN:", "Done:")
    (tmp_path / "privacy.toml").write_text(text)
    monkeypatch.setenv("CONFIG_DIR", str(tmp_path))
    with caplog.at_level(logging.WARNING):
        log_privacy_placeholders(settings_for(tmp_path))
    assert caplog.records == []


def broken_privacy(directory: Path, old: str, new: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = (DEFAULT_CONFIG_DIR / "privacy.toml").read_text()
    assert old in text
    (directory / "privacy.toml").write_text(text.replace(old, new))
    return directory


def line_of(directory: Path, needle: str) -> int:
    lines = (directory / "privacy.toml").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_a_malformed_retention_period_names_its_line(tmp_path: Path) -> None:
    folder = broken_privacy(tmp_path, "inactive_months = 24", 'inactive_months = "two years"')
    with pytest.raises(PrivacyFileError, match=rf"line {line_of(folder, 'inactive_months')}:"):
        load_privacy(folder)


def test_a_privacy_file_that_is_not_toml_names_its_line(tmp_path: Path) -> None:
    folder = broken_privacy(tmp_path, "no_answer_days = 30", "no_answer_days = ")
    with pytest.raises(PrivacyFileError, match=rf"line {line_of(folder, 'no_answer_days')}"):
        load_privacy(folder)


def test_a_missing_privacy_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PrivacyFileError, match="cannot be read"):
        load_privacy(tmp_path)


# -- start-up through `python -m bot` ------------------------------------------------------


async def run_bot(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    environment = bot_process_env(None, f"sqlite+aiosqlite:///{tmp_path}/bot.db", **env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_a_wrong_key_stops_start_up_and_changes_nothing(tmp_path: Path) -> None:
    await filled(settings_for(tmp_path, data_key=Keyring.generate().to_text()))
    before = raw_names(tmp_path / "bot.db")
    code, output = await run_bot(tmp_path, DISCORD_TOKEN="x", DATA_KEY=Keyring.generate().to_text())
    assert code == 6, output
    assert "cannot read the data" in output
    assert "Traceback" not in output
    assert raw_names(tmp_path / "bot.db") == before


async def test_a_malformed_data_key_stops_start_up(tmp_path: Path) -> None:
    code, output = await run_bot(tmp_path, DISCORD_TOKEN="x", DATA_KEY="not-base64!")
    assert code == 2, output
    assert "DATA_KEY is not a valid data key" in output
    assert "Traceback" not in output


async def test_a_malformed_privacy_file_stops_start_up_naming_the_line(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    broken_privacy(config, "after_leaving_days = 30", "after_leaving_days = -1")
    code, output = await run_bot(tmp_path, DISCORD_TOKEN="x", CONFIG_DIR=str(config))
    assert code == 2, output
    assert f"line {line_of(config, 'after_leaving_days')}:" in output
    assert "Traceback" not in output


async def test_backup_and_restore_refusal_through_the_command_line(tmp_path: Path) -> None:
    key = Keyring.generate().to_text()
    await filled(settings_for(tmp_path, data_key=key))
    code, output = await run_bot(tmp_path, "backup", str(tmp_path / "backups"), DATA_KEY=key)
    assert code == 0, output
    (copy,) = (tmp_path / "backups").glob("*.db")
    code, output = await run_bot(tmp_path, "restore", str(copy), DATA_KEY=key)
    assert code != 0
    assert "already has data" in output
    assert "Traceback" not in output
