"""Discord allows 100 scheduled or active events per guild: one more is refused with 30038
"Maximum number of guild scheduled events reached", and an ended or cancelled one frees room."""

from __future__ import annotations

import datetime

import discord
import pytest

from discord_sim import DiscordSimulator

from .tinybot import SimBot, World


async def _create(bot: SimBot, world: World, name: str) -> discord.ScheduledEvent:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    return await guild.create_scheduled_event(
        name=name,
        start_time=start,
        end_time=start + datetime.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
        location="Library",
    )


async def _fill_to_the_limit(bot: SimBot, world: World) -> list[discord.ScheduledEvent]:
    live = sum(1 for e in world.guild.events.values() if int(e["status"]) in (1, 2))
    return [await _create(bot, world, f"Walk {n}") for n in range(100 - live)]


async def test_the_hundred_and_first_event_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    await _fill_to_the_limit(bot, world)
    with pytest.raises(discord.HTTPException) as refused:
        await _create(bot, world, "One too many")
    assert (refused.value.status, refused.value.code) == (400, 30038)
    assert "Maximum number of guild scheduled events" in refused.value.text


async def test_a_cancelled_event_makes_room_for_another(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    made = await _fill_to_the_limit(bot, world)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    some = made[0] if made else next(iter(guild.scheduled_events))
    await some.cancel()
    event = await _create(bot, world, "Room again")
    assert event.name == "Room again"
