"""Every view and form the bot defines survives a restart or says it expired: a modal is a
`PersistentModal` (answered by its custom id), a view subclass is an `ExpiringView` (its
items are disabled with a message when it times out). Views built from DynamicItems only are
plain `discord.ui.View(timeout=None)` instances, not subclasses, so they are not listed here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import discord
import pytest

import bot
from bot.ui import base
from bot.ui.base import ExpiringView, GuardedModal, PersistentModal
from bot.ui.custom_ids import CustomId

# The building blocks themselves: not used directly.
BASES: set[type] = {base.GuardedView, GuardedModal, PersistentModal, ExpiringView}


def bot_classes() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(bot.__path__, prefix="bot."):
        if info.name.startswith("bot.demo") or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__.startswith("bot.") and value not in BASES:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def offending(classes: list[type]) -> list[str]:
    """The views and modals that would be lost at a restart without a word."""
    bad = []
    for cls in classes:
        if (issubclass(cls, discord.ui.Modal) and not issubclass(cls, PersistentModal)) or (
            issubclass(cls, discord.ui.View) and not issubclass(cls, ExpiringView)
        ):
            bad.append(cls.__qualname__)
    return bad


def test_the_walk_finds_the_bots_forms() -> None:
    names = {cls.__qualname__ for cls in bot_classes()}
    assert {"ProfileModal", "FeedbackForm"} <= names


def test_every_view_and_modal_survives_a_restart_or_says_it_expired() -> None:
    assert offending(bot_classes()) == []


def test_a_view_that_forgets_at_a_restart_is_found() -> None:
    class Forgetful(discord.ui.View):
        pass

    class ForgetfulForm(GuardedModal, title="Form"):
        pass

    found = offending([Forgetful, ForgetfulForm])
    assert [name.rsplit(".", 1)[-1] for name in found] == ["Forgetful", "ForgetfulForm"]


def test_an_expiring_view_must_say_what_it_shows_when_it_expires() -> None:
    with pytest.raises(TypeError, match="expires"):

        class Silent(ExpiringView):
            pass


def test_a_persistent_modal_is_never_kept_in_discord_pys_memory() -> None:
    class Form(PersistentModal, prefix=CustomId.PROFILE_FORM):
        def __init__(self) -> None:
            super().__init__(title="Form")

    form = Form()
    assert form.is_finished()
    assert form.timeout is None
    assert form.custom_id == "membership:profile"


class _Message:
    """Stands in for the message a view was sent on: records the edit."""

    def __init__(self) -> None:
        self.edits: list[dict[str, object]] = []

    async def edit(self, **changes: object) -> None:
        self.edits.append(changes)


async def test_an_expiring_view_disables_its_items_and_says_so_when_it_times_out() -> None:
    class Short(ExpiringView):
        expired_text = "This menu has expired. Please run /x again."

        def __init__(self) -> None:
            super().__init__(timeout=60)
            self.add_item(discord.ui.Button(label="Go", custom_id="short:go"))

    view = Short()
    message = _Message()
    view.message = message  # type: ignore[assignment]
    await view.on_timeout()
    assert message.edits == [{"content": Short.expired_text, "view": view}]
    assert all(getattr(item, "disabled", False) for item in view.children)
