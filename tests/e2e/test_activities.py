"""Coordinators post, edit, cancel and list activities; everyone browses them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from discord_sim import DiscordSimulator, SimInteraction, SimMessage, SimUser
from tests.e2e.harness import Community, RunningBot

LONDON = ZoneInfo("Europe/London")


def in_days(days: int, clock: str = "14:00") -> str:
    return f"{datetime.now(LONDON) + timedelta(days=days):%Y-%m-%d} {clock}"


async def answered(ix: SimInteraction) -> SimInteraction:
    """Wait for the answer to an interaction the bot acknowledged first ("thinking")."""
    if ix.deferred:
        await ix.wait_followup()
    return ix


async def press(
    sim: DiscordSimulator, user: SimUser, message: SimMessage, custom_id: str
) -> SimInteraction:
    return await answered(await sim.click(user, message, custom_id))


async def as_coordinator(
    sim: DiscordSimulator, community: Community, command: str, options: dict[str, Any]
) -> SimInteraction:
    """Run a coordinator command; these think first (deferred), then answer in a followup."""
    return await answered(await sim.slash(community.guild, community.coordinator, command, options))


async def create(
    sim: DiscordSimulator, community: Community, **options: Any
) -> tuple[int, SimMessage]:
    """Post an activity as the coordinator; returns its id and its announcement."""
    values = {"title": "Interview panel", "when": in_days(7), "kind": "recruitment", "capacity": 3}
    reply = await as_coordinator(sim, community, "activity create", {**values, **options})
    found = re.search(r"Activity #(\d+)", reply.text)
    assert found, reply.text
    activity_id = int(found[1])
    announcement = sim.find_message(community.announcements, footer=f"Activity #{activity_id}")
    assert announcement is not None
    return activity_id, announcement


async def agree_and_sign_up(
    sim: DiscordSimulator,
    community: Community,
    user: SimUser,
    announcement: SimMessage,
    activity_id: int,
) -> SimInteraction:
    card = await press(sim, user, announcement, f"activity:signup:{activity_id}")
    if card.original is not None and card.original.find_component(
        f"consent:agree:signup:{activity_id}"
    ):
        return await sim.click(user, card.original, f"consent:agree:signup:{activity_id}")
    return card


async def test_a_coordinator_posts_one_announcement_with_places_and_buttons(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    before = len(sim.channel_messages(community.announcements))
    reply = await as_coordinator(
        sim,
        community,
        "activity create",
        {
            "title": "Co-teach a nursing seminar",
            "when": in_days(10, "10:30"),
            "kind": "education",
            "capacity": 10,
            "duration": 90,
            "place": "Room 2.14",
            "description": "Share your experience with second-year students.",
            "lead": community.coordinator,
        },
    )
    assert reply.ephemeral
    assert re.search(r"<t:\d+:F>", reply.text), reply.text
    posted = sim.channel_messages(community.announcements)[before:]
    assert len(posted) == 1
    text = posted[0].text
    for expected in (
        "Co-teach a nursing seminar",
        "Education",
        "1 hour 30 minutes",
        "Room 2.14",
        f"<@{community.coordinator.id}>",
        "10 of 10 places left",
        "second-year",
    ):
        assert expected in text
    assert re.fullmatch(r"Activity #\d+", posted[0].footer or "")
    labels = [c.get("label") for c in posted[0].all_components() if c.get("type") == 2]
    assert labels == ["Sign up", "Withdraw", "Add to calendar"]


async def test_the_reply_echoes_the_time_understood_in_the_communitys_zone(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    when = in_days(20, "09:15")
    reply = await as_coordinator(
        sim,
        community,
        "activity create",
        {"title": "Grant review", "when": when, "kind": "research", "capacity": 4},
    )
    expected = datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
    assert f"<t:{int(expected.timestamp())}:F>" in reply.text


async def test_a_citizens_activity_create_is_refused_and_nothing_is_posted(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    before = len(sim.channel_messages(community.announcements))
    reply = await sim.slash(
        community.guild,
        community.citizens[0],
        "activity create",
        {"title": "My own event", "when": in_days(3), "kind": "social", "capacity": 5},
    )
    assert reply.ephemeral
    assert "Only coordinators" in reply.text
    assert len(sim.channel_messages(community.announcements)) == before


@pytest.mark.parametrize(
    ("options", "answer"),
    [
        ({"when": "2020-01-01 10:00"}, "already passed"),
        ({"when": "sometime soon"}, "2026-12-03 14:00"),
        ({"capacity": 0}, "between 1 and 500"),
        ({"capacity": 501}, "between 1 and 500"),
        ({"title": "x" * 101}, "the most is 100"),
        ({"duration": 24 * 60 + 1}, "24 hours"),
    ],
)
async def test_bad_input_gets_a_plain_answer_and_nothing_is_posted(
    sim: DiscordSimulator,
    community: Community,
    running: RunningBot,
    options: dict[str, Any],
    answer: str,
) -> None:
    before = len(sim.channel_messages(community.announcements))
    values = {"title": "Policy forum", "when": in_days(5), "kind": "policy", "capacity": 5}
    reply = await as_coordinator(sim, community, "activity create", {**values, **options})
    assert reply.ephemeral
    assert answer in reply.text
    assert len(sim.channel_messages(community.announcements)) == before


async def test_a_scheduled_event_is_created_and_kept_in_step(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, _ = await create(sim, community, title="Advisory group", place="Online call")
    event = next(e for e in sim.scheduled_events(community.guild) if e["name"] == "Advisory group")
    assert event["entity_metadata"]["location"] == "Online call"
    await as_coordinator(
        sim,
        community,
        "activity edit",
        {"activity": str(activity_id), "place": "Room 1.01", "when": in_days(8, "11:00")},
    )
    assert event["entity_metadata"]["location"] == "Room 1.01"
    moved = datetime.strptime(in_days(8, "11:00"), "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
    assert datetime.fromisoformat(event["scheduled_start_time"]) == moved
    await as_coordinator(sim, community, "activity cancel", {"activity": str(activity_id)})
    assert event["status"] == 4  # Discord: cancelled


async def test_a_new_place_is_told_to_people_signed_up_and_shown_on_the_announcement(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await create(
        sim, community, title="Curriculum review", place="Room A"
    )
    citizen = community.new_citizen("edit_watcher")
    await agree_and_sign_up(sim, community, citizen, announcement, activity_id)
    reply = await as_coordinator(
        sim,
        community,
        "activity edit",
        {"activity": "Curriculum review", "place": "Room B"},
    )
    assert "telling the 1 person" in reply.text
    told = await sim.wait_for(
        lambda: [m for m in sim.dm_messages(citizen) if "has changed" in m.text],
        what="the change DM",
    )
    assert "Room B" in told[0].text
    assert "Room B" in announcement.text


async def test_cancelling_tells_everyone_with_the_reason_and_removes_the_buttons(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await create(sim, community, title="Bake and chat", kind="social")
    citizen = community.new_citizen("cancel_watcher")
    await agree_and_sign_up(sim, community, citizen, announcement, activity_id)
    reply = await as_coordinator(
        sim,
        community,
        "activity cancel",
        {"activity": str(activity_id), "reason": "The kitchen is closed for repairs"},
    )
    assert "is cancelled" in reply.text
    told = await sim.wait_for(
        lambda: [m for m in sim.dm_messages(citizen) if "cancelled" in m.text], what="the cancel DM"
    )
    assert "The kitchen is closed for repairs" in told[0].text
    assert "Cancelled" in announcement.text
    assert announcement.all_components() == []
    again = await as_coordinator(sim, community, "activity cancel", {"activity": str(activity_id)})
    assert "was cancelled" in again.text


async def test_attendees_shows_places_waitlist_adjustments_and_a_file(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await create(sim, community, title="Small panel", capacity=1)
    first, second = community.new_citizen("first_in"), community.new_citizen("second_in")
    for person in (first, second):
        await agree_and_sign_up(sim, community, person, announcement, activity_id)
    reply = await sim.slash(
        community.guild, community.coordinator, "activity attendees", {"activity": str(activity_id)}
    )
    assert reply.ephemeral
    places, waiting = reply.text.split("Waiting list, in order")
    assert f"<@{first.id}>" in places
    assert f"<@{second.id}>" in waiting
    [(name, data)] = reply.files
    assert name.endswith(".csv")
    rows = data.decode().splitlines()
    assert rows[1].startswith(f"confirmed,,{first.id},")
    assert rows[2].startswith(f"waiting,1,{second.id},")
    refused = await sim.slash(
        community.guild, first, "activity attendees", {"activity": str(activity_id)}
    )
    assert "Only coordinators" in refused.text
    assert not refused.files


async def test_activities_lists_upcoming_soonest_first_by_kind_and_pages(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    for day in (40, 38, 39, 37, 41, 36):
        await create(
            sim,
            community,
            title=f"Governance meeting day {day}",
            kind="governance",
            when=in_days(day),
        )
    first = await sim.slash(
        community.guild, community.citizens[0], "activities", {"kind": "governance"}
    )
    assert first.ephemeral
    days = [int(d) for d in re.findall(r"Governance meeting day (\d+)", first.text)]
    assert days == [36, 37, 38, 39, 40]
    assert "3 of 3 places left" in first.text
    assert first.original is not None
    page_two = next(
        c["custom_id"] for c in first.original.all_components() if c.get("label") == "Next"
    )
    second = await sim.click(community.citizens[0], first.original, page_two)
    assert re.findall(
        r"Governance meeting day (\d+)", second.original.text if second.original else ""
    ) == ["41"]


async def test_add_to_calendar_sends_an_ics_file_privately(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await create(sim, community, title="Research priorities")
    reply = await sim.click(community.citizens[1], announcement, f"activity:calendar:{activity_id}")
    assert reply.ephemeral
    [(name, data)] = reply.files
    assert name == f"activity-{activity_id}.ics"
    assert b"SUMMARY:Research priorities" in data


async def test_activity_options_autocomplete_open_activities_by_title(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, _ = await create(sim, community, title="Patient panel on stroke care")
    choices = await sim.autocomplete(
        community.guild, community.citizens[0], "signup", "activity", "stroke"
    )
    assert [c["value"] for c in choices] == [str(activity_id)]
    assert choices[0]["name"].startswith("Patient panel on stroke care - ")
