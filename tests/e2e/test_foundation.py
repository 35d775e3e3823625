"""The bot connects, syncs once, and `/setup` stores and shows the community's setup."""

from __future__ import annotations

import discord
import pytest
from sqlalchemy import text

from bot.services import community as community_service
from discord_sim import DiscordSimulator
from tests.e2e.harness import Community, RunningBot, bot_settings, start_bot

# One test provokes an unexpected error on purpose (the short reference people see).
pytestmark = pytest.mark.tracebacks_expected


async def stored_setup(
    running: RunningBot, community: Community
) -> community_service.CommunitySetup:
    return await running.bot.community(community.guild.id)


async def test_bot_connects_and_syncs_its_commands(
    sim: DiscordSimulator, running: RunningBot
) -> None:
    assert running.bot.is_ready()
    assert sim.sync_count == 1
    assert "setup" in sim.commands


async def test_setup_by_an_admin_is_stored_and_shown(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    setup = await stored_setup(running, community)
    assert setup.announcements_channel_id == community.announcements.id
    assert setup.coordinator_role_id == community.coordinators.id
    assert setup.welcome_channel_id == community.welcome.id

    shown = await sim.slash(community.guild, community.admin, "setup", {})
    assert shown.ephemeral
    assert f"<#{community.feedback.id}>" in shown.text
    assert "Europe/London" in shown.text


async def test_setup_by_a_member_without_manage_server_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    before = await stored_setup(running, community)
    citizen = community.citizens[0]
    reply = await sim.slash(community.guild, citizen, "setup", {"timezone": "Asia/Tokyo"})
    assert reply.ephemeral
    assert "Manage Server" in reply.text
    assert await stored_setup(running, community) == before


async def test_invalid_time_zone_gets_a_clear_answer_and_nothing_is_stored(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    before = await stored_setup(running, community)
    reply = await sim.slash(
        community.guild,
        community.admin,
        "setup",
        {"timezone": "Middle/Earth", "quiet_hours": "22:00-07:00"},
    )
    assert reply.ephemeral
    assert "Middle/Earth" in reply.text
    assert "Europe/London" in reply.text
    assert await stored_setup(running, community) == before


async def test_unreadable_quiet_hours_show_an_example(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await sim.slash(community.guild, community.admin, "setup", {"quiet_hours": "late"})
    assert reply.ephemeral
    assert "21:00-08:00" in reply.text


async def test_a_channel_the_bot_cannot_post_in_is_named_and_nothing_is_stored(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    deny_send = discord.Permissions(send_messages=True).value
    closed = community.guild.add_text_channel(
        "closed",
        overwrites=[
            {"id": str(community.guild.id), "type": 0, "allow": "0", "deny": str(deny_send)}
        ],
    )
    before = await stored_setup(running, community)
    reply = await sim.slash(
        community.guild, community.admin, "setup", {"feedback": closed, "timezone": "Asia/Tokyo"}
    )
    assert reply.ephemeral
    assert closed.mention in reply.text
    assert "send messages" in reply.text
    assert await stored_setup(running, community) == before


async def test_everyone_role_cannot_be_the_coordinator_role(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    everyone = community.guild.roles[community.guild.id]
    reply = await sim.slash(
        community.guild, community.admin, "setup", {"coordinator_role": everyone}
    )
    assert reply.ephemeral
    assert "@everyone" in reply.text
    assert (await stored_setup(running, community)).coordinator_role_id == community.coordinators.id


async def test_time_zone_is_autocompleted(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    choices = await sim.autocomplete(
        community.guild, community.admin, "setup", "timezone", "london"
    )
    assert [choice["value"] for choice in choices][:1] == ["Europe/London"]


async def test_a_second_start_with_the_same_commands_does_not_sync_again(
    sim: DiscordSimulator, running: RunningBot, database_url: str
) -> None:
    await running.stop()
    await sim.wait_for(lambda: not sim.gateway.ready_sessions(), what="the stopped bot to go")
    syncs = sim.sync_count
    again = await start_bot(bot_settings(sim, database_url))
    try:
        await sim.wait_until_ready()
        assert sim.sync_count == syncs
        assert not sim.requests_for("PUT /applications/{application_id}/commands")[syncs:]
    finally:
        await again.stop()


async def test_an_unexpected_error_shows_a_short_reference(
    sim: DiscordSimulator, community: Community, database_url: str, caplog: object
) -> None:
    """Break the database under a running bot: the person sees a reference, the log has it."""
    bot = await start_bot(bot_settings(sim, database_url))
    try:
        await sim.wait_until_ready()
        async with bot.bot.db.engine.begin() as connection:
            await connection.execute(text("DROP TABLE communities"))
        reply = await sim.slash(community.guild, community.admin, "setup", {})
        assert reply.ephemeral
        assert "Something went wrong on our side (ref " in reply.text
        reference = reply.text.split("(ref ")[1][:4]
        assert reference in caplog.text  # type: ignore[attr-defined]
    finally:
        await bot.stop()
