"""The `module` and `group` options (training modules and programme groups): autocomplete and
reading what was typed. Used by the programme's commands and by `/activity create`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.services import programme

if TYPE_CHECKING:
    from bot.client import HealthBot


class ModuleOption(app_commands.Transformer["HealthBot"]):
    """A training module from config/training.toml: its key, picked or typed by name."""

    async def transform(self, interaction: discord.Interaction[HealthBot], value: Any, /) -> str:
        return interaction.client.training.get(str(value)).key

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[HealthBot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        typed = value.strip().lower()
        return [
            app_commands.Choice(name=module.name[:100], value=module.key)
            for module in interaction.client.training
            if typed in module.name.lower() or typed in module.key
        ][:25]


class GroupOption(app_commands.Transformer["HealthBot"]):
    """A group: its id, picked from the list or typed by name."""

    async def transform(self, interaction: discord.Interaction[HealthBot], value: Any, /) -> int:
        assert interaction.guild_id is not None
        async with interaction.client.db.sessions() as session:
            found = await programme.resolve_group(session, interaction.guild_id, str(value))
        return found.id

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[HealthBot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        async with interaction.client.db.sessions() as session:
            found = await programme.search_groups(session, interaction.guild_id, value)
        return [app_commands.Choice(name=group.name[:100], value=str(group.id)) for group in found]


ModuleArg = app_commands.Transform[str, ModuleOption]
GroupArg = app_commands.Transform[int, GroupOption]
