"""The Discord simulator, driven with a tiny real discord.py bot: connect, commands,
components, modals, DMs, threads, events, restarts and resumes."""

from __future__ import annotations

import asyncio

import discord
import pytest

from discord_sim import DiscordSimulator
from discord_sim.modals import answers_by_label

from .tinybot import SimBot, World, start_bot, stop_bot


async def test_connect_ready_and_sync(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    await sim.wait_until_ready()
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    assert guild.name == "Health Citizens"
    assert {m.name for m in guild.members} >= {"alice", "bob", sim.bot_user.name}
    assert sim.sync_count >= 1
    assert {"activity", "signup", "feedback", "rsvp"} <= set(sim.commands)
    assert sim.requests_for("PUT /applications/{application_id}/commands")
    # The overwrite hides #staff from @everyone but not from the bot's role.
    assert not world.guild.can(world.bob, world.staff, discord.Permissions(view_channel=True).value)
    assert guild.me.guild_permissions.manage_threads


async def test_slash_with_typed_options(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    options = {"title": "Walk", "capacity": 10, "channel": world.general}
    ix = await sim.slash(
        world.guild, world.alice, "activity create", options, channel=world.general
    )
    assert ix.response_type == 4
    assert ix.ephemeral
    assert ix.content == "Created Walk"
    assert ix.embeds[0]["title"] == "Walk"
    assert "10 places in #general" in ix.text
    with pytest.raises(AssertionError, match="no option 'colour'"):
        await sim.slash(
            world.guild, world.alice, "activity create", {"title": "x", "capacity": 1, "colour": 1}
        )


async def test_autocomplete(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    choices = await sim.autocomplete(world.guild, world.alice, "signup", "activity", "wal")
    assert [c["value"] for c in choices] == ["Walk in the park", "Walking club"]


async def test_dynamic_button_click(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    ix = await sim.slash(world.guild, world.alice, "rsvp", channel=world.general)
    assert ix.original is not None
    assert not ix.ephemeral
    assert ix.original in sim.channel_messages(world.general)
    click = await sim.click(world.bob, ix.original, ix.original.custom_id("RSVP"))
    assert click.ephemeral
    assert click.content == "RSVP for activity 42"


async def test_modal_with_label_text_input_and_checkbox(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    ix = await sim.slash(world.guild, world.alice, "feedback")
    assert ix.modal is not None
    assert ix.modal["title"] == "Feedback"
    submitted = await sim.submit_modal(ix, {"feedback_text": "Great walks", "may_quote": True})
    assert submitted.content == "Thanks: Great walks (quote: True)"


async def test_a_modal_is_filled_in_by_its_labels(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    ix = await sim.slash(world.guild, world.alice, "feedback")
    submitted = await sim.fill_modal(ix, {"Your feedback": "Lovely", "May we quote you?": False})
    assert submitted.content == "Thanks: Lovely (quote: False)"


async def test_a_modal_label_that_is_not_there_is_explained(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    ix = await sim.slash(world.guild, world.alice, "feedback")
    with pytest.raises(AssertionError, match="no field labelled 'Your name'"):
        await sim.fill_modal(ix, {"Your name": "Alice"})


def test_modal_choices_are_given_by_their_option_labels() -> None:
    modal = {
        "custom_id": "m",
        "components": [
            {
                "type": 18,
                "label": "How did it go?",
                "component": {
                    "type": 3,
                    "custom_id": "rating",
                    "options": [{"label": "5 - very good", "value": "5"}],
                },
            },
            {"type": 1, "components": [{"type": 4, "custom_id": "note", "label": "Note"}]},
        ],
    }
    answers = answers_by_label(modal, {"How did it go?": "5 - very good", "Note": "Fine"})
    assert answers == {"rating": "5", "note": "Fine"}


async def test_a_menu_option_is_chosen_by_its_label(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    ix = await sim.slash(world.guild, world.alice, "colour", channel=world.general)
    assert ix.original is not None
    picked = await sim.choose(world.bob, ix.original, "Pick a colour", ["Grass green"])
    assert picked.content == "Picked green"


async def test_dm_to_user_who_refuses_dms(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    sim.refuse_dms(world.bob)
    bob = await bot.fetch_user(world.bob.id)
    with pytest.raises(discord.Forbidden) as refused:
        await bob.send("hello")
    assert refused.value.code == 50007
    alice = await bot.fetch_user(world.alice.id)
    await alice.send("hello alice")
    assert [m.content for m in sim.dm_messages(world.alice)] == ["hello alice"]


async def test_global_rate_limit_is_retried(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    before = len(sim.channel_messages(world.general))
    sim.set_rate_limit(per_second=5)
    try:
        await asyncio.gather(*(channel.send(f"burst {i}") for i in range(20)))
    finally:
        sim.set_rate_limit(None)
    sent = [m.content for m in sim.channel_messages(world.general)[before:]]
    assert sorted(sent) == sorted(f"burst {i}" for i in range(20))
    assert sim.rate_limited_count > 0


async def test_unknown_route_is_recorded(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    route = discord.http.Route("GET", "/guilds/{guild_id}/bans", guild_id=world.guild.id)
    with pytest.raises(discord.NotFound):
        await bot.http.request(route)
    assert sim.unknown_routes == [f"GET /guilds/{world.guild.id}/bans"]
    sim.unknown_routes.clear()  # deliberate; the module fixture fails on leftovers


async def test_private_thread_and_member(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    thread = await channel.create_thread(
        name="walk-planning", type=discord.ChannelType.private_thread, invitable=False
    )
    await thread.add_user(discord.Object(world.alice.id))
    sim_thread = world.guild.threads[thread.id]
    assert sim_thread.type == 12
    assert not sim_thread.invitable
    assert set(sim.thread_members(sim_thread)) == {sim.bot_user, world.alice}
    cached = await sim.wait_for(lambda: bot.get_channel(thread.id))
    assert isinstance(cached, discord.Thread)
    await sim.wait_for(lambda: any(m.id == world.alice.id for m in cached.members))
    # bob cannot see a private thread he was not added to
    assert not world.guild.can(world.bob, sim_thread, discord.Permissions(view_channel=True).value)


async def test_message_and_reaction_events(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    msg = await sim.post_message(world.general, world.alice, "hello bot")
    seen = await sim.wait_for(lambda: [m for m in bot.seen_messages if m.id == msg.id])
    assert seen[0].content == "hello bot"
    assert seen[0].author.id == world.alice.id
    await sim.add_reaction(msg, world.bob, "👍")
    reactions = await sim.wait_for(
        lambda: [r for r in bot.seen_reactions if r.message_id == msg.id]
    )
    assert str(reactions[0].emoji) == "👍"
    assert reactions[0].user_id == world.bob.id
    assert reactions[0].member is not None


async def test_second_bot_after_restart_sees_same_state(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    first, task = await start_bot(sim)
    channel = first.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.create_thread(name="before-restart", type=discord.ChannelType.public_thread)
    await channel.send("sent before restart")
    await stop_bot(first, task)

    second, task = await start_bot(sim)
    try:
        guild = second.get_guild(world.guild.id)
        assert guild is not None
        assert guild.name == "Health Citizens"
        assert "before-restart" in [t.name for t in guild.threads]
        channel = guild.get_channel(world.general.id)
        assert isinstance(channel, discord.TextChannel)
        history = [m.content async for m in channel.history(limit=5)]
        assert "sent before restart" in history
    finally:
        await stop_bot(second, task)


async def test_deferred_answer_is_replaced_by_the_first_followup(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    ix = await sim.slash(world.guild, world.alice, "report")
    assert ix.response_type == 5
    second = await ix.wait_followup(2)
    # Like Discord: the first followup fills the "thinking" message and stays ephemeral.
    assert ix.content == "Report ready"
    assert ix.ephemeral
    assert ix.files == [("report.csv", b"a,b\n")]
    assert second["content"] == "Anything else?"
    assert ix.text == "Report ready\nAnything else?"


async def test_changes_after_connect_reach_the_bot(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    late = world.guild.add_text_channel("late-channel")
    carol = sim.create_user("carol")
    world.guild.add_member(carol)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    await sim.wait_for(lambda: guild.get_channel(late.id) and guild.get_member(carol.id))
    # An interaction naming the new channel is never delivered before the channel.
    ix = await sim.slash(
        world.guild, carol, "activity create", {"title": "Run", "capacity": 2, "channel": late}
    )
    assert "in #late-channel" in ix.text


async def test_resume_after_a_dropped_connection(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    resumes = sim.gateway.resume_count
    await sim.drop_connections()
    await sim.wait_for(lambda: sim.gateway.resume_count > resumes)
    msg = await sim.post_message(world.general, world.bob, "after resume")
    await sim.wait_for(lambda: any(m.id == msg.id for m in bot.seen_messages))


async def test_large_guild_is_chunked_on_request() -> None:
    async with DiscordSimulator() as sim:
        guild = sim.create_guild("Big")
        guild.add_members(300)
        client, task = await start_bot(sim)
        try:
            cached = client.get_guild(guild.id)
            assert cached is not None
            assert cached.large
            assert len(cached.members) == 301
        finally:
            await stop_bot(client, task)
        sim.assert_no_problems()
