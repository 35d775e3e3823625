"""Views and modals that report their errors through the one error pipeline."""

from __future__ import annotations

from typing import Any

import discord

from bot.reporting import report_error


class GuardedView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class GuardedModal(discord.ui.Modal):
    # discord.py narrows Modal.on_error to two arguments.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)
