"""Forms and menus a person is still using survive a restart of the bot: the profile form, the
buddy questions and the feedback form are answered and saved after it; a feedback form that
can no longer be saved gives the person their own words back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services import buddies, membership
from discord_sim import DiscordSimulator, SimInteraction, SimMessage
from tests.e2e.harness import Community, RunningBot, bot_settings, start_bot
from tests.e2e.test_feedback import activity_with, responses
from tests.e2e.test_membership import PROFILE


@pytest.fixture(scope="module")
async def bots(running: RunningBot) -> AsyncIterator[list[RunningBot]]:
    """The bot now running: the last in the list (each restart adds one)."""
    started = [running]
    yield started
    if started[-1] is not running:
        await started[-1].stop()


async def restart(sim: DiscordSimulator, bots: list[RunningBot], database_url: str) -> RunningBot:
    await bots[-1].stop()
    await sim.wait_for(lambda: not sim.gateway.ready_sessions(), what="the stopped bot to go")
    bots.append(await start_bot(bot_settings(sim, database_url)))
    await sim.wait_until_ready()
    return bots[-1]


def original(ix: SimInteraction) -> SimMessage:
    assert ix.original is not None
    return ix.original


async def test_a_profile_form_opened_before_a_restart_is_saved_after_it(
    sim: DiscordSimulator, community: Community, bots: list[RunningBot], database_url: str
) -> None:
    user = community.new_citizen("restart_profile")
    card = await sim.slash(community.guild, user, "join")
    form = await sim.click(user, original(card), "consent:agree:join:")
    assert form.modal is not None
    now = await restart(sim, bots, database_url)
    saved = await sim.submit_modal(form, PROFILE)
    assert "Saved" in saved.text
    async with now.bot.db.sessions() as session:
        profile = await membership.find_profile(session, community.guild.id, user.id)
    assert profile is not None
    assert profile.display_name == "Sam"


async def test_buddy_questions_begun_before_a_restart_are_saved_after_it(
    sim: DiscordSimulator, community: Community, bots: list[RunningBot], database_url: str
) -> None:
    user = community.new_citizen("restart_buddy")
    card = await sim.slash(community.guild, user, "buddy join", {"role": "newcomer"})
    agree = next(
        c["custom_id"] for c in original(card).all_components() if "agree" in c.get("custom_id", "")
    )
    prompt = await sim.click(user, original(card), agree)
    await sim.choose(user, original(prompt), "What interests you?", ["Research"])
    now = await restart(sim, bots, database_url)
    await sim.choose(user, original(prompt), "When are you usually free?", ["Weekends"])
    save = next(
        c["custom_id"]
        for c in original(prompt).all_components()
        if "save" in c.get("custom_id", "")
    )
    saved = await sim.click(user, original(prompt), save)
    assert "Welcome to the buddy programme" in saved.text
    async with now.bot.db.sessions() as session:
        found = await buddies.status(session, community.guild.id, user.id)
    assert found.enrolment.role == "newcomer"


async def test_a_feedback_form_opened_before_a_restart_keeps_the_text_after_it(
    sim: DiscordSimulator, community: Community, bots: list[RunningBot], database_url: str
) -> None:
    user = community.new_citizen("restart_feedback")
    activity_id = await activity_with(bots[-1], community, "Restart panel", [user])
    opened = await sim.slash(community.guild, user, "feedback give", {"activity": activity_id})
    assert opened.modal is not None
    now = await restart(sim, bots, database_url)
    saved = await sim.submit_modal(
        opened, {"worked": "The tea and the kind chair", "anonymous": True}
    )
    assert "Your feedback on **Restart panel** is saved" in saved.text
    [stored] = await responses(now, activity_id)
    assert stored.worked == "The tea and the kind chair"


async def test_a_feedback_form_that_cannot_be_saved_gives_the_words_back(
    sim: DiscordSimulator, community: Community, bots: list[RunningBot]
) -> None:
    user = community.new_citizen("twice_feedback")
    activity_id = await activity_with(bots[-1], community, "Twice form panel", [user])
    first = await sim.slash(community.guild, user, "feedback give", {"activity": activity_id})
    second = await sim.slash(community.guild, user, "feedback give", {"activity": activity_id})
    await sim.submit_modal(first, {"rating": "4", "anonymous": True})
    refused = await sim.submit_modal(
        second, {"to_change": "More **breaks** @here", "anonymous": True}
    )
    assert refused.ephemeral
    assert "already sent the feedback form" in refused.text
    assert "More \\*\\*breaks\\*\\*" in refused.text
    assert not original(refused).mention_everyone


async def test_a_form_of_a_kind_the_bot_no_longer_has_is_answered_with_expired(
    sim: DiscordSimulator, community: Community, bots: list[RunningBot]
) -> None:
    user = community.new_citizen("retired_form")
    card = await sim.slash(community.guild, user, "join")
    form = await sim.click(user, original(card), "consent:agree:join:")
    assert form.modal is not None
    assert form.response is not None  # as if sent by an older version of the bot:
    form.response["data"]["custom_id"] = "retired:form:1"
    answered = await sim.submit_modal(form, PROFILE)
    assert answered.ephemeral
    assert "Please run the command again" in answered.text
