"""The `activity` option every capability uses: autocomplete and reading what was typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.services import activity_lookup
from bot.services.activity_lookup import RECENT, STARTED, UPCOMING, Scope
from bot.ui import limits
from bot.ui.text import plain

if TYPE_CHECKING:
    from bot.client import HealthBot


class ActivityOption(app_commands.Transformer["HealthBot"]):
    """The `activity` option: autocompletes the activities in `scope` (title, date and time),
    and reads the chosen id, or a typed title that names one of them, as the activity's id."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    async def transform(self, interaction: discord.Interaction[HealthBot], value: Any, /) -> int:
        assert interaction.guild_id is not None
        bot = interaction.client
        async with bot.db.sessions() as session:
            found = await activity_lookup.resolve(
                session, interaction.guild_id, str(value), bot.clock.now(), self.scope
            )
        return found.id

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[HealthBot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        bot = interaction.client
        zone = (await bot.community(interaction.guild_id)).zone
        async with bot.db.sessions() as session:
            found = await activity_lookup.search(
                session, interaction.guild_id, value, bot.clock.now(), self.scope
            )
        choices = []
        for a in found[: limits.CHOICES]:
            when = f" - {a.starts_at.astimezone(zone):%a %d %b %Y, %H:%M}"
            title = plain(a.title, limits.CHOICE_NAME - len(when))
            choices.append(app_commands.Choice(name=title + when, value=str(a.id)))
        return choices


# The id of an activity: open and not started (sign-ups, editing) ...
ActivityArg = app_commands.Transform[int, ActivityOption(UPCOMING)]
# ... open, or ended in the last 30 days (the checklist) ...
RecentActivityArg = app_commands.Transform[int, ActivityOption(RECENT)]
# ... or started and not cancelled (feedback).
StartedActivityArg = app_commands.Transform[int, ActivityOption(STARTED)]
