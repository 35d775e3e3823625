"""Citizens sign up in two clicks, wait fairly, are promoted and told, and see `/mine`."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from db.models import Member, Signup
from discord_sim import DiscordSimulator, SimInteraction, SimMessage, SimUser
from tests.e2e.harness import Community, RunningBot, bot_settings, start_bot
from tests.e2e.test_activities import answered, as_coordinator, in_days, press


async def post(
    sim: DiscordSimulator, community: Community, title: str, capacity: int
) -> tuple[int, SimMessage]:
    reply = await as_coordinator(
        sim,
        community,
        "activity create",
        {"title": title, "when": in_days(14), "kind": "research", "capacity": capacity},
    )
    found = re.search(r"Activity #(\d+)", reply.text)
    assert found, reply.text
    announcement = sim.find_message(community.announcements, footer=f"Activity #{found[1]}")
    assert announcement is not None
    return int(found[1]), announcement


async def signup(
    sim: DiscordSimulator, community: Community, user: SimUser, activity: str
) -> SimInteraction:
    """`/signup`, agreeing to the consent card if it comes up."""
    reply = await answered(await sim.slash(community.guild, user, "signup", {"activity": activity}))
    agree = f"consent:agree:signup:{activity}" if activity.isdigit() else None
    if reply.original is not None and agree and reply.original.find_component(agree):
        return await press(sim, user, reply.original, agree)
    return reply


async def places_shown(sim: DiscordSimulator, announcement: SimMessage, line: str) -> None:
    await sim.wait_for(lambda: line in announcement.text, what=f"the announcement to say {line!r}")


async def rows(running: RunningBot, model: type[Member] | type[Signup], user: SimUser) -> int:
    async with running.bot.db.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(model).where(model.user_id == user.id)
        )
    return int(count or 0)


async def test_a_newcomer_sees_the_consent_card_first_and_i_agree_completes_the_sign_up(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await post(sim, community, "Consent first panel", 3)
    newcomer = community.new_citizen("newcomer")
    card = await press(sim, newcomer, announcement, f"activity:signup:{activity_id}")
    assert card.ephemeral
    assert "Before you take part" in card.text
    assert await rows(running, Member, newcomer) == 0
    assert await rows(running, Signup, newcomer) == 0
    assert card.original is not None
    agreed = await press(sim, newcomer, card.original, f"consent:agree:signup:{activity_id}")
    assert "You have a place at **Consent first panel**" in agreed.text
    assert await rows(running, Signup, newcomer) == 1
    await places_shown(sim, announcement, "2 of 3 places left")


async def test_the_places_line_follows_each_sign_up_and_withdrawal(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await post(sim, community, "Places line panel", 2)
    first, second, third = (community.new_citizen(f"places_{n}") for n in range(3))
    await signup(sim, community, first, str(activity_id))
    await places_shown(sim, announcement, "1 of 2 places left")
    await signup(sim, community, second, str(activity_id))
    await places_shown(sim, announcement, "Full - 0 waiting")
    waiting = await signup(sim, community, third, str(activity_id))
    assert "number 1 on the waiting list" in waiting.text
    await places_shown(sim, announcement, "Full - 1 waiting")
    await press(sim, third, announcement, f"activity:withdraw:{activity_id}")
    await places_shown(sim, announcement, "Full - 0 waiting")
    await answered(
        await sim.slash(community.guild, first, "withdraw", {"activity": str(activity_id)})
    )
    await places_shown(sim, announcement, "1 of 2 places left")


async def test_full_then_waitlist_then_withdrawal_promotes_and_tells_the_next_person(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await post(sim, community, "Promotion panel", 1)
    holder, hopeful = community.new_citizen("holder"), community.new_citizen("hopeful")
    await signup(sim, community, holder, str(activity_id))
    assert (
        "number 1 on the waiting list"
        in (await signup(sim, community, hopeful, str(activity_id))).text
    )
    gave_up = await press(sim, holder, announcement, f"activity:withdraw:{activity_id}")
    assert "given up your place" in gave_up.text
    assert "next person waiting has been given your place" in gave_up.text
    told = await sim.wait_for(
        lambda: [m for m in sim.dm_messages(hopeful) if "a place has come up" in m.text],
        what="the promotion DM",
    )
    assert "Promotion panel" in told[0].text
    await places_shown(sim, announcement, "Full - 0 waiting")


async def test_a_promoted_person_with_dms_closed_is_told_in_their_private_thread(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await post(sim, community, "Closed DMs panel", 1)
    holder, quiet = community.new_citizen("holder_2"), community.new_citizen("quiet")
    sim.refuse_dms(quiet)
    await signup(sim, community, holder, str(activity_id))
    await signup(sim, community, quiet, str(activity_id))
    await press(sim, holder, announcement, f"activity:withdraw:{activity_id}")
    told = await sim.wait_for(
        lambda: sim.find_message(contains="a place has come up at **Closed DMs panel**"),
        what="the thread message",
    )
    thread = sim.state.channels[told.channel_id]
    assert thread.parent_id == community.welcome.id
    people = [user.id for user in sim.thread_members(thread) if user.id != sim.bot_user.id]
    assert people == [quiet.id]
    assert f"<@{quiet.id}>" in told.text
    assert sim.dm_messages(quiet) == []


async def test_signing_up_twice_or_withdrawing_without_a_place_gets_a_kind_answer(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, announcement = await post(sim, community, "Twice panel", 2)
    person = community.new_citizen("eager")
    await signup(sim, community, person, str(activity_id))
    again = await press(sim, person, announcement, f"activity:signup:{activity_id}")
    assert again.ephemeral
    assert "already have a place" in again.text
    outsider = community.citizens[0]
    nothing = await answered(
        await sim.slash(community.guild, outsider, "withdraw", {"activity": str(activity_id)})
    )
    assert nothing.ephemeral
    assert "not signed up for Twice panel" in nothing.text


async def test_a_typed_title_works_and_an_unknown_one_is_explained(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id, _ = await post(sim, community, "Typed title panel", 2)
    person = community.new_citizen("typist")
    await signup(sim, community, person, str(activity_id))  # consent, the first time
    await answered(
        await sim.slash(community.guild, person, "withdraw", {"activity": "typed title panel"})
    )
    reply = await answered(
        await sim.slash(community.guild, person, "signup", {"activity": "Typed title panel"})
    )
    assert "You have a place at **Typed title panel**" in reply.text
    unknown = await answered(
        await sim.slash(community.guild, person, "signup", {"activity": "Bake sale"})
    )
    assert unknown.ephemeral
    assert "could not find an activity matching 'Bake sale'" in unknown.text


async def test_mine_shows_places_and_waitlist_positions(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    roomy, _ = await post(sim, community, "Roomy panel", 5)
    tiny, _ = await post(sim, community, "Tiny panel", 1)
    person, other = community.new_citizen("mine_person"), community.new_citizen("mine_other")
    await signup(sim, community, other, str(tiny))
    await signup(sim, community, person, str(tiny))
    await signup(sim, community, person, str(roomy))
    mine = await sim.slash(community.guild, person, "mine")
    assert mine.ephemeral
    assert "**Roomy panel**" in mine.text
    assert "you have a place" in mine.text
    assert "**Tiny panel**" in mine.text
    assert "number 1 on the waiting list" in mine.text


async def test_a_button_on_an_announcement_made_before_a_restart_still_works(
    sim: DiscordSimulator, community: Community, running: RunningBot, database_url: str
) -> None:
    activity_id, announcement = await post(sim, community, "Before restart panel", 4)
    person = community.new_citizen("after_restart")
    await signup(sim, community, person, str(activity_id))
    await running.stop()
    # The stop let the answer under way finish its refresh of the announcement.
    assert "3 of 4 places left" in announcement.text
    await sim.wait_for(lambda: not sim.gateway.ready_sessions(), what="the stopped bot to go")
    restarted = await start_bot(bot_settings(sim, database_url))
    try:
        await sim.wait_until_ready()
        late = community.new_citizen("late_comer")
        card = await press(sim, late, announcement, f"activity:signup:{activity_id}")
        assert card.original is not None
        agreed = await press(sim, late, card.original, f"consent:agree:signup:{activity_id}")
        assert "You have a place at **Before restart panel**" in agreed.text
        await places_shown(sim, announcement, "2 of 4 places left")
        gone = await press(sim, person, announcement, f"activity:withdraw:{activity_id}")
        assert "given up your place" in gone.text
    finally:
        await restarted.stop()
