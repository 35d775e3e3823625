"""The guarded base classes every button, view and modal uses: errors from them go through the
one error pipeline (`bot.reporting`), so a person always gets an answer.

Nothing a person may still be using is lost at a restart (tests/test_views.py checks every
view and modal the bot defines):
- buttons and selects are `GuardedButton`s (DynamicItems) carrying what they need in their
  custom id;
- forms are `PersistentModal`s: answered by their custom id after any restart;
- a view that cannot outlive the bot is an `ExpiringView`: after its timeout its items are
  disabled and the message says `expired_text`, so nobody presses a dead button.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Self, cast

import discord
from discord.ext import commands

from bot.reporting import report_error
from bot.ui.custom_ids import CustomId, custom_id

log = logging.getLogger(__name__)


class GuardedView(discord.ui.View):
    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        answering(interaction)  # runs in the task that goes on to the item's callback
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class GuardedMenu(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"(?!)"):
    """A persistent select menu, as `GuardedButton` is a persistent button: its custom id is
    `prefix:field:...`; subclasses give `from_match(match, item)` and `run(interaction)`, and are
    registered with `bot.add_dynamic_items`."""

    prefix: ClassVar[CustomId]

    def __init_subclass__(cls, *, prefix: CustomId, fields: str = "", **kwargs: Any) -> None:
        cls.prefix = prefix
        template = re.escape(prefix.value) + (f":{fields}" if fields else "")
        super().__init_subclass__(template=template, **kwargs)

    def __init__(
        self,
        *fields: object,
        placeholder: str,
        options: list[discord.SelectOption],
        min_values: int = 1,
        max_values: int = 1,
    ) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=custom_id(self.prefix, *fields),
                placeholder=placeholder,
                options=options,
                min_values=min_values,
                max_values=max_values,
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Select[Any]) -> Self:
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        assert isinstance(item, discord.ui.Select)
        return cls.from_match(match, item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await run_guarded(interaction, self.run)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError


class ExpiringView(GuardedView):
    """A view kept only in memory, so it cannot outlive the bot: after `timeout` seconds (a
    subclass must say how long, and what the message then says in `expired_text`) its items
    are disabled and the message tells the person what to do instead. Set `view.interaction`
    (the interaction it was sent in answer to) or `view.message` so it knows what to edit."""

    expired_text: ClassVar[str]

    def __init__(self, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.message: discord.Message | discord.InteractionMessage | None = None
        self.interaction: discord.Interaction[Any] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not getattr(cls, "expired_text", ""):
            raise TypeError(f"{cls.__name__} must say what it shows when it expires")

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True
        try:
            if self.interaction is not None:
                await self.interaction.edit_original_response(content=self.expired_text, view=self)
            elif self.message is not None:
                await self.message.edit(content=self.expired_text, view=self)
        except discord.HTTPException:  # the message was deleted, or the token ran out
            log.debug("Could not mark an expired view on its message", exc_info=True)


def answering(interaction: discord.Interaction[Any]) -> None:
    """Tell the bot this task answers someone, so a stop lets it finish (`HealthBot.answering`;
    a client without it, in a unit test, needs nothing)."""
    mark = getattr(interaction.client, "answering", None)
    if mark is not None:
        mark()


async def run_guarded(
    interaction: discord.Interaction[Any],
    run: Callable[[discord.Interaction[Any]], Awaitable[None]],
) -> None:
    """The isolation boundary for buttons and menus: the bot waits for the answer at a stop,
    and any error is reported and the person is told."""
    answering(interaction)
    try:
        await run(interaction)
    except Exception as error:  # noqa: BLE001
        await report_error(interaction, error)


class GuardedModal(discord.ui.Modal):
    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        answering(interaction)  # runs in the task that goes on to `on_submit`
        return True

    # discord.py narrows Modal.on_error to two arguments.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)


class PersistentModal(GuardedModal):
    """A form answered by its custom id (`prefix:field:...`), however long it was open and
    after any restart: the bot builds a fresh instance from the custom id (`restore`) when the
    form comes back, fills it with what the person typed and runs `on_submit`.

    discord.py keeps a sent modal in memory only, keyed by its custom id alone (so two people's
    open forms would share one instance, and a restart loses both); these forms are never kept
    there. Register each class with `register_modal(bot, cls)` in the cog package's `setup`.
    """

    prefix: ClassVar[CustomId]
    template: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, prefix: CustomId, fields: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.prefix = prefix
        cls.template = re.compile(re.escape(prefix.value) + (f":{fields}" if fields else ""))

    def __init__(self, *fields: object, title: str) -> None:
        super().__init__(title=title, custom_id=custom_id(self.prefix, *fields), timeout=None)

    def is_finished(self) -> bool:
        # Never stored by discord.py (see the class docstring): `restore` answers instead.
        return True

    @classmethod
    async def restore(cls, interaction: discord.Interaction[Any], match: re.Match[str]) -> Self:
        """The form a submitted custom id stands for (without what was typed: that is filled in
        afterwards). Forms without fields need not say."""
        return cls()  # type: ignore[call-arg]  # a subclass without fields takes no arguments

    async def answer(self, interaction: discord.Interaction[Any]) -> None:
        data = cast("dict[str, Any]", interaction.data or {})
        try:
            self._refresh(interaction, data.get("components", []), {})
            await self.on_submit(interaction)
        # The isolation boundary for forms: any error is reported and the person is told.
        except Exception as error:  # noqa: BLE001
            await self.on_error(interaction, error)


FORM_EXPIRED = (
    "This form is from an older version of the bot, so nothing was saved. "
    "Please run the command again to get a new form."
)
_forms: weakref.WeakKeyDictionary[commands.Bot, list[type[PersistentModal]]] = (
    weakref.WeakKeyDictionary()
)


def register_modal(bot: commands.Bot, cls: type[PersistentModal]) -> None:
    """Answer every submit of `cls`'s form from now on, whenever it was opened. A submitted
    form no registered class knows (its kind was retired) gets `FORM_EXPIRED`, never silence."""
    if bot not in _forms:
        _forms[bot] = []

        async def on_interaction(interaction: discord.Interaction[Any]) -> None:
            if interaction.type is discord.InteractionType.modal_submit:
                await _answer_form(interaction, _forms.get(bot, []))

        bot.add_listener(on_interaction, "on_interaction")
    _forms[bot].append(cls)


async def _answer_form(
    interaction: discord.Interaction[Any], forms: list[type[PersistentModal]]
) -> None:
    data = cast("dict[str, Any]", interaction.data or {})
    submitted = str(data.get("custom_id", ""))
    for cls in forms:
        match = cls.template.fullmatch(submitted)
        if match is None:
            continue
        try:
            modal = await cls.restore(interaction, match)
        except Exception as error:  # noqa: BLE001  # isolation boundary, as in `answer`
            await report_error(interaction, error)
            return
        await modal.answer(interaction)
        return
    log.info("A form nobody answers any more was submitted (custom id %r)", submitted[:100])
    await interaction.response.send_message(FORM_EXPIRED, ephemeral=True)


class GuardedButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    """A persistent button: its custom id is `prefix:field:...`, so it works on any message,
    however old, after any restart.

        class TickButton(GuardedButton, prefix=CustomId.CHECKLIST_TICK,
                         fields=r"(?P<activity>[0-9]+):(?P<key>[a-z0-9_]+)"):
            def __init__(self, activity_id: int, key: str) -> None:
                super().__init__(activity_id, key, label="Done", style=...)
            @classmethod
            def from_match(cls, match, item): return cls(int(match["activity"]), match["key"])
            async def run(self, interaction): ...

    Register it with `bot.add_dynamic_items(TickButton)` in the cog package's `setup`. Errors
    raised by `run` reach the person in plain words (`bot.reporting.report_error`).
    """

    prefix: ClassVar[CustomId]

    def __init_subclass__(cls, *, prefix: CustomId, fields: str = "", **kwargs: Any) -> None:
        cls.prefix = prefix
        template = re.escape(prefix.value) + (f":{fields}" if fields else "")
        super().__init_subclass__(template=template, **kwargs)

    def __init__(
        self,
        *fields: object,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                custom_id=custom_id(self.prefix, *fields),
                disabled=disabled,
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> Self:
        """The button a pressed custom id stands for (buttons without fields need not say)."""
        return cls()  # type: ignore[call-arg]  # a subclass without fields takes no arguments

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        assert isinstance(item, discord.ui.Button)
        return cls.from_match(match, item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await run_guarded(interaction, self.run)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError
