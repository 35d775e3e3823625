"""Discord's size limits on what a bot sends: each broken limit answers 400 / 50035 Invalid
Form Body, names the field, and is kept in sim.rejected_payloads."""

from __future__ import annotations

import datetime
from typing import Any

import discord
import pytest

from discord_sim import DiscordSimulator

from .tinybot import SimBot, World


def _errors_text(exc: discord.HTTPException) -> str:
    return repr(exc.text)


async def _send(bot: SimBot, world: World, **kwargs: Any) -> discord.HTTPException:
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send(**kwargs)
    assert (refused.value.status, refused.value.code) == (400, 50035)
    return refused.value


def _button(label: str = "Go", custom_id: str = "go") -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, custom_id=custom_id)


@pytest.mark.parametrize(
    ("what", "kwargs", "field"),
    [
        ("content", {"content": "x" * 2001}, "content"),
        ("embed title", {"embed": discord.Embed(title="x" * 257)}, "title"),
        ("embed description", {"embed": discord.Embed(description="x" * 4097)}, "description"),
        ("embed footer", {"embed": discord.Embed().set_footer(text="x" * 2049)}, "footer"),
        ("embed author", {"embed": discord.Embed().set_author(name="x" * 257)}, "author"),
        ("field name", {"embed": discord.Embed().add_field(name="x" * 257, value="v")}, "fields"),
        ("field value", {"embed": discord.Embed().add_field(name="n", value="x" * 1025)}, "fields"),
    ],
)
async def test_text_limits(
    sim: DiscordSimulator, world: World, bot: SimBot, what: str, kwargs: dict[str, Any], field: str
) -> None:
    before = len(sim.rejected_payloads)
    refused = await _send(bot, world, **kwargs)
    assert field in _errors_text(refused), what
    assert len(sim.rejected_payloads) == before + 1
    assert sim.rejected_payloads[-1].route == "POST /channels/{channel_id}/messages"


async def test_twenty_six_fields_are_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    embed = discord.Embed(title="many")
    for i in range(26):
        embed.add_field(name=f"n{i}", value="v")
    assert "fields" in _errors_text(await _send(bot, world, embed=embed))


