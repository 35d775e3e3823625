"""The typed registries are complete: every outbox kind has a renderer, every consent
continuation a handler, every button the guarded base, and no custom-id prefix is used twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import build_bot
from bot.client import HealthBot, cog_extensions
from bot.services.outbox import OutboxKind
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
    prefixes = [item.prefix for item in registered_buttons(loaded_bot)]
    assert len(prefixes) == len(set(prefixes))
