from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select

from bot.errors import Conflict, InvalidInput
from bot.services import feedback
from bot.services.feedback import FormAnswers
from bot.services.feedback_chart import rating_chart
from db.engine import Database
from db.models import (
    Activity,
    FeedbackGiver,
    FeedbackPost,
    FeedbackQuickRating,
    FeedbackResponse,
    OutboxMessage,
    Signup,
)

GUILD = 1
START = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
DURING = START + timedelta(minutes=30)
AFTER = START + timedelta(hours=2)
ALICE, BOB, CAROL = 101, 102, 103
ANSWERS = FormAnswers(rating=4, worked="Kind hosts", to_change="More breaks", anonymous=False)


async def make_activity(
    db: Database,
    *,
    status: str = "open",
    confirmed: tuple[int, ...] = (ALICE, BOB),
    waiting: tuple[int, ...] = (),
    starts_at: datetime = START,
) -> int:
    async with db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=GUILD,
            title="Interview panel",
            kind="education",
            starts_at=starts_at,
            duration_minutes=60,
            capacity=10,
            status=status,
        )
        session.add(activity)
        await session.flush()
        for user_id in confirmed:
            session.add(Signup(activity_id=activity.id, user_id=user_id, status="confirmed"))
        for user_id in waiting:
            session.add(Signup(activity_id=activity.id, user_id=user_id, status="waiting"))
        return activity.id


async def submit(
    db: Database, activity_id: int, user_id: int, answers: FormAnswers = ANSWERS
) -> None:
    async with db.sessions() as session, session.begin():
        await feedback.submit_form(session, activity_id, user_id, answers, AFTER)


async def count(db: Database, model: type[object]) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def plan(db: Database, now: datetime) -> int:
    async with db.sessions() as session, session.begin():
        return await feedback.plan_requests(session, now, timedelta(minutes=30))


async def posted(db: Database, activity_id: int) -> None:
    async with db.sessions() as session, session.begin():
        await feedback.remember_post(
            session, activity_id, channel_id=5, message_id=500, thread_id=600
        )


# -- planning ------------------------------------------------------------------------------


async def test_an_ended_activity_gets_one_post_and_a_request_per_confirmed_person(
    db: Database,
) -> None:
    activity_id = await make_activity(db, waiting=(CAROL,))
    assert await plan(db, AFTER) == 1
    async with db.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [(row.kind, row.user_id) for row in rows] == [
        (feedback.POST_KIND, None),
        (feedback.REQUEST_KIND, ALICE),
        (feedback.REQUEST_KIND, BOB),
    ]
    ends = START + timedelta(minutes=60)
    assert {row.due_at for row in rows} == {ends + timedelta(minutes=30)}
    assert {row.activity_id for row in rows} == {activity_id}


async def test_planning_twice_queues_nothing_more(db: Database) -> None:
    await make_activity(db)
    await plan(db, AFTER)
    assert await plan(db, AFTER + timedelta(minutes=1)) == 0
    assert await count(db, OutboxMessage) == 3


async def test_activities_still_running_or_cancelled_are_not_asked_about(db: Database) -> None:
    await make_activity(db)
    await make_activity(db, status="cancelled")
    assert await plan(db, DURING) == 0
    assert await plan(db, AFTER) == 1
    assert await count(db, FeedbackPost) == 1


async def test_activities_that_ended_long_ago_are_not_asked_about(db: Database) -> None:
    await make_activity(db)
    assert await plan(db, START + feedback.CATCH_UP + timedelta(days=1)) == 0


async def test_a_request_held_back_past_a_week_or_answered_already_is_not_sent(
    db: Database,
) -> None:
    activity_id = await make_activity(db)
    await submit(db, activity_id, BOB)
    ends = START + timedelta(minutes=60)
    async with db.sessions() as session:
        assert await feedback.still_wanted(session, activity_id, ALICE, AFTER)
        late = ends + feedback.CATCH_UP + timedelta(minutes=1)
        assert not await feedback.still_wanted(session, activity_id, ALICE, late)
        assert not await feedback.still_wanted(session, activity_id, BOB, AFTER)


# -- the form ------------------------------------------------------------------------------


async def test_a_named_form_keeps_the_answers_and_the_person(db: Database) -> None:
    activity_id = await make_activity(db)
    await submit(db, activity_id, ALICE)
    async with db.sessions() as session:
        response = await session.scalar(select(FeedbackResponse))
    assert response is not None
    assert (response.rating, response.worked, response.to_change) == (
        4,
        "Kind hosts",
        "More breaks",
    )
    assert (response.anonymous, response.user_id) == (False, ALICE)


