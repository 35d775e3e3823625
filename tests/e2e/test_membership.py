"""Membership through the simulator: join with consent, profile, pause, privacy, export,
delete, and the welcome for new server members."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from bot.cogs.membership._views import confirmation_refusal
from bot.delivery import Outgoing
from bot.outbox import OutboxDispatcher
from bot.services import consent, membership, outbox
from bot.services.outbox import OutboxItem, OutboxKind
from bot.ui.consent import AfterConsent
from discord_sim import DiscordSimulator, SimInteraction, SimMessage, SimUser
from tests.e2e.harness import Community, ManualClock, RunningBot
from tests.test_erasure import rows_naming, seed_every_kind

PROFILE = {
    "name": "Sam",
    "interests": ["research", "education"],
    "adjustments": "Large print, please",
    "availability": ["weekends"],
    "dms": "no",
}


@pytest.fixture
def clock(running: RunningBot) -> Iterator[ManualClock]:
    original = running.bot.clock
    running.bot.clock = ManualClock()
    yield running.bot.clock
    running.bot.clock = original


@pytest.fixture
async def outbox_by_hand(running: RunningBot) -> AsyncIterator[OutboxDispatcher]:
    """The dispatcher, stopped in the background: the test says when it runs."""
    dispatcher = running.bot.outbox
    await dispatcher.stop()
    dispatcher.register(PROMPT_KIND, render_prompt)
    yield dispatcher
    dispatcher.start()


PROMPT_KIND = cast(OutboxKind, "membership-test.prompt")  # a kind only this module registers


async def render_prompt(item: OutboxItem) -> Outgoing:
    return Outgoing(content="A gentle prompt about an activity")


async def profile_of(running: RunningBot, community: Community, user: SimUser) -> Any:
    async with running.bot.db.sessions() as session:
        return await membership.find_profile(session, community.guild.id, user.id)


def original(ix: SimInteraction) -> SimMessage:
    assert ix.original is not None, ix
    return ix.original


async def join(
    sim: DiscordSimulator, community: Community, user: SimUser, profile: dict[str, Any] = PROFILE
) -> SimInteraction:
    """/join, "I agree", and the profile form filled in: what a newcomer does."""
    card = await sim.slash(community.guild, user, "join")
    form = await sim.click(user, original(card), "consent:agree:join:")
    return await sim.submit_modal(form, profile)


def form_fields(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {label["component"]["custom_id"]: label for label in modal["components"]}


async def test_join_shows_the_consent_card_then_the_profile_form(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("sam")
    card = await sim.slash(community.guild, user, "join")
    assert card.ephemeral
    assert "Before you take part" in card.text
    assert await profile_of(running, community, user) is None

    form = await sim.click(user, original(card), "consent:agree:join:")
    assert form.modal is not None
    assert form.modal["title"] == "Your profile"
    saved = await sim.submit_modal(form, PROFILE)

    assert saved.ephemeral
    assert "Saved" in saved.text
    assert "Large print, please" in saved.text
    assert await profile_of(running, community, user) == membership.Profile(
        display_name="Sam",
        interests=("education", "research"),
        availability=("weekends",),
        adjustments="Large print, please",
        wants_dms=False,
        paused_until=None,
    )


async def test_join_again_skips_the_card_and_points_to_profile(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("jo")
    await join(sim, community, user)
    again = await sim.slash(community.guild, user, "join")
    assert again.ephemeral
    assert "already joined" in again.text
    assert "/profile" in again.text
    assert "Before you take part" not in again.text


async def test_consent_given_elsewhere_counts_and_join_goes_straight_to_the_form(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("kim")
    async with running.bot.db.sessions() as session, session.begin():  # as a sign-up would
        await consent.record_consent(
            session,
            community.guild.id,
            user.id,
            running.bot.consent_notice.version,
            running.bot.clock.now(),
        )
    form = await sim.slash(community.guild, user, "join")
    assert form.modal is not None
    await sim.submit_modal(form, PROFILE)
    profile = await profile_of(running, community, user)
    assert profile is not None
    assert profile.filled_in


async def test_the_profile_form_asks_what_helps_never_about_conditions(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("lee")
    card = await sim.slash(community.guild, user, "join")
    form = await sim.click(user, original(card), "consent:agree:join:")
    assert form.modal is not None
    words = json.dumps(form.modal).lower()
    assert "is there anything that helps you take part?" in words
    assert "large print, or breaks every 30 minutes" in words
    for asked_never in ("condition", "diagnos", "illness", "disab", "health"):
        assert asked_never not in words
    adjustments = form_fields(form.modal)["adjustments"]["component"]
    assert adjustments["max_length"] == 500


async def test_profile_shows_it_and_edits_it_in_the_same_form_filled_in(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("ola")
    await join(sim, community, user)
    shown = await sim.slash(community.guild, user, "profile")
    assert shown.ephemeral
    assert "Sam" in shown.text
    assert "Weekends" in shown.text
    assert "Large print" in shown.text

    form = await sim.click(user, original(shown), "membership:edit_profile")
    assert form.modal is not None
    fields = form_fields(form.modal)
    assert fields["name"]["component"]["value"] == "Sam"
    picked = [o["value"] for o in fields["interests"]["component"]["options"] if o.get("default")]
    assert picked == ["education", "research"]
    await sim.submit_modal(form, {"name": "Samira", "dms": "yes"})

    profile = await profile_of(running, community, user)
    assert (profile.display_name, profile.wants_dms, profile.interests) == (
        "Samira",
        True,
        ("education", "research"),
    )


async def test_profile_before_joining_points_to_join(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await sim.slash(community.guild, community.new_citizen("pat"), "profile")
    assert reply.ephemeral
    assert "/join" in reply.text


async def test_pause_is_stored_and_mine_shows_when_it_ends(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    user = community.new_citizen("ray")
    await join(sim, community, user)
    reply = await sim.slash(community.guild, user, "pause", {"days": 14})

    until = clock.now() + timedelta(days=14)
    stamp = f"<t:{int(until.timestamp())}:F>"
    assert reply.ephemeral
    assert stamp in reply.text
    assert (await profile_of(running, community, user)).paused_until == until
    mine = await sim.slash(community.guild, user, "mine")
    assert "taking a break" in mine.text
    assert stamp in mine.text


async def test_prompts_wait_while_paused_and_come_after_resume(
    sim: DiscordSimulator,
    community: Community,
    running: RunningBot,
    clock: ManualClock,
    outbox_by_hand: OutboxDispatcher,
) -> None:
    user = community.new_citizen("ivy")
    await join(sim, community, user, {**PROFILE, "dms": "yes"})
    await sim.slash(community.guild, user, "pause", {"days": 7})
    async with running.bot.db.sessions() as session, session.begin():
        await outbox.enqueue(
            session,
            guild_id=community.guild.id,
            kind=PROMPT_KIND,
            dedupe_key=f"membership-test:{user.id}",
            due_at=clock.now(),
            user_id=user.id,
        )

    assert await outbox_by_hand.dispatch_due() == 0
    assert sim.dm_messages(user) == []

    await sim.slash(community.guild, user, "resume")
    assert await outbox_by_hand.dispatch_due() == 1
    assert [m.content for m in sim.dm_messages(user)] == ["A gentle prompt about an activity"]


async def test_resume_ends_the_pause(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    user = community.new_citizen("una")
    await join(sim, community, user)
    await sim.slash(community.guild, user, "pause", {"days": 3})
    reply = await sim.slash(community.guild, user, "resume")
    assert reply.ephemeral
    assert "Welcome back" in reply.text
    assert (await profile_of(running, community, user)).paused_until is None
    again = await sim.slash(community.guild, user, "resume")
    assert "not paused" in again.text


@pytest.mark.parametrize("days", [0, 1000])
async def test_pause_outside_1_to_365_days_cannot_be_sent(
    sim: DiscordSimulator, community: Community, running: RunningBot, days: int
) -> None:
    option = sim.commands["pause"]["options"][0]
    assert (option["min_value"], option["max_value"]) == (1, 365)
    with pytest.raises(AssertionError, match="outside"):  # Discord itself refuses it
        await sim.slash(community.guild, community.citizens[0], "pause", {"days": days})


async def test_privacy_shows_the_notice_with_how_to_export_and_delete(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await sim.slash(community.guild, community.new_citizen("val"), "privacy")
    assert reply.ephemeral
    for words in ("What we keep", "Who sees it", "/mydata export", "/mydata delete", "consent"):
        assert words in reply.text


async def test_export_is_a_private_file_of_everything_about_them_only(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user, other = community.new_citizen("wes"), community.new_citizen("xia")
    await join(sim, community, user)
    await join(sim, community, other)
    reply = await sim.slash(community.guild, user, "mydata export")

    assert reply.ephemeral
    files = dict(reply.files)
    assert set(files) == {"my-data.html", "my-data.json"}
    data = files["my-data.json"]
    document = json.loads(data)
    [member] = document["tables"]["members"]
    assert (member["user_id"], member["adjustments"]) == (user.id, "Large print, please")
    assert str(other.id) not in data.decode()


async def test_delete_after_confirming_leaves_no_trace_in_any_table(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("yan")
    await join(sim, community, user)
    await sim.slash(community.guild, user, "pause", {"days": 5})
    warning = await sim.slash(community.guild, user, "mydata delete")
    assert warning.ephemeral
    assert "cannot be undone" in warning.text
    assert await rows_naming(running.bot.db.engine, user.id) != []

    done = await sim.click(user, original(warning), f"mydata:erase:{user.id}:{_issued(warning)}")

    assert "Everything we held about you has been deleted" in done.text
    assert await rows_naming(running.bot.db.engine, user.id) == []


async def test_delete_erases_every_kind_of_row_through_every_capability(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user, other = community.new_citizen("ken"), community.new_citizen("lia")
    await seed_every_kind(running.bot.db, user.id, other.id, community.guild.id)
    await seed_every_kind(running.bot.db, other.id, user.id, community.guild.id)
    warning = await sim.slash(community.guild, user, "mydata delete")

    done = await sim.click(user, original(warning), f"mydata:erase:{user.id}:{_issued(warning)}")

    assert "Everything we held about you has been deleted" in done.text
    assert await rows_naming(running.bot.db.engine, user.id) == []
    assert await rows_naming(running.bot.db.engine, other.id) != []


async def test_an_old_confirmation_pressed_after_deleting_changes_nothing(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("zed")
    await join(sim, community, user)
    first = await sim.slash(community.guild, user, "mydata delete")
    second = await sim.slash(community.guild, user, "mydata delete")
    await sim.click(user, original(first), f"mydata:erase:{user.id}:{_issued(first)}")

    late = await sim.click(user, original(second), f"mydata:erase:{user.id}:{_issued(second)}")

    assert "nothing to delete" in late.text
    assert "Something went wrong" not in late.text


async def test_a_confirmation_too_old_deletes_nothing(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    user = community.new_citizen("abe")
    await join(sim, community, user)
    warning = await sim.slash(community.guild, user, "mydata delete")
    clock.advance(timedelta(hours=1))

    late = await sim.click(user, original(warning), f"mydata:erase:{user.id}:{_issued(warning)}")

    assert late.ephemeral
    assert "too old" in late.text
    assert await profile_of(running, community, user) is not None


async def test_delete_or_export_with_no_data_gets_a_kind_answer(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = community.new_citizen("bea")
    for command in ("mydata delete", "mydata export"):
        reply = await sim.slash(community.guild, user, command)
        assert reply.ephemeral
        assert "We hold nothing about you" in reply.text
        assert not reply.files
        assert not reply.components


async def test_a_member_in_screening_is_welcomed_once_they_pass_it(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = sim.create_user("screened_sol")
    member = await sim.member_join(community.guild, user, pending=True)
    guild = running.bot.get_guild(community.guild.id)
    assert guild is not None
    await sim.wait_for(lambda: guild.get_member(user.id), what="the bot to see the join")
    # A command that reads the database too: had the join been welcomed, it would be by now.
    await sim.slash(community.guild, user, "mydata export")
    assert welcomes_for(sim, community, user) == []

    member.pending = False
    await sim.publish_change(member)
    await sim.wait_for(lambda: welcomes_for(sim, community, user), what="a welcome")


def welcomes_for(sim: DiscordSimulator, community: Community, user: SimUser) -> list[SimMessage]:
    return [m for m in sim.channel_messages(community.welcome) if f"<@{user.id}>" in m.content]


async def test_a_new_server_member_is_welcomed_with_get_started(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    user = sim.create_user("newcomer_nia")
    await sim.member_join(community.guild, user)
    [welcome] = await sim.wait_for(
        lambda: welcomes_for(sim, community, user), what="a welcome in the welcome channel"
    )
    assert "Get started" in welcome.text
    assert sim.dm_messages(user) == []

    card = await sim.click(user, welcome, "membership:get_started")
    assert card.ephemeral
    assert "Before you take part" in card.text
    form = await sim.click(user, original(card), "consent:agree:join:")
    assert form.modal is not None
    assert form.modal["title"] == "Your profile"


def test_only_the_person_who_asked_can_confirm_soon_after() -> None:
    asked = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert confirmation_refusal(7, 7, asked, asked + timedelta(minutes=5)) is None
    assert "someone else" in str(confirmation_refusal(7, 8, asked, asked))
    assert "too old" in str(confirmation_refusal(7, 7, asked, asked + timedelta(hours=1)))


def _issued(warning: SimInteraction) -> str:
    """The time stamp in the confirmation button's custom id (the bot's clock when asked)."""
    [custom_id] = [
        c["custom_id"]
        for c in original(warning).all_components()
        if str(c.get("custom_id", "")).startswith("mydata:erase:")
    ]
    return str(custom_id).rsplit(":", 1)[1]


async def test_i_agree_with_no_handler_for_what_they_started_says_so_and_logs_an_error(
    sim: DiscordSimulator,
    community: Community,
    running: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = community.new_citizen("noor")
    card = await sim.slash(community.guild, user, "join")
    monkeypatch.delitem(running.bot.after_consent, AfterConsent.JOIN)

    with caplog.at_level(logging.ERROR, logger="bot.cogs.membership._views"):
        answer = await sim.click(user, original(card), "consent:agree:join:")

    assert "We could not finish what you started, so please do it again now." in answer.text
    assert "No handler for the consent continuation 'join'" in caplog.text
