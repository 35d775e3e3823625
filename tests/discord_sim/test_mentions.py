"""Who a message pings, by allowed_mentions, and mentions adding people to threads."""

from __future__ import annotations

import discord

from discord_sim import DiscordSimulator

from .tinybot import SimBot, World


def _channel(bot: SimBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_allowed_mentions_none_pings_nobody(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    text = f"from a person: {world.bob.mention} @everyone {world.coordinators.mention}"
    await _channel(bot, world.general.id).send(
        text, allowed_mentions=discord.AllowedMentions.none()
    )
    message = sim.find_message(world.general, content=text)
    assert message is not None
    assert message.mentions == [world.bob]  # mentioned in the text...
    assert (message.pinged_users, message.pinged_roles, message.mention_everyone) == ([], [], False)


async def test_allowed_mentions_for_one_user_pings_only_them(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    text = f"hello {world.alice.mention} and {world.bob.mention}"
    allowed = discord.AllowedMentions(
        everyone=False, roles=False, users=[discord.Object(world.bob.id)]
    )
    await _channel(bot, world.general.id).send(text, allowed_mentions=allowed)
    message = sim.find_message(world.general, content=text)
    assert message is not None
    assert message.pinged_users == [world.bob]


async def test_everyone_needs_the_mention_everyone_permission(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    await _channel(bot, world.general.id).send("@everyone look")
    message = sim.find_message(world.general, content="@everyone look")
    assert message is not None
    assert not message.mention_everyone  # the bot's role lacks Mention Everyone


async def test_a_person_mentioning_a_mentionable_role_pings_it(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    walkers = world.guild.add_role("Walkers", mentionable=True)
    message = await sim.post_message(world.general, world.alice, f"{walkers.mention} walk today?")
    assert message.pinged_roles == [walkers.id]


async def test_a_ping_in_a_private_thread_adds_the_person(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    erin = sim.create_user("erin")
    world.guild.add_member(erin)
    thread = await _channel(bot, world.general.id).create_thread(
        name="Private chat", type=discord.ChannelType.private_thread
    )
    allowed = discord.AllowedMentions(users=[discord.Object(erin.id)])
    await thread.send(f"Welcome {erin.mention}", allowed_mentions=allowed)
    sim_thread = world.guild.threads[thread.id]
    await sim.wait_for(lambda: erin.id in sim_thread.thread_members, what="erin to be added")
    assert erin in sim.thread_members(sim_thread)


async def test_a_mention_that_does_not_ping_adds_nobody_to_the_thread(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    frank = sim.create_user("frank")
    world.guild.add_member(frank)
    thread = await _channel(bot, world.general.id).create_thread(
        name="Quiet chat", type=discord.ChannelType.private_thread
    )
    await thread.send(f"About {frank.mention}", allowed_mentions=discord.AllowedMentions.none())
    assert frank.id not in world.guild.threads[thread.id].thread_members
