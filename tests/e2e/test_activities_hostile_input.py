"""Hostile input around activities, sign-ups and announcements, end to end: long text is never
echoed, lists that grow still fit Discord's limits, people's text never pings or links, CSVs
cannot run formulas, odd ids are refused plainly, and a deleted announcement comes back.
(The module's simulator fails it if Discord would have refused any payload.)"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.delivery import Outgoing
from bot.services import activities, consent, membership, signups
from bot.services.activities import ActivityDraft
from bot.services.membership import ProfileForm
from discord_sim import DiscordSimulator
from tests.e2e.harness import Community, RunningBot
from tests.e2e.test_activities import (
    agree_and_sign_up,
    answered,
    as_coordinator,
    create,
    in_days,
    press,
)
from tests.e2e.test_signups import signup

ZWSP = "\u200b"


async def seed_activity(
    running: RunningBot, community: Community, title: str, capacity: int
) -> int:
    """An activity stored straight through the service (no announcement), to fill lists fast."""
    bot = running.bot
    now = bot.clock.now()
    draft = ActivityDraft(
        title=title, kind="research", starts_at=now + timedelta(days=9), capacity=capacity
    )
    async with bot.db.sessions() as session, session.begin():
        return (await activities.create_activity(session, community.guild.id, draft, now)).id


async def seed_signup(
    running: RunningBot, community: Community, activity_id: int, user_id: int
) -> None:
    bot = running.bot
    now = bot.clock.now()
    async with bot.db.sessions() as session, session.begin():
        await consent.record_consent(
            session, community.guild.id, user_id, bot.consent_notice.version, now
        )
        await signups.sign_up(session, community.guild.id, activity_id, user_id, now)


async def test_a_4000_character_when_gets_a_short_refusal(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await as_coordinator(
        sim,
        community,
        "activity create",
        {"title": "Long time", "when": "9" * 4000, "kind": "policy", "capacity": 3},
    )
    assert reply.ephemeral
    assert len(reply.text) < 300
    assert "9" * 30 not in reply.text


async def test_a_4000_character_typed_activity_gets_a_short_refusal(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await answered(
        await sim.slash(community.guild, community.citizens[0], "signup", {"activity": "a" * 4000})
    )
    assert reply.ephemeral
    assert len(reply.text) < 300
    assert "a" * 60 not in reply.text


async def test_a_20_digit_activity_gets_a_plain_refusal_through_signup(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await answered(
        await sim.slash(community.guild, community.citizens[0], "signup", {"activity": "9" * 20})
    )
    assert reply.ephemeral
    assert "Something went wrong" not in reply.text
    assert len(reply.text) < 300


async def test_a_20_digit_activity_autocompletes_to_nothing(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    choices = await sim.autocomplete(
        community.guild, community.citizens[0], "signup", "activity", "9" * 20
    )
    assert choices == []


async def test_percent_and_underscore_in_a_typed_title_match_themselves(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    wanted, _ = await create(sim, community, title="Survey 100% done_now")
    await create(sim, community, title="Survey 1000 donexnow")
    choices = await sim.autocomplete(
        community.guild, community.citizens[0], "signup", "activity", "100% done_"
    )
    assert [c["value"] for c in choices] == [str(wanted)]


async def test_a_title_blank_once_invisible_characters_are_removed_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    before = len(sim.channel_messages(community.announcements))
    reply = await as_coordinator(
        sim,
        community,
        "activity create",
        {"title": "\u200b\u200d\u2060", "when": in_days(12), "kind": "social", "capacity": 3},
    )
    assert "empty once invisible characters are removed" in reply.text
    assert len(sim.channel_messages(community.announcements)) == before


async def test_mine_with_60_signups_fits_in_one_message(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    busy = community.new_citizen("busy_bee")
    for number in range(60):
        activity_id = await seed_activity(
            running, community, f"Long running research panel number {number}", 5
        )
        await seed_signup(running, community, activity_id, busy.id)
    reply = await sim.slash(community.guild, busy, "mine", {})
    assert reply.ephemeral
    assert len(reply.original.content if reply.original else reply.text) <= 2000
    assert "more. See them all" in reply.text


async def test_attendees_with_200_people_fits_and_the_csv_has_them_all(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id = await seed_activity(running, community, "Very popular open day", 150)
    people = [900_000_000_000_000_000 + number for number in range(200)]
    for user_id in people:
        await seed_signup(running, community, activity_id, user_id)
    reply = await sim.slash(
        community.guild, community.coordinator, "activity attendees", {"activity": str(activity_id)}
    )
    assert reply.ephemeral
    assert "more in the file" in reply.text
    [(_, data)] = reply.files
    rows = list(csv.reader(io.StringIO(data.decode())))[1:]
    assert sorted(int(row[2]) for row in rows) == people


async def test_a_name_starting_with_equals_is_neutralised_in_the_attendees_csv(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id = await seed_activity(running, community, "Formula check", 5)
    sly = community.new_citizen("sly")
    await seed_signup(running, community, activity_id, sly.id)
    bot = running.bot
    async with bot.db.sessions() as session, session.begin():
        await membership.save_profile(
            session,
            community.guild.id,
            sly.id,
            ProfileForm('=HYPERLINK("http://x.test","me")', (), (), "", wants_dms=False),
        )
    reply = await sim.slash(
        community.guild, community.coordinator, "activity attendees", {"activity": str(activity_id)}
    )
    [(_, data)] = reply.files
    [row] = list(csv.reader(io.StringIO(data.decode())))[1:]
    assert row[3] == '\'=HYPERLINK("http://x.test","me")'


async def test_an_announcement_with_everyone_and_a_masked_link_pings_nobody_and_shows_no_link(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    _, announcement = await create(
        sim,
        community,
        title="@everyone [free money](https://evil.test)",
        description="Hi @here <@&1> **bold** [click](https://evil.test/x)",
    )
    assert not announcement.mention_everyone
    assert announcement.pinged_users == []
    assert announcement.pinged_roles == []
    embed = announcement.embeds[0]
    assert "](https://" not in embed["title"]
    assert "](https://" not in embed["description"]
    assert "://" not in embed["description"].replace(f":{ZWSP}//", "")
    assert f"@{ZWSP}everyone" in embed["title"]


async def test_a_cancellation_with_a_mention_in_the_title_reaches_a_private_thread_alone(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    outsider = community.new_citizen("outsider")
    activity_id, announcement = await create(
        sim, community, title=f"Chat with <@{outsider.id}> and @everyone"
    )
    quiet = community.new_citizen("quiet_cancel")
    sim.refuse_dms(quiet)
    await agree_and_sign_up(sim, community, quiet, announcement, activity_id)
    await as_coordinator(sim, community, "activity cancel", {"activity": str(activity_id)})
    told = await sim.wait_for(
        lambda: next(
            (
                m
                for c in sim.state.channels.values()
                if c.parent_id == community.welcome.id
                for m in c.messages
                if "has been cancelled" in m.text and "Chat with" in m.text
            ),
            None,
        ),
        what="the cancellation in the private thread",
    )
    thread = sim.state.channels[told.channel_id]
    members = [user.id for user in sim.thread_members(thread) if user.id != sim.bot_user.id]
    assert members == [quiet.id]
    assert [user.id for user in told.pinged_users] == [quiet.id]
    assert not told.mention_everyone


async def test_a_deleted_announcement_comes_back_on_the_next_signup_with_working_buttons(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await create(sim, community, title="Lost and found panel")
    await sim.delete_message(community.announcements, announcement)
    first = community.new_citizen("finder_one")
    await signup(sim, community, first, str(activity_id))
    again = await sim.wait_for(
        lambda: sim.find_message(community.announcements, footer=f"Activity #{activity_id}"),
        what="the announcement posted again",
    )
    assert again.id != announcement.id
    assert "2 of 3 places left" in again.text
    second = community.new_citizen("finder_two")
    pressed = await agree_and_sign_up(sim, community, second, again, activity_id)
    assert "You have a place" in (pressed.original.text if pressed.original else pressed.text)
    await sim.wait_for(lambda: "1 of 3 places left" in again.text, what="the new post updated")
    note = sim.find_message(contains="Lost and found panel** (Activity")
    assert note is not None
    assert "posted it again" in note.text
    assert [user.id for user in note.pinged_users] == [community.coordinator.id]


async def test_a_deleted_announcement_comes_back_after_an_edit_and_the_coordinator_is_told(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await create(sim, community, title="Vanishing forum")
    await sim.delete_message(community.announcements, announcement)
    reply = await as_coordinator(
        sim, community, "activity edit", {"activity": str(activity_id), "place": "Room 9"}
    )
    assert "had been deleted, so I posted it again" in reply.text
    again = sim.find_message(community.announcements, footer=f"Activity #{activity_id}")
    assert again is not None
    assert "Room 9" in again.text
    citizen = community.new_citizen("after_edit")
    await press(sim, citizen, again, f"activity:signup:{activity_id}")


async def test_a_place_too_long_for_the_event_is_shortened_there_and_the_coordinator_is_told(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    place = "The big lecture theatre on the ground floor of the health sciences building, " * 2
    reply = await as_coordinator(
        sim,
        community,
        "activity create",
        {
            "title": "Long place",
            "when": in_days(13),
            "kind": "education",
            "capacity": 3,
            "place": place,
        },
    )
    assert "event shows it cut short" in reply.text
    event = next(e for e in sim.scheduled_events(community.guild) if e["name"] == "Long place")
    assert len(event["entity_metadata"]["location"]) <= 100


async def test_a_mention_in_a_message_to_a_private_thread_adds_nobody_to_it(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    """Delivery's own lock, without any escaping: only the thread's person may be pinged."""
    outsider = community.new_citizen("gate_crasher")
    owner = community.new_citizen("thread_owner")
    sim.refuse_dms(owner)
    await running.bot.delivery.to_person(
        community.guild.id, owner.id, Outgoing(content=f"Hello <@{outsider.id}> @everyone")
    )
    told = await sim.wait_for(
        lambda: sim.find_message(contains=f"Hello <@{outsider.id}>"), what="the thread message"
    )
    thread = sim.state.channels[told.channel_id]
    members = [user.id for user in sim.thread_members(thread) if user.id != sim.bot_user.id]
    assert members == [owner.id]
    assert [user.id for user in told.pinged_users] == [owner.id]
    assert not told.mention_everyone
