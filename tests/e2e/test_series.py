"""Repeating activities through Discord: one announcement with the next dates, Sign up for all,
cancelling or editing one date or this and later ones, the calendar file with its rule, the
Discord event limit, and plain refusals that leave nothing half-written."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select

from bot.demo.community import ManualClock
from bot.services import signups
from bot.services.when import years_later
from db.models import Activity, SeriesOccurrence
from discord_sim import DiscordSimulator, SimInteraction, SimMessage, SimUser
from tests.e2e.harness import Community, RunningBot

LONDON = ZoneInfo("Europe/London")


def in_days(days: int, clock: str = "14:00") -> str:
    return f"{datetime.now(LONDON) + timedelta(days=days):%Y-%m-%d} {clock}"


async def answered(ix: SimInteraction) -> SimInteraction:
    if ix.deferred:
        await ix.wait_followup()
    return ix


async def as_coordinator(
    sim: DiscordSimulator, community: Community, command: str, options: dict[str, Any]
) -> SimInteraction:
    return await answered(await sim.slash(community.guild, community.coordinator, command, options))


async def create_series(
    sim: DiscordSimulator, community: Community, **options: Any
) -> tuple[int, SimMessage, SimInteraction]:
    """A weekly series as the coordinator: its id, its one announcement and the reply."""
    values = {
        "title": "Walking group",
        "when": in_days(3),
        "kind": "social",
        "capacity": 3,
        "repeat": "weekly",
    }
    reply = await as_coordinator(sim, community, "activity create", {**values, **options})
    announcement = sim.find_message(community.announcements, contains="Next dates")
    assert announcement is not None, reply.text
    found = re.fullmatch(r"Repeating activity #(\d+)", announcement.footer or "")
    assert found, announcement.footer
    return int(found[1]), announcement, reply


async def occurrences(running: RunningBot, series_id: int) -> list[Activity]:
    async with running.bot.db.sessions() as session:
        return list(
            await session.scalars(
                select(Activity)
                .join(SeriesOccurrence, SeriesOccurrence.activity_id == Activity.id)
                .where(SeriesOccurrence.series_id == series_id)
                .order_by(SeriesOccurrence.slot)
            )
        )


async def press(
    sim: DiscordSimulator, user: SimUser, message: SimMessage, custom_id: str
) -> SimInteraction:
    """Press a button, agreeing to the consent card first if it comes up."""
    ix = await answered(await sim.click(user, message, custom_id))
    agree = next(
        (
            c["custom_id"]
            for c in (ix.original.all_components() if ix.original else [])
            if str(c.get("custom_id", "")).startswith("consent:agree:")
        ),
        None,
    )
    if agree is not None and ix.original is not None:
        return await sim.click(user, ix.original, agree)
    return ix


async def test_a_weekly_series_is_posted_once_with_its_next_dates(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    before = len(sim.channel_messages(community.announcements))
    series_id, announcement, reply = await create_series(sim, community, title="Tea and talk")
    assert reply.ephemeral
    assert "repeating weekly until" in reply.text
    assert "6 months, as you gave no end date" in reply.text
    assert len(sim.channel_messages(community.announcements)) == before + 1
    dates = announcement.text.split("Next dates")[1].split("How long")[0]
    assert len(re.findall(r"<t:\d+:F>", dates)) == 5
    assert "3 of 3 places left" in announcement.text
    labels = [c.get("label") for c in announcement.all_components() if c.get("type") == 2]
    assert labels == ["Sign up", "Sign up for all", "Withdraw", "Add to calendar"]
    made = await occurrences(running, series_id)
    assert 8 <= len(made) <= 9  # the 8-week window, and the first date
    assert {a.announcement_message_id for a in made} == {announcement.id}
    assert all(a.scheduled_event_id is not None for a in made)


async def test_sign_up_for_all_gives_a_place_on_every_date_made(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, announcement, _ = await create_series(sim, community, title="Choir")
    person = community.new_citizen("all_dates")
    reply = await press(sim, person, announcement, f"series:all:{series_id}")
    made = await occurrences(running, series_id)
    assert reply.text.count("you have a place") == len(made)
    await sim.wait_for(lambda: "2 of 3 places left" in announcement.text)


async def test_the_next_date_full_puts_the_person_on_its_waiting_list(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, announcement, _ = await create_series(sim, community, title="Quiz", capacity=1)
    first, second = community.new_citizen("quiz_one"), community.new_citizen("quiz_two")
    await press(sim, first, announcement, f"series:signup:{series_id}")
    reply = await press(sim, second, announcement, f"series:signup:{series_id}")
    assert reply.ephemeral
    assert "full, so you are number 1 on the waiting list" in reply.text


async def test_withdraw_gives_up_the_next_date_only(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, announcement, _ = await create_series(sim, community, title="Knitting")
    person = community.new_citizen("knitter")
    await press(sim, person, announcement, f"series:all:{series_id}")
    reply = await press(sim, person, announcement, f"series:withdraw:{series_id}")
    assert "You have given up your place at **Knitting**" in reply.text
    await sim.wait_for(lambda: "3 of 3 places left" in announcement.text)
    async with running.bot.db.sessions() as session:
        mine = await signups.my_signups(
            session, community.guild.id, person.id, running.bot.clock.now()
        )
    assert len(mine) == len(await occurrences(running, series_id)) - 1


async def test_cancelling_this_and_later_ends_the_series_and_its_buttons(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, announcement, _ = await create_series(sim, community, title="Film night")
    first = (await occurrences(running, series_id))[0]
    reply = await as_coordinator(
        sim,
        community,
        "activity cancel",
        {"activity": str(first.id), "which": "this and later ones"},
    )
    made = await occurrences(running, series_id)
    assert f"Cancelled {len(made)} dates of **Film night**" in reply.text
    assert {a.status for a in made} == {"cancelled"}
    await sim.wait_for(lambda: "No more dates." in announcement.text)
    assert announcement.all_components() == []


async def test_cancelling_one_date_tells_only_its_people_and_cancels_its_event(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, announcement, _ = await create_series(sim, community, title="Book club")
    only_next = community.new_citizen("next_only")
    every = community.new_citizen("every_date")
    await press(sim, only_next, announcement, f"series:signup:{series_id}")
    await press(sim, every, announcement, f"series:all:{series_id}")
    second = (await occurrences(running, series_id))[1]
    reply = await as_coordinator(
        sim, community, "activity cancel", {"activity": str(second.id), "reason": "Room closed"}
    )
    assert "Cancelled 1 date of **Book club**" in reply.text
    await sim.wait_for(lambda: sim.dm_messages(every))
    [told] = sim.dm_messages(every)
    assert "Book club" in told.text
    assert "Room closed" in told.text
    assert f"<t:{int(second.starts_at.timestamp())}:F>" in told.text
    assert sim.dm_messages(only_next) == []
    assert second.scheduled_event_id is not None
    event = community.guild.events[second.scheduled_event_id]
    await sim.wait_for(lambda: int(event["status"]) == 4)
    left = await occurrences(running, series_id)
    assert [a.status for a in left[:3]] == ["open", "cancelled", "open"]


async def test_editing_this_and_later_moves_the_later_dates_and_tells_people_once(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, announcement, _ = await create_series(sim, community, title="Garden club")
    person = community.new_citizen("gardener")
    await press(sim, person, announcement, f"series:all:{series_id}")
    before = await occurrences(running, series_id)
    second = before[1]
    new_day = second.starts_at.astimezone(LONDON) + timedelta(days=1)
    reply = await as_coordinator(
        sim,
        community,
        "activity edit",
        {
            "activity": str(second.id),
            "when": f"{new_day:%Y-%m-%d} 16:30",
            "which": "this and later ones",
        },
    )
    assert "Saved" in reply.text, reply.text
    after = await occurrences(running, series_id)
    assert after[0].starts_at == before[0].starts_at
    for old, new in zip(before[1:], after[1:], strict=True):
        local = new.starts_at.astimezone(LONDON)
        assert (local.hour, local.minute) == (16, 30)
        assert local.date() == old.starts_at.astimezone(LONDON).date() + timedelta(days=1)
    await sim.wait_for(lambda: sim.dm_messages(person))
    [told] = sim.dm_messages(person)
    assert "Garden club** has changed" in told.text
    assert told.text.count("<t:") >= 2 * (len(after) - 1)


async def test_the_calendar_file_has_the_weekly_rule_and_cancelled_dates(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, announcement, _ = await create_series(
        sim,
        community,
        title="Yoga",
        until=(datetime.now(LONDON) + timedelta(days=60)).strftime("%Y-%m-%d"),
    )
    third = (await occurrences(running, series_id))[2]
    await as_coordinator(sim, community, "activity cancel", {"activity": str(third.id)})
    reply = await sim.click(community.citizens[0], announcement, f"series:calendar:{series_id}")
    assert reply.ephemeral
    [(name, data)] = reply.files
    assert name == f"series-{series_id}.ics"
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    rule = event["RRULE"]
    assert isinstance(rule, icalendar.vRecur)
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["INTERVAL"] == [1]
    exdate = event["EXDATE"]
    assert isinstance(exdate, icalendar.vDDDLists)
    exdates = [d.dt for d in exdate.dts]
    assert exdates == [third.starts_at.astimezone(LONDON)]


async def refused_and_nothing_written(
    sim: DiscordSimulator, community: Community, options: dict[str, Any]
) -> str:
    before = len(sim.channel_messages(community.announcements))
    values = {"title": "Bad series", "when": in_days(3), "kind": "social", "capacity": 3}
    reply = await as_coordinator(
        sim, community, "activity create", {**values, "repeat": "weekly", **options}
    )
    assert reply.ephemeral
    assert len(sim.channel_messages(community.announcements)) == before
    return reply.text


async def test_an_end_date_before_the_first_date_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    text = await refused_and_nothing_written(
        sim, community, {"when": in_days(10), "until": in_days(5)[:10]}
    )
    assert "before the first date" in text


async def test_an_end_date_more_than_two_years_ahead_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    far = (datetime.now(LONDON) + timedelta(days=800)).strftime("%Y-%m-%d")
    text = await refused_and_nothing_written(sim, community, {"until": far})
    latest = years_later(datetime.now(LONDON).date(), 2)
    assert f"{latest:%Y-%m-%d}" in text
    assert "last day" in text


async def test_a_time_the_clocks_skip_on_one_date_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    # Sundays at 01:30 from 21 March 2027: the clocks go forward at 01:00 on 28 March.
    text = await refused_and_nothing_written(
        sim, community, {"when": "2027-03-21 01:30", "until": "2027-04-30"}
    )
    assert "01:30 does not exist on Sunday 28 March 2027" in text


async def test_editing_a_date_that_has_happened_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    series_id, _, _ = await create_series(sim, community, title="Art group", when=in_days(1))
    first = (await occurrences(running, series_id))[0]
    real = running.bot.clock
    running.bot.clock = ManualClock(first.starts_at + timedelta(hours=2))
    try:
        reply = await as_coordinator(
            sim,
            community,
            "activity edit",
            {"activity": str(first.id), "place": "Hall", "which": "this and later ones"},
        )
    finally:
        running.bot.clock = real
    assert reply.ephemeral
    assert "Saved" not in reply.text
    assert (await occurrences(running, series_id))[1].place is None


async def test_at_discords_event_limit_the_coordinator_is_told_and_the_dates_still_work(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    guild = community.guild
    live = sum(1 for e in guild.events.values() if int(e["status"]) in (1, 2))
    start = datetime.now(LONDON) + timedelta(days=30)
    filler = [10**17 + n for n in range(97 - live)]
    for event_id in filler:  # events people made by hand, unknown to the bot
        guild.events[event_id] = {
            "id": str(event_id),
            "guild_id": str(guild.id),
            "status": 1,
            "name": "By hand",
            "scheduled_start_time": start.isoformat(),
        }
    try:
        series_id, announcement, reply = await create_series(sim, community, title="Swim")
        made = await occurrences(running, series_id)
        with_event = [a for a in made if a.scheduled_event_id is not None]
        assert len(with_event) == 3
        assert "Discord allows 100 events per server" in reply.text
        assert f"{len(made) - 3} dates have no Discord event yet" in reply.text
        person = community.new_citizen("swimmer")
        joined = await press(sim, person, announcement, f"series:all:{series_id}")
        assert joined.text.count("you have a place") == len(made)
    finally:
        for event_id in filler:
            del guild.events[event_id]
