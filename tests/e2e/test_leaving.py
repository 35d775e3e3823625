"""Trust through the simulator: a member who leaves the server, erasure 30 days after leaving,
a new notice version asking again, the readable export and who looked at adjustments."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.cogs.membership._retention import Retention
from db.models import Member, Signup
from discord_sim import DiscordSimulator, SimUser
from tests.e2e.harness import Community, ManualClock, RunningBot, running_cog
from tests.e2e.test_activities import answered, as_coordinator, press
from tests.e2e.test_buddies import dm_containing, new_pair
from tests.e2e.test_feedback import eventually
from tests.e2e.test_signups import places_shown, post, signup
from tests.test_erasure import rows_naming


@pytest.fixture
def clock(running: RunningBot) -> Iterator[ManualClock]:
    original = running.bot.clock
    running.bot.clock = ManualClock()
    yield running.bot.clock
    running.bot.clock = original


async def join(
    sim: DiscordSimulator, community: Community, user: SimUser, adjustments: str
) -> None:
    card = await sim.slash(community.guild, user, "join")
    assert card.original is not None
    form = await sim.click(user, card.original, "consent:agree:join:")
    await sim.submit_modal(
        form,
        {
            "name": f"{user.name.title()} Person",
            "interests": ["research"],
            "adjustments": adjustments,
            "availability": ["weekends"],
            "dms": "yes",
        },
    )


async def count(running: RunningBot, model: type[Member] | type[Signup], user: SimUser) -> int:
    async with running.bot.db.sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(model).where(model.user_id == user.id)
        )
    return int(found or 0)


async def left_at(running: RunningBot, user: SimUser) -> object:
    async with running.bot.db.sessions() as session:
        return await session.scalar(select(Member.left_at).where(Member.user_id == user.id))


async def leave(
    sim: DiscordSimulator, community: Community, running: RunningBot, user: SimUser
) -> None:
    """They leave the server, and the bot has marked them as left."""
    await sim.member_leave(community.guild, user)

    async def marked() -> bool:
        return await left_at(running, user) is not None

    await eventually(marked, "the bot to mark them as left")


async def export_files(
    sim: DiscordSimulator, community: Community, user: SimUser
) -> dict[str, str]:
    reply = await sim.slash(community.guild, user, "mydata export")
    assert reply.ephemeral
    return {name: data.decode() for name, data in reply.files}


async def test_a_member_who_leaves_frees_their_place_for_the_first_person_waiting(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await post(sim, community, "Leaving panel", 1)
    leaver, hopeful = community.new_citizen("leaver"), community.new_citizen("hopeful")
    await signup(sim, community, leaver, str(activity_id))
    await signup(sim, community, hopeful, str(activity_id))
    await sim.member_leave(community.guild, leaver)
    told = await sim.wait_for(
        lambda: [m for m in sim.dm_messages(hopeful) if "a place has come up" in m.text],
        what="the promotion DM",
    )
    assert "Leaving panel" in told[0].text
    await places_shown(sim, announcement, "Full - 0 waiting")
    assert await count(running, Signup, leaver) == 0
    assert await left_at(running, leaver) is not None


async def test_a_member_who_leaves_has_their_buddy_told_kindly(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    buddy, newcomer, thread = await new_pair(sim, community, "going")
    await sim.wait_for(lambda: sim.channel_messages(thread), what="the introduction")
    await sim.member_leave(community.guild, buddy)
    told = await dm_containing(sim, newcomer, "Your buddy pairing has ended")
    assert "nobody's fault" in told.text
    assert "left" not in told.text


async def test_attendees_marks_someone_who_left(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    activity_id, _ = await post(sim, community, "Past panel", 5)
    goer = community.new_citizen("goer")
    await signup(sim, community, goer, str(activity_id))
    clock.advance(timedelta(days=15))  # the activity has happened: their record of it stays
    await leave(sim, community, running, goer)
    reply = await as_coordinator(
        sim, community, "activity attendees", {"activity": str(activity_id)}
    )
    assert "(has left the server)" in reply.text


async def test_someone_who_left_is_erased_after_thirty_days(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    leaver = community.new_citizen("gone_for_good")
    await join(sim, community, leaver, "Quiet room")
    await leave(sim, community, running, leaver)
    retention = running_cog(running, Retention)
    clock.advance(timedelta(days=29))
    await retention.tick()
    assert await count(running, Member, leaver) == 1  # not yet
    clock.advance(timedelta(days=2))
    await retention.tick()
    assert await rows_naming(running.bot.db.engine, leaver.id) == []


async def test_someone_who_comes_back_within_thirty_days_is_not_erased(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    returner = community.new_citizen("returner")
    await join(sim, community, returner, "Quiet room")
    await leave(sim, community, running, returner)
    clock.advance(timedelta(days=10))
    await sim.member_join(community.guild, returner)

    async def back() -> bool:
        return await left_at(running, returner) is None

    await eventually(back, "the bot to see them back")
    clock.advance(timedelta(days=40))
    await running_cog(running, Retention).tick()
    assert await count(running, Member, returner) == 1
    assert await left_at(running, returner) is None


async def test_a_new_notice_version_shows_the_card_again_before_a_signup_is_stored(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, _ = await post(sim, community, "New notice panel", 5)
    person = community.new_citizen("rereader")
    await join(sim, community, person, "")
    notice = running.bot.consent_notice
    running.bot.consent_notice = dataclasses.replace(notice, version="2099-01")
    try:
        card = await answered(
            await sim.slash(community.guild, person, "signup", {"activity": str(activity_id)})
        )
        assert "Before you take part" in card.text
        assert await count(running, Signup, person) == 0
        assert card.original is not None
        agreed = await press(sim, person, card.original, f"consent:agree:signup:{activity_id}")
        assert "You have a place" in agreed.text
        assert await count(running, Signup, person) == 1
        async with running.bot.db.sessions() as session:
            version = await session.scalar(
                select(Member.consent_version).where(Member.user_id == person.id)
            )
        assert version == "2099-01"
    finally:
        running.bot.consent_notice = notice


async def test_read_more_on_the_card_shows_the_full_notice(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    person = community.new_citizen("curious")
    card = await sim.slash(community.guild, person, "join")
    assert card.original is not None
    more = await sim.click(person, card.original, "privacy:more")
    assert more.ephemeral
    assert "Information Commissioner's Office" in more.text
    assert await count(running, Member, person) == 0


async def test_viewing_adjustments_shows_in_that_persons_export(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, _ = await post(sim, community, "Who looked panel", 5)
    person = community.new_citizen("watched")
    await join(sim, community, person, "Breaks every 30 minutes")
    await signup(sim, community, person, str(activity_id))
    await as_coordinator(sim, community, "activity attendees", {"activity": str(activity_id)})
    page = (await export_files(sim, community, person))["my-data.html"]
    assert "saw it in the list of people coming to an activity" in page
    assert "a coordinator saw it" in page  # the coordinator never joined, so has no chosen name


async def test_the_export_reads_as_sentences_and_keeps_the_full_json(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, _ = await post(sim, community, "Readable panel", 5)
    person = community.new_citizen("reader")
    await join(sim, community, person, "Large <b>print</b>")
    await signup(sim, community, person, str(activity_id))
    files = await export_files(sim, community, person)
    assert set(files) == {"my-data.html", "my-data.json"}
    page = files["my-data.html"]
    assert "You joined on" in page
    assert "You signed up for Readable panel on" in page
    assert "Your adjustments: Large &lt;b&gt;print&lt;/b&gt;." in page
    assert '"members"' in files["my-data.json"]


async def test_setup_says_plainly_that_the_privacy_details_are_placeholders(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await sim.slash(community.guild, community.admin, "setup")
    assert "The privacy notice still has placeholder text" in reply.text
    assert re.search(r"\d+ left the server and will be deleted soon", reply.text)
