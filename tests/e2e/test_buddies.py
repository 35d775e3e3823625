"""The buddy programme through Discord: joining, pairing, introductions, proposals, check-ins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import func, select

from bot.cogs.buddies._cog import Buddies
from bot.ui.text import shown_line
from db.models import BuddyEnrolment
from discord_sim import DiscordSimulator, SimChannel, SimMessage, SimUser
from discord_sim import permissions as perm
from discord_sim.models import PRIVATE_THREAD
from discord_sim.permissions import VIEW_CHANNEL
from tests.e2e.harness import Community, ManualClock, RunningBot, running_cog


@pytest.fixture(autouse=True)
def manual_clock(running: RunningBot) -> Iterator[ManualClock]:
    real, clock = running.bot.clock, ManualClock()
    running.bot.clock = clock
    yield clock
    running.bot.clock = real


async def join(
    sim: DiscordSimulator, community: Community, user: SimUser, role: str, **options: object
) -> str:
    """`/buddy join` as a newcomer to the server would: consent card, then the short profile."""
    card = await sim.slash(community.guild, user, "buddy join", {"role": role, **options})
    assert card.original is not None
    agree = button(card.original, "agree")
    prompt = await sim.click(user, card.original, agree)
    assert prompt.original is not None
    await sim.choose(user, prompt.original, "What interests you?", ["Research", "Policy"])
    await sim.choose(user, prompt.original, "When are you usually free?", ["Weekday evenings"])
    saved = await sim.click(user, prompt.original, button(prompt.original, "save"))
    return saved.text


def button(message: SimMessage | None, ending: str) -> str:
    """The custom id of the button on `message` whose id ends with (or contains) `ending`."""
    assert message is not None
    ids = [str(c["custom_id"]) for c in message.all_components() if "custom_id" in c]
    return next(i for i in ids if i.endswith(ending) or ending in i.split(":"))


async def enrolled_count(running: RunningBot) -> int:
    async with running.bot.db.sessions() as session:
        return int(await session.scalar(select(func.count(BuddyEnrolment.id))) or 0)


def pair_thread(community: Community, *people: SimUser) -> SimChannel | None:
    wanted = {person.id for person in people}
    return next(
        (
            thread
            for thread in community.guild.threads.values()
            if thread.parent_id == community.buddies.id and wanted <= set(thread.thread_members)
        ),
        None,
    )


COORDINATORS_THREAD = "Buddy programme: for coordinators"


def coordinators_thread(community: Community) -> SimChannel | None:
    """The one private thread in the buddies channel where proposals and help alerts go."""
    found = [
        thread
        for thread in community.guild.threads.values()
        if thread.parent_id == community.buddies.id and thread.name == COORDINATORS_THREAD
    ]
    assert len(found) <= 1, "the coordinators' thread is made once and reused"
    return found[0] if found else None


def assert_only_coordinators_in(
    sim: DiscordSimulator, community: Community, thread: SimChannel, *people: SimUser
) -> None:
    assert thread.type == PRIVATE_THREAD
    members = {user.id for user in sim.thread_members(thread)}
    assert community.coordinator.id in members
    assert community.guild.can(community.coordinator, thread, VIEW_CHANNEL)
    for person in people:  # so they cannot read it, nor press Approve or Skip
        assert person.id not in members
        assert not community.guild.can(person, thread, VIEW_CHANNEL)


def assert_nothing_in_the_open_channel_about(
    sim: DiscordSimulator, community: Community, *people: SimUser
) -> None:
    for message in sim.channel_messages(community.buddies):
        for person in people:
            assert person.mention not in message.text
        assert "would like some help" not in message.text
        assert "Buddy proposal" not in message.text


async def new_pair(
    sim: DiscordSimulator, community: Community, name: str
) -> tuple[SimUser, SimUser, SimChannel]:
    buddy, newcomer = community.new_citizen(f"{name}_buddy"), community.new_citizen(f"{name}_new")
    await join(sim, community, buddy, "buddy", capacity=1)
    await join(sim, community, newcomer, "newcomer")
    await sim.slash(community.guild, community.coordinator, "buddy pair", {})
    thread = await sim.wait_for(lambda: pair_thread(community, buddy, newcomer), what="pair thread")
    return buddy, newcomer, thread


async def dm_containing(sim: DiscordSimulator, user: SimUser, words: str) -> SimMessage:
    return await sim.wait_for(
        lambda: next((m for m in sim.dm_messages(user) if words in m.text), None), what=words
    )


async def test_joining_asks_for_consent_then_interests_and_times(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    newcomer = community.new_citizen("nia")
    text = await join(sim, community, newcomer, "newcomer")
    assert "on the list for a buddy" in text
    status = await sim.slash(community.guild, newcomer, "buddy status", {})
    assert status.ephemeral
    assert "as a newcomer" in status.text
    await sim.slash(community.guild, newcomer, "buddy leave", {})


async def test_pairing_opens_a_private_thread_with_both_and_why(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    buddy, newcomer, thread = await new_pair(sim, community, "intro")
    intro = await sim.wait_for(lambda: next(iter(thread.messages), None), what="introduction")
    assert "Why you were paired:** You both care about research and policy" in intro.text
    assert buddy.mention in intro.text
    assert newcomer.mention in intro.text
    status = await sim.slash(community.guild, newcomer, "buddy status", {})
    assert f"{buddy.mention} is your buddy" in status.text
    assert "Next check-in" in status.text


async def test_a_checkin_answered_id_like_help_reaches_coordinators_in_their_private_thread(
    sim: DiscordSimulator, community: Community, running: RunningBot, manual_clock: ManualClock
) -> None:
    buddy, newcomer, _ = await new_pair(sim, community, "help")
    manual_clock.advance(timedelta(days=7, minutes=1))
    running.bot.outbox.wake()
    checkin = await dm_containing(sim, newcomer, "Have you talked")
    help_id = button(checkin, ":help")
    answer = await sim.click(newcomer, checkin, help_id)
    assert "coordinator will get in touch" in answer.text
    thread = await sim.wait_for(lambda: coordinators_thread(community), what="coordinators thread")
    alert = await sim.wait_for(
        lambda: sim.find_message(thread, contains="would like some help"), what="alert"
    )
    assert community.coordinators.mention in alert.text
    assert newcomer.mention not in alert.text
    assert_only_coordinators_in(sim, community, thread, buddy, newcomer)
    assert_nothing_in_the_open_channel_about(sim, community, buddy, newcomer)


async def test_approval_mode_posts_proposals_in_the_coordinators_private_thread(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    running.bot.settings.buddies.approval_mode = "approve"
    try:
        buddy, newcomer = community.new_citizen("ap_buddy"), community.new_citizen("ap_new")
        await join(sim, community, buddy, "buddy", capacity=1)
        await join(sim, community, newcomer, "newcomer")
        reply = await sim.slash(community.guild, community.coordinator, "buddy pair", {})
        assert "waiting for approval" in reply.text
        assert COORDINATORS_THREAD in reply.text
        thread = await sim.wait_for(
            lambda: coordinators_thread(community), what="coordinators thread"
        )
        proposal = await sim.wait_for(
            lambda: sim.find_message(thread, contains=newcomer.mention), what="proposal"
        )
        assert buddy.mention in proposal.text
        assert_only_coordinators_in(sim, community, thread, buddy, newcomer)
        assert_nothing_in_the_open_channel_about(sim, community, buddy, newcomer)
        approve = button(proposal, ":approve")
        assert pair_thread(community, buddy, newcomer) is None
        decided = await sim.click(community.coordinator, proposal, approve)
        assert "Approved" in decided.text
        await sim.wait_for(lambda: pair_thread(community, buddy, newcomer), what="pair thread")
    finally:
        running.bot.settings.buddies.approval_mode = "auto"


async def test_the_coordinators_thread_follows_the_coordinator_role(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    new_coordinator = community.new_citizen("new_coordinator")
    community.guild.add_member(new_coordinator, roles=[community.coordinators.id])
    guild = running.bot.get_guild(community.guild.id)
    assert guild is not None

    def role_holders() -> set[int]:
        role = guild.get_role(community.coordinators.id)
        return {member.id for member in role.members} if role else set()

    await sim.wait_for(lambda: new_coordinator.id in role_holders() or None, what="role given")
    running.bot.settings.buddies.approval_mode = "approve"
    try:
        for round_name, coordinator in (("role_on", True), ("role_off", False)):
            buddy = community.new_citizen(f"{round_name}_buddy")
            newcomer = community.new_citizen(f"{round_name}_new")
            await join(sim, community, buddy, "buddy", capacity=1)
            await join(sim, community, newcomer, "newcomer")
            await sim.slash(community.guild, community.coordinator, "buddy pair", {})
            thread = await sim.wait_for(
                lambda: coordinators_thread(community), what="coordinators thread"
            )
            await sim.wait_for(
                partial(sim.find_message, thread, contains=newcomer.mention),
                what="proposal",
            )
            members = {user.id for user in sim.thread_members(thread)}
            assert (new_coordinator.id in members) is coordinator
            assert_only_coordinators_in(sim, community, thread, buddy, newcomer)
            if coordinator:
                community.guild.add_member(new_coordinator, roles=[])
                await sim.wait_for(
                    lambda: new_coordinator.id not in role_holders() or None, what="role taken"
                )
    finally:
        running.bot.settings.buddies.approval_mode = "auto"


async def test_the_weekly_run_pairs_people_at_the_community_time(
    sim: DiscordSimulator, community: Community, running: RunningBot, manual_clock: ManualClock
) -> None:
    cog = running_cog(running, Buddies)
    buddy, newcomer = community.new_citizen("wk_buddy"), community.new_citizen("wk_new")
    await join(sim, community, buddy, "buddy", capacity=1)
    await join(sim, community, newcomer, "newcomer")
    await cog.weekly_tick()  # the community is seen: its next run is next week
    assert pair_thread(community, buddy, newcomer) is None
    manual_clock.advance(timedelta(weeks=1))
    await cog.weekly_tick()
    await sim.wait_for(lambda: pair_thread(community, buddy, newcomer), what="pair thread")


async def test_capacity_outside_one_to_five_is_refused_kindly(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    before = await enrolled_count(running)
    reply = await sim.slash(
        community.guild,
        community.new_citizen("cap"),
        "buddy join",
        {"role": "buddy", "capacity": 9},
    )
    assert reply.ephemeral
    assert "1 to 5" in reply.text
    assert await enrolled_count(running) == before


async def test_joining_twice_is_refused_kindly(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    person = community.new_citizen("twice")
    await join(sim, community, person, "newcomer")
    before = await enrolled_count(running)
    again = await sim.slash(community.guild, person, "buddy join", {"role": "buddy"})
    assert again.ephemeral
    assert "already in the buddy programme as a newcomer" in again.text
    assert await enrolled_count(running) == before
    await sim.slash(community.guild, person, "buddy leave", {})


async def test_leaving_when_not_in_the_programme_is_answered_kindly(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await sim.slash(community.guild, community.new_citizen("stranger"), "buddy leave", {})
    assert reply.ephemeral
    assert "not in the buddy programme" in reply.text


async def test_an_old_checkin_button_gets_a_kind_answer(
    sim: DiscordSimulator, community: Community, running: RunningBot, manual_clock: ManualClock
) -> None:
    buddy, newcomer, _ = await new_pair(sim, community, "old")
    manual_clock.advance(timedelta(days=7, minutes=1))
    running.bot.outbox.wake()
    checkin = await dm_containing(sim, buddy, "Have you talked")
    status = await sim.slash(community.guild, newcomer, "buddy status", {})
    assert status.original is not None
    end = button(status.original, ":ended")
    await sim.click(newcomer, status.original, end)
    await dm_containing(sim, buddy, "pairing has ended")
    yes = button(checkin, ":yes")
    answer = await sim.click(buddy, checkin, yes)
    assert answer.ephemeral
    assert "has ended" in answer.text
    await sim.slash(
        community.guild, buddy, "buddy leave", {}
    )  # leave no free place for later tests


async def test_coordinators_see_pairs_and_citizens_cannot(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    buddy, newcomer, _ = await new_pair(sim, community, "list")
    shown = await sim.slash(community.guild, community.coordinator, "buddy list", {})
    assert f"{buddy.mention} with {newcomer.mention}" in shown.text
    refused = await sim.slash(community.guild, buddy, "buddy list", {})
    assert "Only coordinators" in refused.text


async def test_a_pair_ends_after_its_weeks_with_a_thank_you(
    sim: DiscordSimulator, community: Community, running: RunningBot, manual_clock: ManualClock
) -> None:
    buddy, newcomer, _ = await new_pair(sim, community, "thanks")
    manual_clock.advance(timedelta(weeks=running.bot.settings.buddies.pair_weeks, minutes=1))
    running.bot.outbox.wake()
    for person in (buddy, newcomer):
        await dm_containing(sim, person, "come to an end. Thank you")
    status = await sim.slash(community.guild, newcomer, "buddy status", {})
    assert "not in the buddy programme" in status.text
    await sim.slash(community.guild, buddy, "buddy leave", {})


async def test_each_person_is_introduced_directly_when_no_private_thread_can_be_made(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    """The bot may lose the right to create private threads in the buddies channel: the pair
    is still introduced, each person by DM (their own private thread if DMs are closed)."""
    channel = community.buddies
    denied = {
        "id": str(community.guild.bot_role.id),
        "type": 0,
        "allow": "0",
        "deny": str(perm.CREATE_PRIVATE_THREADS),
    }
    channel.overwrites.append(denied)
    await sim.publish_change(channel)
    try:
        buddy, newcomer = community.new_citizen("nothread_b"), community.new_citizen("nothread_n")
        await join(sim, community, buddy, "buddy", capacity=1)
        await join(sim, community, newcomer, "newcomer")
        await sim.slash(community.guild, community.coordinator, "buddy pair", {})
        # People waiting from earlier tests may be matched first, so follow the introduction.
        to_newcomer = await dm_containing(sim, newcomer, "Meet your buddy")
        their_buddy = next(
            u for u in community.citizens if f"**{shown_line(u.name)}**" in to_newcomer.text
        )
        to_their_buddy = await dm_containing(sim, their_buddy, f"**{shown_line(newcomer.name)}**")
        assert "Meet your newcomer" in to_their_buddy.text
        assert "You both care about research and policy" in to_newcomer.text
        assert pair_thread(community, their_buddy, newcomer) is None
    finally:
        channel.overwrites.remove(denied)
        await sim.publish_change(channel)
