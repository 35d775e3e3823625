"""Sharding: GET /gateway/bot recommends sim.shard_count shards, and each IDENTIFY with
shard [id, count] gets only its guilds, their events and their interactions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands

from discord_sim import DiscordSimulator, SimGuild, SimUser


class ShardedBot(discord.AutoShardedClient):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.shards_answering: list[int | None] = []

        @self.tree.command(name="where", description="Which shard answers")
        async def where(interaction: discord.Interaction) -> None:
            self.shards_answering.append(interaction.guild.shard_id if interaction.guild else None)
            await interaction.response.send_message(
                f"shard {interaction.guild and interaction.guild.shard_id}"
            )

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s pause between shards: the simulator has no identify rate limit."""


class Shards:
    def __init__(self, sim: DiscordSimulator) -> None:
        self.person: SimUser = sim.create_user("pat")
        self.guilds: list[SimGuild] = [
            sim.create_guild("Shard zero", shard=0),
            sim.create_guild("Shard one", shard=1),
        ]
        for guild in self.guilds:
            guild.add_text_channel("general")
            guild.add_member(self.person)


@pytest.fixture(scope="module")
async def sharded() -> AsyncIterator[tuple[DiscordSimulator, Shards, ShardedBot]]:
    sim = DiscordSimulator(shard_count=2)
    await sim.start()
    world = Shards(sim)
    bot = ShardedBot()
    task = asyncio.create_task(bot.start(sim.token))
    await sim.wait_until_ready()
    await sim.wait_for(bot.is_ready, timeout=10, what="every shard to be ready")
    yield sim, world, bot
    await bot.close()
    await asyncio.wait_for(task, 10)
    await sim.stop()
    sim.assert_no_problems()


async def test_the_bot_runs_the_recommended_shard_count(
    sharded: tuple[DiscordSimulator, Shards, ShardedBot],
) -> None:
    sim, _, bot = sharded
    assert bot.shard_count == 2
    assert sorted(s.shard_id for s in sim.gateway.ready_sessions()) == [0, 1]


async def test_each_shard_gets_only_its_guilds(
    sharded: tuple[DiscordSimulator, Shards, ShardedBot],
) -> None:
    sim, world, bot = sharded
    for shard_id, guild in enumerate(world.guilds):
        seen = bot.get_guild(guild.id)
        assert seen is not None
        assert seen.shard_id == shard_id
    sessions = {s.shard_id: s for s in sim.gateway.ready_sessions()}
    assert all(s.serves(world.guilds[s.shard_id].id) for s in sessions.values())
    assert not sessions[0].serves(world.guilds[1].id)


async def test_an_interaction_arrives_on_the_shard_serving_its_guild(
    sharded: tuple[DiscordSimulator, Shards, ShardedBot],
) -> None:
    sim, world, bot = sharded
    ix = await sim.slash(world.guilds[1], world.person, "where")
    assert ix.text == "shard 1"
    assert bot.shards_answering[-1] == 1


async def test_events_of_a_guild_go_only_to_its_shard(
    sharded: tuple[DiscordSimulator, Shards, ShardedBot],
) -> None:
    sim, world, _ = sharded
    sessions = {s.shard_id: s for s in sim.gateway.ready_sessions()}
    before = {i: s.seq for i, s in sessions.items()}
    world.guilds[0].add_text_channel("news")
    await sim.wait_for(lambda: sessions[0].seq > before[0], what="CHANNEL_CREATE on shard 0")
    await sim.state.flush()
    assert sessions[1].seq == before[1]