async def test_all_embed_text_together_is_at_most_6000(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    # Each piece is within its own limit; the author name tips the total over 6000.
    embed = discord.Embed(title="t" * 256, description="d" * 4096)
    embed.set_footer(text="f" * 1500).set_author(name="a" * 200)
    assert "6000" in _errors_text(await _send(bot, world, embed=embed))
    assert sim.rejected_payloads[-1].errors["embeds"]["_errors"][0]["code"] == (
        "MAX_EMBED_SIZE_EXCEEDED"
    )


async def test_eleven_embeds_are_refused(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    route = discord.http.Route(
        "POST", "/channels/{channel_id}/messages", channel_id=world.general.id
    )
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.request(route, json={"embeds": [{"title": "t"}] * 11})
    assert refused.value.code == 50035


async def test_button_label_and_custom_id_limits(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    for button in (_button(label="x" * 81), _button(custom_id="x" * 101)):
        view = discord.ui.View()
        view.add_item(button)
        await _send(bot, world, content="pick", view=view)


async def test_six_action_rows_are_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    rows: list[dict[str, Any]] = [
        {"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": f"b{i}"}]}
        for i in range(6)
    ]
    route = discord.http.Route(
        "POST", "/channels/{channel_id}/messages", channel_id=world.general.id
    )
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.request(route, json={"content": "rows", "components": rows})
    assert refused.value.code == 50035


async def test_six_buttons_in_a_row_are_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    row = {
        "type": 1,
        "components": [
            {"type": 2, "style": 1, "label": "b", "custom_id": f"b{i}"} for i in range(6)
        ],
    }
    route = discord.http.Route(
        "POST", "/channels/{channel_id}/messages", channel_id=world.general.id
    )
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.request(route, json={"content": "row", "components": [row]})
    assert refused.value.code == 50035


@pytest.mark.parametrize(
    ("option", "placeholder"),
    [
        (discord.SelectOption(label="x" * 101, value="v"), None),
        (discord.SelectOption(label="l", value="x" * 101), None),
        (discord.SelectOption(label="l", value="v", description="x" * 101), None),
        (discord.SelectOption(label="l", value="v"), "x" * 151),
    ],
)
async def test_select_limits(
    sim: DiscordSimulator,
    world: World,
    bot: SimBot,
    option: discord.SelectOption,
    placeholder: str | None,
) -> None:
    view = discord.ui.View()
    view.add_item(discord.ui.Select(custom_id="pick", options=[option], placeholder=placeholder))
    await _send(bot, world, content="pick one", view=view)


async def test_twenty_six_select_options_are_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    select: discord.ui.Select[Any] = discord.ui.Select(custom_id="many")
    select._underlying.options = [discord.SelectOption(label=str(i)) for i in range(26)]
    view = discord.ui.View()
    view.add_item(select)
    await _send(bot, world, content="too many", view=view)


async def test_a_thread_name_over_100_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as refused:
        await channel.create_thread(name="x" * 101)
    assert refused.value.code == 50035
    assert sim.rejected_payloads[-1].route == "POST /channels/{channel_id}/threads"


@pytest.mark.parametrize(
    ("name", "description", "location"),
    [("x" * 101, "", "Library"), ("Walk", "x" * 1001, "Library"), ("Walk", "", "x" * 101)],
)
async def test_scheduled_event_limits(
    sim: DiscordSimulator, world: World, bot: SimBot, name: str, description: str, location: str
) -> None:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    with pytest.raises(discord.HTTPException) as refused:
        await guild.create_scheduled_event(
            name=name,
            description=description,
            start_time=start,
            end_time=start + datetime.timedelta(hours=1),
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            location=location,
        )
    assert refused.value.code == 50035


async def test_an_unnamed_file_is_refused(sim: DiscordSimulator, world: World, bot: SimBot) -> None:
    route = discord.http.Route(
        "POST", "/channels/{channel_id}/messages", channel_id=world.general.id
    )
    form: list[dict[str, Any]] = [
        {"name": "payload_json", "value": '{"content": "file"}'},
        {"name": "files[0]", "value": b"data", "filename": " ", "content_type": "text/plain"},
    ]
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.request(route, form=form, files=[])
    assert refused.value.code == 50035


async def test_a_modal_over_the_limits_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    class TooLong(discord.ui.Modal, title="x" * 45):
        text: discord.ui.TextInput[TooLong] = discord.ui.TextInput(
            label="y" * 45, placeholder="p" * 101, custom_id="t"
        )

    @discord.app_commands.command(name="toolong", description="Shows a modal Discord refuses")
    async def too_long(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(TooLong())

    bot.tree.add_command(too_long)
    await bot.tree.sync()
    with pytest.raises(AssertionError, match="Discord would reject"):
        await sim.slash(world.guild, world.bob, "toolong")
    assert "placeholder" in str(sim.rejected_payloads[-1].errors)


async def test_an_interaction_answer_over_the_limit_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    @discord.app_commands.command(name="chatty", description="Answers with too much")
    async def chatty(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("x" * 2001)

    bot.tree.add_command(chatty)
    await bot.tree.sync()
    with pytest.raises(AssertionError, match="Discord would reject"):
        await sim.slash(world.guild, world.bob, "chatty")
    assert "content" in sim.rejected_payloads[-1].errors


async def test_a_followup_over_the_limit_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    refusals: list[int] = []

    @discord.app_commands.command(name="longfollowup", description="Follows up with too much")
    async def long_followup(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first", ephemeral=True)
        try:
            await interaction.followup.send(embed=discord.Embed(title="x" * 257))
        except discord.HTTPException as exc:
            refusals.append(exc.code)

    bot.tree.add_command(long_followup)
    await bot.tree.sync()
    await sim.slash(world.guild, world.bob, "longfollowup")
    await sim.wait_for(lambda: refusals, what="the follow-up to be refused")
    assert refusals == [50035]
    assert sim.rejected_payloads[-1].route == "POST /webhooks/{application_id}/{interaction_token}"


async def test_an_autocomplete_choice_value_over_100_is_refused(
    sim: DiscordSimulator, world: World, bot: SimBot
) -> None:
    @discord.app_commands.command(name="pickone", description="Suggests too long a value")
    async def pick_one(interaction: discord.Interaction, what: str) -> None:
        await interaction.response.send_message(what, ephemeral=True)

    @pick_one.autocomplete("what")
    async def suggest(
        interaction: discord.Interaction, current: str
    ) -> list[discord.app_commands.Choice[str]]:
        return [discord.app_commands.Choice(name="long", value="x" * 101)]

    bot.tree.add_command(pick_one)
    await bot.tree.sync()
    with pytest.raises(AssertionError, match="Discord would reject"):
        await sim.autocomplete(world.guild, world.bob, "pickone", "what", "l")
    assert "choices" in sim.rejected_payloads[-1].errors
