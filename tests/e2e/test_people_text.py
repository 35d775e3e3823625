"""People's text is shown as text, and every message fits Discord's limits, in the buddy
programme, feedback and `/setup`: a name that looks like a ping pings nobody, a masked link
stays plain, a very long value gets a short refusal, long lists end with "and N more". The
simulator's `rejected_payloads` is checked empty for the module (tests/e2e/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.cogs.buddies._cog import Buddies
from bot.services import buddies, consent, feedback
from bot.services.feedback import FormAnswers
from bot.ui.text import shown_line
from discord_sim import DiscordSimulator, SimMessage, SimUser
from discord_sim import permissions as perm
from tests.e2e.harness import Community, ManualClock, RunningBot, running_cog
from tests.e2e.test_buddies import join
from tests.e2e.test_feedback import activity_with

HOSTILE_TEXT = "[click here](https://evil.example) @here **loud**"


@pytest.fixture(autouse=True)
def manual_clock(running: RunningBot) -> Iterator[ManualClock]:
    real, clock = running.bot.clock, ManualClock()
    running.bot.clock = clock
    yield clock
    running.bot.clock = real


async def dm_containing(sim: DiscordSimulator, user: SimUser, words: str) -> SimMessage:
    return await sim.wait_for(
        lambda: next((m for m in sim.dm_messages(user) if words in m.text), None), what=words
    )


async def test_a_buddy_named_like_a_ping_is_introduced_without_pinging_anyone(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    bystander = community.new_citizen("bystander")
    buddy = community.new_citizen("ping_buddy", display_name=f"@everyone <@{bystander.id}>")
    newcomer = community.new_citizen("ping_newcomer")
    channel = community.buddies
    denied = {  # no private thread: each person is introduced directly, by name
        "id": str(community.guild.bot_role.id),
        "type": 0,
        "allow": "0",
        "deny": str(perm.CREATE_PRIVATE_THREADS),
    }
    channel.overwrites.append(denied)
    await sim.publish_change(channel)
    try:
        await join(sim, community, buddy, "buddy", capacity=1)
        await join(sim, community, newcomer, "newcomer")
        await sim.slash(community.guild, community.coordinator, "buddy pair", {})
        intro = await dm_containing(sim, newcomer, "Meet your buddy")
    finally:
        channel.overwrites.remove(denied)
        await sim.publish_change(channel)
    assert f"**{shown_line(buddy.global_name or '')}**" in intro.text
    assert intro.pinged_users == []
    assert not intro.mention_everyone
    assert intro.mentions == []


async def test_a_buddy_thread_pings_only_its_two_people(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    buddy = community.new_citizen("thread_buddy", display_name="@everyone")
    newcomer = community.new_citizen("thread_newcomer")
    await join(sim, community, buddy, "buddy", capacity=1)
    await join(sim, community, newcomer, "newcomer")
    await sim.slash(community.guild, community.coordinator, "buddy pair", {})

    def introduction() -> SimMessage | None:
        for thread in community.guild.threads.values():
            if thread.parent_id == community.buddies.id and newcomer.id in thread.thread_members:
                return next((m for m in thread.messages if "Why you were paired" in m.text), None)
        return None

    intro = await sim.wait_for(introduction, what="the introduction in the pair's thread")
    assert {user.id for user in intro.pinged_users} <= {buddy.id, newcomer.id}
    assert newcomer.id in {user.id for user in intro.pinged_users}
    assert not intro.mention_everyone


async def test_feedback_with_a_masked_link_and_here_is_plain_text_in_the_summary(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("link_giver")
    activity_id = await activity_with(running, community, "Link panel", [user])
    opened = await sim.slash(community.guild, user, "feedback give", {"activity": activity_id})
    await sim.submit_modal(opened, {"worked": HOSTILE_TEXT, "anonymous": True})
    summary = await sim.slash(
        community.guild, community.coordinator, "feedback summary", {"activity": activity_id}
    )
    message = await summary.wait_followup()
    assert shown_line(HOSTILE_TEXT) in message.text
    assert "[click here](https://evil.example)" not in message.text
    assert not message.mention_everyone
    assert message.pinged_users == []


async def test_a_feedback_summary_with_many_long_comments_fits_and_points_to_the_file(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    people = [community.new_citizen(f"many_{n}") for n in range(12)]
    activity_id = await activity_with(running, community, "Busy panel", people)
    bot = running.bot
    async with bot.db.sessions() as session, session.begin():
        for n, person in enumerate(people):
            long = f"Comment {n}: " + "so much to say " * 60
            answers = FormAnswers(
                rating=4, worked=long[:1000], to_change=long[:1000], anonymous=True
            )
            await feedback.submit_form(session, activity_id, person.id, answers, bot.clock.now())
    summary = await sim.slash(
        community.guild, community.coordinator, "feedback summary", {"activity": activity_id}
    )
    message = await summary.wait_followup()
    assert "more in the CSV file" in message.text
    assert not sim.rejected_payloads


async def test_buddy_list_with_many_pairs_fits_with_and_more(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    bot = running.bot
    guild_id = community.guild.id
    people = [community.new_citizen(f"list_{n}") for n in range(40)]
    async with bot.db.sessions() as session, session.begin():
        for n, person in enumerate(people):
            now = bot.clock.now()
            await consent.record_consent(
                session, guild_id, person.id, bot.consent_notice.version, now
            )
            await buddies.save_profile(session, guild_id, person.id, ["research"], ["weekends"])
            await buddies.join(
                session, guild_id, person.id, "buddy" if n % 2 else "newcomer", 1, now
            )
    await running_cog(running, Buddies).run_pairing(guild_id)
    listed = await sim.slash(community.guild, community.coordinator, "buddy list", {})
    assert "more" in listed.text
    assert not sim.rejected_payloads


@pytest.mark.parametrize("option", ["timezone", "quiet_hours"])
async def test_a_very_long_setup_value_gets_a_short_refusal(
    sim: DiscordSimulator, community: Community, running: RunningBot, option: str
) -> None:
    refused = await sim.slash(community.guild, community.admin, "setup", {option: "x" * 4000})
    assert refused.ephemeral
    assert "x" * 100 not in refused.text
    assert len(refused.text) < 300
