"""Who may do what: coordinators are members with the community's coordinator role or Manage
Server."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.client import HealthBot

NOT_COORDINATOR = (
    "Only coordinators can do this. If you think you should be one, ask a coordinator "
    "or a server admin to give you the coordinator role."
)


class NotCoordinator(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(NOT_COORDINATOR)


async def is_coordinator(interaction: discord.Interaction[HealthBot]) -> bool:
    """Whether the person using this command or button is a coordinator here."""
    user = interaction.user
    if interaction.guild_id is None or not isinstance(user, discord.Member):
        return False
    return await _holds_the_role(interaction.client, user, interaction.permissions.manage_guild)


async def is_coordinator_of(bot: HealthBot, guild_id: int, user_id: int) -> bool:
    """The same, for a button pressed in a DM (no member on the interaction)."""
    guild = bot.get_guild(guild_id)
    member = guild.get_member(user_id) if guild else None
    if member is None:
        return False
    return await _holds_the_role(bot, member, member.guild_permissions.manage_guild)


async def _holds_the_role(bot: HealthBot, member: discord.Member, manage_guild: bool) -> bool:
    """The one definition: Manage Server, or the community's coordinator role."""
    if manage_guild:
        return True
    role_id = (await bot.community(member.guild.id)).coordinator_role_id
    return role_id is not None and any(role.id == role_id for role in member.roles)


T = TypeVar("T")


def coordinator_only() -> Callable[[T], T]:
    """An app-command check: refuse with a plain message unless the person is a coordinator."""

    async def predicate(interaction: discord.Interaction[HealthBot]) -> bool:
        if not await is_coordinator(interaction):
            raise NotCoordinator
        return True

    return app_commands.check(predicate)
