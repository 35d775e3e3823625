"""Roles, channels and pins the bot makes, as Discord does them: Manage Roles to create,
delete and hand out roles; Manage Channels to create a channel, whose overwrites may only use
permissions the bot has; Pin Messages to pin."""

from __future__ import annotations

from collections.abc import Iterator

import discord
import pytest

from discord_sim import DiscordSimulator, SimRole
from discord_sim import permissions as perm

from .tinybot import SimBot, World

MAKER = perm.MANAGE_ROLES | perm.MANAGE_CHANNELS | perm.PIN_MESSAGES


def _bot_role(world: World) -> SimRole:
    return next(role for role in world.guild.roles.values() if role.bot_id is not None)


@pytest.fixture
def granted(world: World) -> Iterator[None]:
    """The bot's role gains Manage Roles, Manage Channels and Pin Messages for one test."""
    role = _bot_role(world)
    before = role.permissions
    role.permissions |= MAKER
    yield
    role.permissions = before


def _guild(bot: SimBot, world: World) -> discord.Guild:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    return guild


async def test_making_a_role_without_manage_roles_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    with pytest.raises(discord.Forbidden) as refused:
        await _guild(bot, world).create_role(name="Advisory group")
    assert refused.value.code == 50013
    assert not [r for r in world.guild.roles.values() if r.name == "Advisory group"]


async def test_a_made_role_can_be_given_and_deleting_it_takes_it_away(
    sim: DiscordSimulator, world: World, bot: SimBot, granted: None
) -> None:
    guild = _guild(bot, world)
    role = await guild.create_role(name="Working group")
    member = guild.get_member(world.bob.id) or await guild.fetch_member(world.bob.id)
    await member.add_roles(role)
    assert role.id in world.guild.members[world.bob.id].roles
    await role.delete()
    assert role.id not in world.guild.roles
    assert role.id not in world.guild.members[world.bob.id].roles
    await sim.wait_for(lambda: guild.get_role(role.id) is None, what="GUILD_ROLE_DELETE")


async def test_a_private_channel_is_seen_only_by_the_roles_its_overwrites_let_in(
    sim: DiscordSimulator, world: World, bot: SimBot, granted: None
) -> None:
    guild = _guild(bot, world)
    role = await guild.create_role(name="Panel")
    overwrites: dict[
        discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite
    ] = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        role: discord.PermissionOverwrite(view_channel=True),
        guild.me: discord.PermissionOverwrite(view_channel=True),
    }
    made = await guild.create_text_channel("panel", overwrites=overwrites)
    channel = world.guild.channels[made.id]
    assert not world.guild.can(world.bob, channel, perm.VIEW_CHANNEL)
    world.guild.members[world.bob.id].roles.append(role.id)
    assert world.guild.can(world.bob, channel, perm.VIEW_CHANNEL)
    await sim.wait_for(lambda: guild.get_channel(made.id) is not None, what="CHANNEL_CREATE")
    await made.delete()
    await role.delete()


async def test_an_overwrite_with_a_permission_the_bot_lacks_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot, granted: None
) -> None:
    guild = _guild(bot, world)
    overwrites: dict[
        discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite
    ] = {
        guild.default_role: discord.PermissionOverwrite(administrator=True),
    }
    with pytest.raises(discord.Forbidden):
        await guild.create_text_channel("too-much", overwrites=overwrites)
    assert world.guild.find_channel("too-much") is None


async def test_making_a_channel_without_manage_channels_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    with pytest.raises(discord.Forbidden):
        await _guild(bot, world).create_text_channel("nope")
    assert world.guild.find_channel("nope") is None


async def test_pinning_needs_pin_messages_and_marks_the_message_pinned(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("pin me")
    with pytest.raises(discord.Forbidden):
        await sent.pin()
    role = _bot_role(world)
    role.permissions |= perm.PIN_MESSAGES
    try:
        await sent.pin()
    finally:
        role.permissions &= ~perm.PIN_MESSAGES
    stored = sim.find_message(world.general, content="pin me")
    assert stored is not None
    assert stored.pinned
