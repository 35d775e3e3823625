"""Feedback through Discord: the request after an activity, the form, reactions and replies on
the public post, the coordinators' summary and "you said, we did"."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import TypeVar

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from bot.cogs.feedback._cog import Feedback
from bot.services import consent
from db.models import (
    Activity,
    FeedbackComment,
    FeedbackPost,
    FeedbackQuickRating,
    FeedbackResponse,
    OutboxMessage,
    Signup,
)
from discord_sim import DiscordSimulator, SimChannel, SimMessage, SimUser
from tests.e2e.harness import Community, ManualClock, RunningBot, running_cog

T = TypeVar("T")


@pytest.fixture(autouse=True)
def manual_clock(running: RunningBot) -> Iterator[ManualClock]:
    real, clock = running.bot.clock, ManualClock()
    running.bot.clock = clock
    yield clock
    running.bot.clock = real


async def eventually(check: Callable[[], Awaitable[T | None]], what: str) -> T:
    """Re-check the bot's database until `check` holds: reactions and replies change nothing a
    person can see, so there is no simulator event to wait for."""
    try:
        async with asyncio.timeout(5):
            while not (result := await check()):  # noqa: ASYNC110 - polling the database
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
    return result


async def activity_with(
    running: RunningBot,
    community: Community,
    title: str,
    people: list[SimUser],
    *,
    starts_in: timedelta = timedelta(hours=-2),
    status: str = "open",
) -> int:
    """An activity (60 minutes long) with these people confirmed; they have consented."""
    bot = running.bot
    async with bot.db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=community.guild.id,
            title=title,
            kind="education",
            starts_at=bot.clock.now() + starts_in,
            duration_minutes=60,
            capacity=10,
            status=status,
        )
        session.add(activity)
        await session.flush()
        for person in people:
            await consent.record_consent(
                session, community.guild.id, person.id, bot.consent_notice.version, bot.clock.now()
            )
            session.add(Signup(activity_id=activity.id, user_id=person.id, status="confirmed"))
        return activity.id


def cog(running: RunningBot) -> Feedback:
    return running_cog(running, Feedback)


async def dm_containing(sim: DiscordSimulator, user: SimUser, words: str) -> SimMessage:
    return await sim.wait_for(
        lambda: next((m for m in sim.dm_messages(user) if words in m.text), None), what=words
    )


async def feedback_post(
    sim: DiscordSimulator, community: Community, running: RunningBot, title: str
) -> tuple[SimMessage, SimChannel]:
    """The "How did it go?" post for `title`, once its thread exists and the bot knows it."""

    def find() -> tuple[SimMessage, SimChannel] | None:
        post = sim.find_message(community.feedback, contains=f"How did {title} go?")
        thread = next(
            (t for t in community.guild.threads.values() if t.name == f"Feedback: {title}"), None
        )
        return (post, thread) if post is not None and thread is not None else None

    post, thread = await sim.wait_for(find, what=f"the feedback post for {title}")

    async def remembered() -> bool:
        async with running.bot.db.sessions() as session:
            return bool(
                await session.scalar(
                    select(FeedbackPost).where(FeedbackPost.thread_id == thread.id)
                )
            )

    await eventually(remembered, "the bot to remember the thread")
    return post, thread


async def ended_and_asked(
    running: RunningBot, sim: DiscordSimulator, community: Community, title: str, people: int = 1
) -> tuple[int, list[SimUser]]:
    """An activity that has ended, with its feedback requests out to new participants."""
    users = [community.new_citizen(f"{title.lower().replace(' ', '_')}_{n}") for n in range(people)]
    activity_id = await activity_with(running, community, title, users)
    await cog(running).plan_feedback_requests()
    for user in users:
        await dm_containing(sim, user, title)
    return activity_id, users


async def form(sim: DiscordSimulator, user: SimUser, title: str) -> tuple[SimMessage, str]:
    request = await dm_containing(sim, user, title)
    more = next(
        c["custom_id"] for c in request.all_components() if "more" in c.get("custom_id", "")
    )
    return request, more


async def responses(running: RunningBot, activity_id: int) -> list[FeedbackResponse]:
    async with running.bot.db.sessions() as session:
        rows = await session.scalars(
            select(FeedbackResponse).where(FeedbackResponse.activity_id == activity_id)
        )
        return list(rows)


async def quick_rating(running: RunningBot, user: SimUser) -> int | None:
    async with running.bot.db.sessions() as session:
        return await session.scalar(
            select(FeedbackQuickRating.rating).where(FeedbackQuickRating.user_id == user.id)
        )


async def rating_is(running: RunningBot, user: SimUser, expected: int | None) -> bool:
    return await quick_rating(running, user) == expected


# -- asking --------------------------------------------------------------------------------


async def test_the_request_arrives_after_the_activity_ends_with_a_post_and_thread(
    sim: DiscordSimulator, community: Community, running: RunningBot, manual_clock: ManualClock
) -> None:
    alice = community.new_citizen("prompt_alice")
    await activity_with(
        running, community, "Prompt panel", [alice], starts_in=timedelta(minutes=10)
    )
    await cog(running).plan_feedback_requests()
    assert not [m for m in sim.dm_messages(alice) if "Prompt panel" in m.text]

    manual_clock.advance(timedelta(minutes=10 + 60 + 30))
    await cog(running).plan_feedback_requests()
    request = await dm_containing(sim, alice, "Prompt panel")
    labels = [c.get("label") for c in request.all_components() if c.get("type") == 2]
    assert labels == ["Good", "Okay", "Not good", "Tell us more"]
    post, thread = await feedback_post(sim, community, running, "Prompt panel")
    assert "👍 for good" in post.text
    assert thread.parent_id == community.feedback.id


async def test_a_paused_person_is_asked_only_when_their_pause_ends(
    sim: DiscordSimulator, community: Community, running: RunningBot, manual_clock: ManualClock
) -> None:
    pia = community.new_citizen("paused_pia")
    activity_id = await activity_with(running, community, "Paused panel", [pia])
    await sim.slash(community.guild, pia, "pause", {"days": 2})
    await cog(running).plan_feedback_requests()
    await feedback_post(sim, community, running, "Paused panel")  # went out in the same round

    async with running.bot.db.sessions() as session:
        request = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.activity_id == activity_id, OutboxMessage.user_id == pia.id
            )
        )
    assert request is not None
    assert request.claimed_at is None  # not taken with the post it was due with
    assert not [m for m in sim.dm_messages(pia) if "Paused panel" in m.text]
    manual_clock.advance(timedelta(days=2, minutes=1))
    running.bot.outbox.wake()
    await dm_containing(sim, pia, "Paused panel")


async def test_a_quick_button_in_the_request_records_a_rating(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [bea] = await ended_and_asked(running, sim, community, "Button panel")
    request = await dm_containing(sim, bea, "Button panel")
    reply = await sim.click(bea, request, f"feedback:quick:{activity_id}:okay")
    assert reply.ephemeral
    assert "went okay" in reply.text
    assert await quick_rating(running, bea) == 3


# -- the form ------------------------------------------------------------------------------


async def test_the_forms_answers_are_stored(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [cai] = await ended_and_asked(running, sim, community, "Form panel")
    request, more = await form(sim, cai, "Form panel")
    opened = await sim.click(cai, request, more)
    assert opened.modal is not None
    saved = await sim.submit_modal(
        opened,
        {"rating": "4", "worked": "Kind hosts", "to_change": "More breaks", "anonymous": False},
    )
    assert saved.ephemeral
    assert "saved with your name" in saved.text
    [stored] = await responses(running, activity_id)
    assert (stored.rating, stored.worked, stored.to_change) == (4, "Kind hosts", "More breaks")
    assert stored.user_id == cai.id


async def test_feedback_give_refuses_a_second_form_kindly(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [dev] = await ended_and_asked(running, sim, community, "Twice panel")
    opened = await sim.slash(community.guild, dev, "feedback give", {"activity": activity_id})
    await sim.submit_modal(opened, {"rating": "5", "anonymous": True})
    again = await sim.slash(community.guild, dev, "feedback give", {"activity": activity_id})
    assert again.modal is None
    assert again.ephemeral
    assert "already sent the feedback form for **Twice panel**" in again.text
    assert len(await responses(running, activity_id)) == 1


async def test_an_empty_form_is_refused_and_nothing_is_kept(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [eve] = await ended_and_asked(running, sim, community, "Empty panel")
    opened = await sim.slash(community.guild, eve, "feedback give", {"activity": activity_id})
    reply = await sim.submit_modal(opened, {"anonymous": True})
    assert reply.ephemeral
    assert "The form was empty, so nothing was saved" in reply.text
    assert await responses(running, activity_id) == []
    retry = await sim.slash(community.guild, eve, "feedback give", {"activity": activity_id})
    assert retry.modal is not None  # nothing was half-written, so they can try again


async def test_feedback_before_the_start_or_on_a_cancelled_activity_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    fay = community.new_citizen("early_fay")
    upcoming = await activity_with(
        running, community, "Later panel", [fay], starts_in=timedelta(days=1)
    )
    cancelled = await activity_with(running, community, "Gone panel", [fay], status="cancelled")
    early = await sim.slash(community.guild, fay, "feedback give", {"activity": upcoming})
    assert early.ephemeral
    assert "has not started yet" in early.text
    gone = await sim.slash(community.guild, fay, "feedback give", {"activity": cancelled})
    assert gone.ephemeral
    assert "was cancelled" in gone.text


async def test_feedback_give_asks_for_consent_first_then_opens_the_form(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, _ = await ended_and_asked(running, sim, community, "Consent panel")
    newcomer = community.new_citizen("consent_gus")
    card = await sim.slash(community.guild, newcomer, "feedback give", {"activity": activity_id})
    assert card.original is not None
    agree = f"consent:agree:feedback_give:{activity_id}"
    opened = await sim.click(newcomer, card.original, agree)
    assert opened.modal is not None
    assert opened.modal["custom_id"] == f"feedback:form:{activity_id}"


async def test_the_activity_option_suggests_activities_by_name(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [hal] = await ended_and_asked(running, sim, community, "Suggested panel")
    choices = await sim.autocomplete(community.guild, hal, "feedback give", "activity", "sugg")
    assert [c["value"] for c in choices] == [str(activity_id)]
    by_title = await sim.slash(
        community.guild, hal, "feedback give", {"activity": "suggested panel"}
    )
    assert by_title.modal is not None


# -- reactions and replies on the post -------------------------------------------------------


async def test_reactions_add_change_and_remove_a_quick_rating(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    _, [ivy] = await ended_and_asked(running, sim, community, "Reaction panel")
    post, _ = await feedback_post(sim, community, running, "Reaction panel")
    await sim.add_reaction(post, ivy, "👍")
    await eventually(lambda: rating_is(running, ivy, 5), "the good rating")
    await sim.add_reaction(post, ivy, "👎")
    await eventually(lambda: rating_is(running, ivy, 1), "the latest rating to win")
    await sim.remove_reaction(post, ivy, "👍")
    await sim.remove_reaction(post, ivy, "👎")
    await eventually(lambda: rating_is(running, ivy, None), "the rating to be removed")


async def test_a_reply_in_the_thread_becomes_a_comment(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [jo] = await ended_and_asked(running, sim, community, "Reply panel")
    _, thread = await feedback_post(sim, community, running, "Reply panel")
    await sim.post_message(thread, jo, "The room was too warm")

    async def comment() -> FeedbackComment | None:
        async with running.bot.db.sessions() as session:
            return await session.scalar(
                select(FeedbackComment).where(FeedbackComment.activity_id == activity_id)
            )

    kept = await eventually(comment, "the comment")
    assert (kept.text, kept.user_id) == ("The room was too warm", jo.id)


# -- coordinators ----------------------------------------------------------------------------


async def test_a_citizens_feedback_summary_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [kim] = await ended_and_asked(running, sim, community, "Private panel")
    reply = await sim.slash(community.guild, kim, "feedback summary", {"activity": activity_id})
    assert reply.ephemeral
    assert "Only coordinators can do this" in reply.text
    assert reply.files == []


async def test_the_summary_has_a_png_chart_and_a_csv_matching_the_answers(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [lea, max_] = await ended_and_asked(
        running, sim, community, "Summary panel", people=2
    )
    for user, answers in (
        (lea, {"rating": "2", "to_change": "Clearer slides", "anonymous": True}),
        (max_, {"rating": "5", "worked": "Friendly chair", "anonymous": False}),
    ):
        opened = await sim.slash(community.guild, user, "feedback give", {"activity": activity_id})
        await sim.submit_modal(opened, answers)

    summary = await sim.slash(
        community.guild, community.coordinator, "feedback summary", {"activity": activity_id}
    )
    await summary.wait_followup()
    assert summary.ephemeral
    assert "2 forms" in summary.text
    assert "Average rating 3.5 out of 5" in summary.text
    assert "Clearer slides (rated 2, anonymous)" in summary.text
    files = dict(summary.files)
    chart = Image.open(io.BytesIO(files["ratings.png"]))
    chart.load()
    assert isinstance(chart, PngImagePlugin.PngImageFile)
    assert chart.text["Description"] == "ratings 1:0 2:1 3:0 4:0 5:1; average 3.50; 2 ratings"
    rows = list(csv.DictReader(io.StringIO(files[f"feedback-activity-{activity_id}.csv"].decode())))
    assert sorted((row["rating"], row["from"]) for row in rows) == [
        ("2", "anonymous"),
        ("5", "summary_panel_1"),
    ]


async def test_you_said_we_did_reaches_an_anonymous_contributor(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [nia] = await ended_and_asked(running, sim, community, "Closing panel")
    opened = await sim.slash(community.guild, nia, "feedback give", {"activity": activity_id})
    await sim.submit_modal(opened, {"rating": "3", "to_change": "Longer breaks", "anonymous": True})

    reply = await sim.slash(
        community.guild,
        community.coordinator,
        "feedback respond",
        {"activity": activity_id, "text": "Breaks are now 15 minutes."},
    )
    assert reply.ephemeral
    assert "to the 1 people who gave feedback" in reply.text
    told = await dm_containing(sim, nia, "You said, we did")
    assert "Breaks are now 15 minutes." in told.text
    assert "Closing panel" in told.text
    posted = await sim.wait_for(
        lambda: sim.find_message(community.feedback, contains="You said, we did: Closing panel"),
        what="the public post",
    )
    assert "Breaks are now 15 minutes." in posted.text


async def test_mine_counts_the_activities_a_person_gave_feedback_on(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, [oli] = await ended_and_asked(running, sim, community, "Mine panel")
    before = await sim.slash(community.guild, oli, "mine")
    assert "given feedback" not in before.text
    opened = await sim.slash(community.guild, oli, "feedback give", {"activity": activity_id})
    await sim.submit_modal(opened, {"rating": "4", "anonymous": True})
    after = await sim.slash(community.guild, oli, "mine")
    assert "You have given feedback on 1 activity." in after.text