async def test_an_anonymous_form_names_nobody_but_its_giver_is_remembered(db: Database) -> None:
    activity_id = await make_activity(db)
    await submit(db, activity_id, ALICE, FormAnswers(2, "", "Louder mics", anonymous=True))
    async with db.sessions() as session:
        response = await session.scalar(select(FeedbackResponse))
        givers = list(await session.scalars(select(FeedbackGiver.user_id)))
    assert response is not None
    assert (response.anonymous, response.user_id, response.worked) == (True, None, None)
    assert givers == [ALICE]


async def test_a_second_form_for_the_same_activity_is_refused(db: Database) -> None:
    activity_id = await make_activity(db)
    await submit(db, activity_id, ALICE, FormAnswers(5, "", "", anonymous=True))
    with pytest.raises(Conflict, match="already sent"):
        await submit(db, activity_id, ALICE)
    async with db.sessions() as session:
        with pytest.raises(Conflict, match="already sent"):
            await feedback.check_can_give(session, activity_id, ALICE, AFTER)
    assert await count(db, FeedbackResponse) == 1


async def test_feedback_before_the_activity_starts_is_refused(db: Database) -> None:
    activity_id = await make_activity(db)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="not started yet"):
            await feedback.submit_form(
                session, activity_id, ALICE, ANSWERS, START - timedelta(minutes=1)
            )
    assert await count(db, FeedbackGiver) == 0


async def test_feedback_on_a_cancelled_activity_is_refused(db: Database) -> None:
    activity_id = await make_activity(db, status="cancelled")
    with pytest.raises(Conflict, match="cancelled"):
        await submit(db, activity_id, ALICE)
    assert await count(db, FeedbackGiver) == 0


async def test_an_empty_form_is_refused_and_nothing_is_kept(db: Database) -> None:
    activity_id = await make_activity(db)
    with pytest.raises(InvalidInput, match="empty"):
        await submit(db, activity_id, ALICE, FormAnswers(None, "  ", "", anonymous=True))
    assert await count(db, FeedbackGiver) == 0
    assert await count(db, FeedbackResponse) == 0


async def test_over_long_text_is_refused_and_nothing_is_kept(db: Database) -> None:
    activity_id = await make_activity(db)
    too_long = FormAnswers(3, "x" * (feedback.MAX_TEXT + 1), "", anonymous=False)
    with pytest.raises(InvalidInput, match="1,001 characters"):
        await submit(db, activity_id, ALICE, too_long)
    assert await count(db, FeedbackGiver) == 0


# -- quick ratings and comments ------------------------------------------------------------


async def quick_ratings(db: Database) -> list[tuple[int, int, str]]:
    async with db.sessions() as session:
        rows = await session.scalars(select(FeedbackQuickRating))
        return [(row.user_id, row.rating, row.source) for row in rows]


async def test_reactions_from_participants_count_and_the_latest_wins(db: Database) -> None:
    activity_id = await make_activity(db)
    await plan(db, AFTER)
    await posted(db, activity_id)
    async with db.sessions() as session, session.begin():
        assert await feedback.react(session, 500, ALICE, "good")
        assert await feedback.react(session, 500, ALICE, "not_good")
        assert not await feedback.react(session, 500, CAROL, "good")  # did not take part
    assert await quick_ratings(db) == [(ALICE, 1, "reaction")]


async def test_removing_an_earlier_reaction_keeps_the_latest_rating(db: Database) -> None:
    activity_id = await make_activity(db)
    await plan(db, AFTER)
    await posted(db, activity_id)
    async with db.sessions() as session, session.begin():
        await feedback.react(session, 500, ALICE, "good")
        await feedback.react(session, 500, ALICE, "okay")
        assert not await feedback.unreact(session, 500, ALICE, "good")
    assert await quick_ratings(db) == [(ALICE, 3, "reaction")]
    async with db.sessions() as session, session.begin():
        assert await feedback.unreact(session, 500, ALICE, "okay")
    assert await quick_ratings(db) == []


async def test_thread_replies_from_participants_are_kept_once(db: Database) -> None:
    activity_id = await make_activity(db)
    await plan(db, AFTER)
    await posted(db, activity_id)
    async with db.sessions() as session, session.begin():
        assert await feedback.add_comment(session, 600, BOB, 9001, "Lovely group")
        assert await feedback.add_comment(session, 600, BOB, 9001, "Lovely group")
        assert not await feedback.add_comment(session, 600, CAROL, 9002, "I was not there")
    async with db.sessions() as session:
        summary = await feedback.summarise(session, GUILD, activity_id)
    assert [(i.source, i.comment, i.user_id) for i in summary.items] == [
        ("comment", "Lovely group", BOB)
    ]


# -- summary, "you said, we did", contributions --------------------------------------------


async def test_the_summary_counts_every_rating_and_marks_anonymous_forms(db: Database) -> None:
    activity_id = await make_activity(db, confirmed=(ALICE, BOB, CAROL))
    await submit(db, activity_id, ALICE, FormAnswers(4, "Good", "", anonymous=True))
    await submit(db, activity_id, BOB, FormAnswers(2, "", "Slower", anonymous=False))
    async with db.sessions() as session, session.begin():
        await feedback.rate_quickly(session, activity_id, CAROL, "good", AFTER)
    async with db.sessions() as session:
        summary = await feedback.summarise(session, GUILD, activity_id)
    assert (summary.count("form"), summary.count("quick")) == (2, 1)
    assert sorted(summary.ratings) == [2, 4, 5]
    assert summary.average == pytest.approx(11 / 3)
    assert summary.rating_counts == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    csv_text = feedback.summary_csv(summary, {BOB: "Bob"})
    assert "anonymous" in csv_text
    assert "Slower,,Bob" in csv_text


async def test_the_csv_does_not_let_typed_text_run_as_a_spreadsheet_formula(
    db: Database,
) -> None:
    activity_id = await make_activity(db)
    await submit(db, activity_id, ALICE, FormAnswers(None, '=HYPERLINK("x")', "", False))
    async with db.sessions() as session:
        summary = await feedback.summarise(session, GUILD, activity_id)
    assert "'=HYPERLINK" in feedback.summary_csv(summary, {})


async def test_you_said_we_did_reaches_every_contributor_including_anonymous_ones(
    db: Database,
) -> None:
    activity_id = await make_activity(db, confirmed=(ALICE, BOB, CAROL))
    await submit(db, activity_id, ALICE, FormAnswers(4, "Good", "", anonymous=True))
    async with db.sessions() as session, session.begin():
        await feedback.rate_quickly(session, activity_id, BOB, "okay", AFTER)
        reached = await feedback.send_update(session, GUILD, activity_id, "We added breaks", AFTER)
    assert reached == 2
    async with db.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    people = {row.user_id for row in rows if row.kind == feedback.UPDATE_KIND}
    assert people == {ALICE, BOB}
    assert [row.payload for row in rows if row.kind == feedback.UPDATE_POST_KIND] == [
        {"text": "We added breaks"}
    ]


async def test_contributions_count_activities_not_pieces_of_feedback(db: Database) -> None:
    first = await make_activity(db)
    second = await make_activity(db)
    await make_activity(db)
    await submit(db, first, ALICE)
    await submit(db, second, ALICE, FormAnswers(5, "", "", anonymous=True))
    async with db.sessions() as session, session.begin():
        await feedback.rate_quickly(session, first, ALICE, "good", AFTER)
        assert await feedback.contributions(session, GUILD, ALICE) == 2
        assert await feedback.contributions(session, GUILD, BOB) == 0


async def test_the_chart_is_a_png_whose_numbers_match_the_stored_ratings(db: Database) -> None:
    activity_id = await make_activity(db, confirmed=(ALICE, BOB, CAROL))
    await submit(db, activity_id, ALICE, FormAnswers(4, "Good", "", anonymous=True))
    await submit(db, activity_id, BOB, FormAnswers(2, "", "Slower", anonymous=False))
    async with db.sessions() as session, session.begin():
        await feedback.rate_quickly(session, activity_id, CAROL, "not_good", AFTER)
        summary = await feedback.summarise(session, GUILD, activity_id)
        stored = [
            *await session.scalars(select(FeedbackResponse.rating)),
            *await session.scalars(select(FeedbackQuickRating.rating)),
        ]
    png = rating_chart("Interview panel", summary.rating_counts, summary.average)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel: a truncated or corrupt file fails here
    assert isinstance(image, PngImagePlugin.PngImageFile)
    assert image.width > 100
    assert image.text["Description"] == (
        f"ratings 1:{stored.count(1)} 2:{stored.count(2)} 3:0 4:{stored.count(4)} 5:0; "
        f"average {sum(stored) / len(stored):.2f}; {len(stored)} ratings"
    )
