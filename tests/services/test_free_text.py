"""Every service that stores free text, fed hostile text against a real database: it refuses
in plain words (a UserFacingError) or stores cleaned text, and never fails inside."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import UserFacingError
from bot.services import activities, activity_lookup, buddies, consent, feedback, membership
from bot.services.activities import ActivityChanges, ActivityDraft
from bot.services.feedback import FormAnswers
from bot.services.membership import ProfileForm
from bot.services.text import tidy
from db.engine import Database
from db.models import Activity, FeedbackPost, Signup
from tests.text_strategies import any_text

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GUILD = 1
DB_EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
free_text = st.one_of(any_text, st.sampled_from(["", "   ", "\u200b", "Room 4.12", "100%_off"]))


async def started_activity(db: Database, user_id: int) -> int:
    async with db.sessions() as session, session.begin():
        activity = Activity(
            guild_id=GUILD,
            title="Interview panel",
            kind="education",
            starts_at=NOW - timedelta(hours=2),
            duration_minutes=60,
            capacity=10,
            status="open",
        )
        session.add(activity)
        await session.flush()
        session.add(Signup(activity_id=activity.id, user_id=user_id, status="confirmed"))
        return activity.id


@DB_EXAMPLES
@given(title=free_text, place=free_text, description=free_text)
async def test_creating_and_editing_an_activity_stores_clean_text_or_refuses(
    db: Database, title: str, place: str, description: str
) -> None:
    draft = ActivityDraft(
        title=title,
        kind="research",
        starts_at=NOW + timedelta(days=3),
        capacity=5,
        place=place,
        description=description,
    )
    try:
        async with db.sessions() as session, session.begin():
            created = await activities.create_activity(session, GUILD, draft, NOW)
    except UserFacingError:
        return
    assert created.title == tidy(title)
    changes = ActivityChanges(title=description, place=title, description=place)
    try:
        async with db.sessions() as session, session.begin():
            await activities.edit_activity(session, GUILD, created.id, changes, NOW)
    except UserFacingError:
        pass
    try:
        async with db.sessions() as session, session.begin():
            await activities.cancel_activity(session, GUILD, created.id, place, NOW)
    except UserFacingError:
        pass


@DB_EXAMPLES
@given(typed=free_text)
async def test_looking_up_a_typed_activity_finds_it_or_refuses(db: Database, typed: str) -> None:
    async with db.sessions() as session:
        await activity_lookup.search(session, GUILD, typed, NOW)
        with contextlib.suppress(UserFacingError):
            await activity_lookup.resolve(session, GUILD, typed, NOW)


@DB_EXAMPLES
@given(name=free_text, adjustments=free_text, picked=st.lists(free_text, max_size=3))
async def test_saving_a_profile_stores_clean_text_or_refuses(
    db: Database, name: str, adjustments: str, picked: list[str]
) -> None:
    user_id = 7
    async with db.sessions() as session, session.begin():
        await consent.record_consent(session, GUILD, user_id, "test", NOW)
    form = ProfileForm(name, ("research", *picked), ("weekends",), adjustments, wants_dms=True)
    try:
        async with db.sessions() as session, session.begin():
            saved = await membership.save_profile(session, GUILD, user_id, form)
    except UserFacingError:
        return
    assert saved.display_name == tidy(name)


@DB_EXAMPLES
@given(worked=free_text, to_change=free_text, reply=free_text, update=free_text)
async def test_feedback_text_is_stored_clean_or_refused(
    db: Database, worked: str, to_change: str, reply: str, update: str
) -> None:
    user_id = 8
    activity_id = await started_activity(db, user_id)
    answers = FormAnswers(rating=None, worked=worked, to_change=to_change, anonymous=False)
    try:
        async with db.sessions() as session, session.begin():
            await feedback.submit_form(session, activity_id, user_id, answers, NOW)
    except UserFacingError:
        pass
    async with db.sessions() as session, session.begin():
        session.add(FeedbackPost(activity_id=activity_id, guild_id=GUILD, thread_id=activity_id))
    async with db.sessions() as session, session.begin():
        await feedback.add_comment(session, activity_id, user_id, activity_id, reply)
    try:
        async with db.sessions() as session, session.begin():
            await feedback.send_update(session, GUILD, activity_id, update, NOW)
    except UserFacingError:
        pass


@DB_EXAMPLES
@given(role=free_text, interests=st.lists(free_text, max_size=3))
async def test_buddy_choices_are_refused_in_plain_words_unless_known(
    db: Database, role: str, interests: list[str]
) -> None:
    user_id = 9
    async with db.sessions() as session, session.begin():
        await consent.record_consent(session, GUILD, user_id, "test", NOW)
    try:
        async with db.sessions() as session, session.begin():
            await buddies.save_profile(session, GUILD, user_id, interests, interests)
    except UserFacingError:
        pass
    try:
        async with db.sessions() as session, session.begin():
            await buddies.join(session, GUILD, user_id, role, 2, NOW)
    except UserFacingError:
        pass
