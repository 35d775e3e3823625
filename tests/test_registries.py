"""The typed registries are complete: every outbox kind has a renderer, every payload class is
registered and round-trips, every consent continuation a handler, every button the guarded
base, and no custom-id prefix is used twice."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import pkgutil
import sys
import typing
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

import bot
from bot.app import build_bot
from bot.client import HealthBot, cog_extensions
from bot.services.outbox import OutboxKind, OutboxPayload, parse_payload, payload_json
from bot.services.payloads import PAYLOADS
from bot.settings import get_settings
from bot.ui.base import GuardedButton, GuardedMenu
from bot.ui.consent import AfterConsent
from bot.ui.custom_ids import CustomId
from db.engine import Database


@pytest.fixture(scope="module")
async def loaded_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[HealthBot]:
    folder: Path = tmp_path_factory.mktemp("registries")
    database = Database(f"sqlite+aiosqlite:///{folder}/bot.db")
    bot = build_bot(get_settings(), database, AsyncIOScheduler())
    for extension in cog_extensions():
        await bot.load_extension(extension)
    yield bot
    await bot.close()
    await database.dispose()


async def test_every_outbox_kind_has_a_renderer(loaded_bot: HealthBot) -> None:
    assert sorted(loaded_bot.outbox.registered_kinds()) == sorted(OutboxKind)


def payload_classes_in_bot() -> set[type[OutboxPayload]]:
    for module in pkgutil.walk_packages(bot.__path__, "bot."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[OutboxPayload]] = set()
    todo = list(OutboxPayload.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        # `slots=True` replaces a class with a new one: keep the one its module holds.
        home = sys.modules[cls.__module__]
        if cls.__module__.startswith("bot.") and getattr(home, cls.__qualname__, None) is cls:
            found.add(cls)
    return found


def test_every_payload_class_is_registered_for_its_kinds() -> None:
    assert payload_classes_in_bot() - set(PAYLOADS.values()) == set()


def payload_constructors_enqueued() -> set[str]:
    """The class names passed as `payload=` to `enqueue(...)` anywhere in bot/."""
    names = set()
    for path in Path(bot.__path__[0]).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "enqueue"):
                continue
            for keyword in node.keywords:
                if keyword.arg == "payload" and isinstance(keyword.value, ast.Call):
                    called = keyword.value.func
                    names.add(
                        called.attr if isinstance(called, ast.Attribute) else ast.unparse(called)
                    )
    return names


def test_every_payload_enqueued_in_bot_has_a_registered_class() -> None:
    enqueued = payload_constructors_enqueued()
    assert enqueued, "the scan found no enqueue(..., payload=X(...)) at all"
    assert enqueued - {cls.__name__ for cls in PAYLOADS.values()} == set()


SAMPLES: dict[object, object] = {
    int: 42,
    float: 1.5,
    str: "words",
    bool: True,
    date: date(2027, 1, 2),
    datetime: datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
}


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_every_payload_round_trips_through_the_rows_json(kind: OutboxKind) -> None:
    cls = PAYLOADS[kind]
    hints = typing.get_type_hints(cls)
    sample = cls(**{field.name: SAMPLES[hints[field.name]] for field in dataclasses.fields(cls)})
    stored = json.loads(json.dumps(payload_json(sample)))
    assert parse_payload(cls, stored) == sample


async def test_every_consent_continuation_has_a_handler(loaded_bot: HealthBot) -> None:
    assert sorted(loaded_bot.after_consent) == sorted(AfterConsent)


def test_no_custom_id_prefix_is_declared_twice() -> None:
    values = [member.value for member in CustomId.__members__.values()]
    assert len(values) == len(set(values)), "an alias: two names share one custom-id prefix"


def test_no_custom_id_prefix_starts_another() -> None:
    values = [member.value for member in CustomId]
    clashes = [(a, b) for a in values for b in values if a != b and b.startswith(f"{a}:")]
    assert clashes == []


def registered_buttons(bot: HealthBot) -> list[type]:
    """What the cogs passed to `bot.add_dynamic_items` (discord.py keeps it in its view store)."""
    return list(bot._connection._view_store._dynamic_items.values())


async def test_every_button_uses_the_guarded_base(loaded_bot: HealthBot) -> None:
    registered = registered_buttons(loaded_bot)
    assert registered
    guarded = (GuardedButton, GuardedMenu)
    assert [item for item in registered if not issubclass(item, guarded)] == []


async def test_every_button_has_its_own_prefix(loaded_bot: HealthBot) -> None:
    registered = registered_buttons(loaded_bot)
    prefixes = [item.prefix for item in registered if issubclass(item, GuardedButton)]
    assert len(prefixes) == len(set(prefixes))


async def test_mine_sections_come_in_their_declared_order(loaded_bot: HealthBot) -> None:
    owners = [
        type(getattr(section, "__self__", None)).__name__ for section in loaded_bot.mine_sections()
    ]
    assert owners == ["Buddies", "Feedback", "Involvement", "Training", "Membership"]


async def test_two_mine_sections_cannot_share_an_order(loaded_bot: HealthBot) -> None:
    async def section(guild_id: int, user_id: int) -> str | None:
        return None

    with pytest.raises(ValueError, match="taken"):
        loaded_bot.add_mine_section(20, section)
