"""The guarded base classes every button, view and modal uses: errors from them go through the
one error pipeline (`bot.reporting`), so a person always gets an answer."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self

import discord

from bot.reporting import report_error
from bot.ui.custom_ids import CustomId, custom_id


class GuardedView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class GuardedModal(discord.ui.Modal):
    # discord.py narrows Modal.on_error to two arguments.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)


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
        try:
            await self.run(interaction)
        # The isolation boundary for buttons: any error is reported and the person is told.
        except Exception as error:  # noqa: BLE001
            await report_error(interaction, error)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError
