"""What moderators and members do to the world after the bot connected: delete a message,
leave the server, change a channel's permissions; and which commands a member sees."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from discord_sim import DiscordSimulator

from .tinybot import SimBot, World


async def _bot_post(bot: SimBot, channel_id: int, text: str) -> discord.Message:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel | discord.Thread)
    return await channel.send(text)


async def test_a_moderator_deleting_a_message_tells_the_bot(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    deleted: list[int] = []

    async def on_raw_message_delete(payload: discord.RawMessageDeleteEvent) -> None:
        deleted.append(payload.message_id)

    bot.add_listener(on_raw_message_delete)
    sent = await _bot_post(bot, world.general.id, "to be removed")
    message = sim.find_message(world.general, content="to be removed")
    assert message is not None
    await sim.delete_message(world.general, message)
    await sim.wait_for(lambda: sent.id in deleted, what="MESSAGE_DELETE to reach the bot")
    assert sim.find_message(world.general, content="to be removed") is None


async def test_a_deleted_message_answers_unknown_message(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    sent = await _bot_post(bot, world.general.id, "gone soon")
    message = sim.find_message(world.general, content="gone soon")
    assert message is not None
    await sim.delete_message(world.general, message)
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.NotFound) as read:
        await channel.fetch_message(sent.id)
    with pytest.raises(discord.NotFound) as edit:
        await sent.edit(content="changed")
    assert (read.value.code, edit.value.code) == (10008, 10008)


async def test_the_bot_deletes_its_own_message(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    sent = await _bot_post(bot, world.general.id, "my own words")
    await sent.delete()
    assert sim.find_message(world.general, content="my own words") is None
    with pytest.raises(discord.NotFound) as again:
        await sent.delete()
    assert again.value.code == 10008


async def test_a_member_who_left_is_unknown(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    carol = sim.create_user("carol")
    world.guild.add_member(carol)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    await sim.wait_for(lambda: guild.get_member(carol.id), what="carol to arrive")
    world.guild.remove_member(carol)
    await sim.wait_for(lambda: guild.get_member(carol.id) is None, what="GUILD_MEMBER_REMOVE")
    with pytest.raises(discord.NotFound) as fetched:
        await guild.fetch_member(carol.id)
    assert fetched.value.code == 10007


async def test_a_member_who_left_cannot_be_added_to_a_thread(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    dave = sim.create_user("dave")
    world.guild.add_member(dave)
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    thread = await channel.create_thread(name="Welcome dave")
    await sim.member_leave(world.guild, dave)
    with pytest.raises(discord.NotFound) as added:
        await thread.add_user(discord.Object(dave.id))
    assert added.value.code == 10007


async def test_losing_send_messages_after_connect_makes_sends_fail(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    room = world.guild.add_text_channel("quiet-room")
    await sim.wait_for(lambda: bot.get_channel(room.id), what="CHANNEL_CREATE")
    await sim.set_permissions(
        room, world.guild.bot_role, deny=discord.Permissions(send_messages=True).value
    )
    channel = bot.get_channel(room.id)
    assert isinstance(channel, discord.TextChannel)
    await sim.wait_for(
        lambda: not channel.permissions_for(channel.guild.me).send_messages,
        what="CHANNEL_UPDATE with the new overwrite",
    )
    with pytest.raises(discord.Forbidden) as refused:
        await channel.send("hello")
    assert refused.value.code == 50013


async def test_losing_view_channel_after_connect_answers_missing_access(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    room = world.guild.add_text_channel("closed-room")
    await sim.wait_for(lambda: bot.get_channel(room.id), what="CHANNEL_CREATE")
    await sim.set_permissions(
        room, world.guild.bot_role, deny=discord.Permissions(view_channel=True).value
    )
    with pytest.raises(discord.Forbidden) as refused:
        await bot.http.send_message(
            room.id, params=discord.http.MultipartParameters({"content": "hi"}, None, None)
        )
    assert refused.value.code == 50001


async def test_commands_needing_a_permission_are_hidden_from_members_without_it(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    @app_commands.command(name="moderate", description="For moderators")
    @app_commands.default_permissions(manage_messages=True)
    async def moderate(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    bot.tree.add_command(moderate)
    await bot.tree.sync()
    moderator = sim.create_user("moderator")
    mods = world.guild.add_role("Mods", discord.Permissions(manage_messages=True).value)
    world.guild.add_member(moderator, roles=[mods.id])
    assert "moderate" not in sim.visible_commands(world.guild, world.bob)
    assert "moderate" in sim.visible_commands(world.guild, moderator)
    assert "signup" in sim.visible_commands(world.guild, world.bob)


async def test_administrators_see_every_command(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    @app_commands.command(name="ownersonly", description="Nobody but admins")
    @app_commands.default_permissions()
    async def owners_only(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    bot.tree.add_command(owners_only)
    await bot.tree.sync()
    admin = sim.create_user("admin")
    admins = world.guild.add_role("Admins", discord.Permissions(administrator=True).value)
    world.guild.add_member(admin, roles=[admins.id])
    assert "ownersonly" in sim.visible_commands(world.guild, admin)
    assert "ownersonly" not in sim.visible_commands(world.guild, world.alice)
