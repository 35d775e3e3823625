"""The co-production programme through the simulator: training recorded and checked at
sign-up, reminders before it runs out, groups with a role and a private channel, requests to
join, terms that end kindly, and plain refusals that leave nothing half-made."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.settings import DEFAULT_CONFIG_DIR, PROJECT_ROOT
from discord_sim import DiscordSimulator, SimInteraction, SimMessage, SimRole, SimUser
from discord_sim import permissions as perm
from tests.e2e.harness import Community, ManualClock, RunningBot
from tests.e2e.test_reminders import add_member, settle

# A Tuesday, 10:00 in London (UTC in winter).
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
MAKER = perm.MANAGE_ROLES | perm.MANAGE_CHANNELS | perm.PIN_MESSAGES


def bot_role(community: Community) -> SimRole:
    return next(r for r in community.guild.roles.values() if r.bot_id is not None)


@pytest.fixture(scope="module", autouse=True)
async def bot_can_make_groups(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> AsyncIterator[None]:
    role = bot_role(community)
    role.permissions |= MAKER
    await sim.publish_change(role)
    yield
    role.permissions &= ~MAKER


@pytest.fixture(autouse=True)
def clock(running: RunningBot) -> ManualClock:
    running.bot.clock = ManualClock(T0)
    return running.bot.clock


async def answered(ix: Any) -> Any:
    if ix.deferred:
        await ix.wait_followup()
    return ix


def last(ix: SimInteraction) -> SimMessage:
    message = ix.followups[-1] if ix.followups else ix.original
    assert message is not None
    return message


async def coordinator(
    sim: DiscordSimulator, community: Community, command: str, options: dict[str, Any]
) -> Any:
    return await answered(await sim.slash(community.guild, community.coordinator, command, options))


async def citizen(
    sim: DiscordSimulator, community: Community, running: RunningBot, name: str
) -> SimUser:
    user = community.new_citizen(name)
    await sim.wait_for(
        lambda: running.bot.guilds[0].get_member(user.id) is not None, what="member known"
    )
    await add_member(running, user)
    return user


async def activity(sim: DiscordSimulator, community: Community, title: str, **options: Any) -> int:
    values = {"title": title, "when": "2026-12-28 14:00", "kind": "education", "capacity": 5}
    reply = await coordinator(sim, community, "activity create", {**values, **options})
    found = re.search(r"Activity #(\d+)", reply.text)
    assert found, reply.text
    return int(found[1])


async def sign_up(
    sim: DiscordSimulator, community: Community, user: SimUser, activity_id: int
) -> Any:
    return await answered(
        await sim.slash(community.guild, user, "signup", {"activity": str(activity_id)})
    )


async def make_group(sim: DiscordSimulator, community: Community, name: str, **options: Any) -> Any:
    return await coordinator(
        sim, community, "group create", {"name": name, "description": "We advise.", **options}
    )


def group_card(sim: DiscordSimulator, community: Community, name: str) -> SimMessage:
    found = [
        m
        for m in sim.channel_messages(community.announcements)
        if m.embeds and m.embeds[0].get("title") == name
    ]
    assert found, f"no card for {name}"
    return found[-1]


def group_id_of(card: SimMessage) -> int:
    footer = card.footer or ""
    return int(footer.removeprefix("Group #"))


def role_named(community: Community, name: str) -> SimRole:
    [role] = [r for r in community.guild.roles.values() if r.name == name]
    return role


# -- training ---------------------------------------------------------------------------------


async def test_a_recorded_module_lets_someone_sign_up_for_an_activity_that_needs_it(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    ann = await citizen(sim, community, running, "ann_trained")
    activity_id = await activity(sim, community, "Safe panel", needs="safeguarding")
    recorded = await coordinator(
        sim, community, "training record", {"member": ann, "module": "safeguarding"}
    )
    assert "holds Safeguarding from 1 December 2026" in recorded.text
    reply = await sign_up(sim, community, ann, activity_id)
    assert "You have a place at **Safe panel**" in reply.text


async def test_attending_a_training_activity_records_its_module_for_the_next_sign_up(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    bea = community.new_citizen("bea_attends")
    await sim.wait_for(
        lambda: running.bot.guilds[0].get_member(bea.id) is not None, what="member known"
    )
    await add_member(running, bea, display_name="bea_attends")
    training = await activity(
        sim,
        community,
        "Safeguarding session",
        kind="training",
        when="2026-12-20 14:00",
        teaches="safeguarding",
    )
    needing = await activity(sim, community, "Panel needing safeguarding", needs="safeguarding")
    refused = await sign_up(sim, community, bea, needing)
    assert "Safeguarding" in refused.text
    placed = await sign_up(sim, community, bea, training)
    assert "You have a place at **Safeguarding session**" in placed.text
    clock.advance(timedelta(days=20))  # the session has ended
    screen = await coordinator(sim, community, "activity attendance", {"activity": str(training)})
    assert screen.original is not None
    marked = await sim.choose(
        community.coordinator, screen.original, "Mark who attended", ["bea_attends"]
    )
    assert "bea\\_attends: attended" in marked.text
    mine = await sim.slash(community.guild, bea, "mine")
    assert "Safeguarding" in mine.text
    accepted = await sign_up(sim, community, bea, needing)
    assert "You have a place at **Panel needing safeguarding**" in accepted.text


async def test_someone_without_the_module_is_refused_with_the_next_training_named(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    bo = await citizen(sim, community, running, "bo_untrained")
    training_id = await activity(
        sim,
        community,
        "Safeguarding session",
        kind="training",
        teaches="safeguarding",
        when="2026-12-10 10:00",
    )
    activity_id = await activity(sim, community, "Ward visit", needs="safeguarding")
    refused = await sign_up(sim, community, bo, activity_id)
    assert "Ward visit needs the Safeguarding training first" in refused.text
    assert "Safeguarding session" in refused.text
    assert last(refused).ephemeral
    button = f"activity:signup:{training_id}"
    assert last(refused).find_component(button) is not None
    joined = await answered(await sim.click(bo, last(refused), button))
    assert "You have a place at **Safeguarding session**" in joined.text


async def test_a_module_that_runs_out_before_the_activity_does_not_count(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    cy = await citizen(sim, community, running, "cy_running_out")
    await coordinator(
        sim,
        community,
        "training record",
        {"member": cy, "module": "safeguarding", "date": "2023-12-20"},
    )
    activity_id = await activity(sim, community, "Late panel", needs="safeguarding")
    refused = await sign_up(sim, community, cy, activity_id)
    assert "Yours runs out before it starts, so it does not count" in refused.text


async def test_an_expiry_reminder_arrives_at_the_simulated_time(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    di = await citizen(sim, community, running, "di_reminded")
    await coordinator(
        sim,
        community,
        "training record",
        {"member": di, "module": "safeguarding", "date": "2024-02-15"},
    )
    await settle(running)
    assert not [m for m in sim.dm_messages(di) if "runs out" in m.text]
    clock.current = datetime(2027, 1, 16, 12, 0, tzinfo=UTC)
    await settle(running)
    [reminder] = [m for m in sim.dm_messages(di) if "runs out" in m.text]
    assert "Your Safeguarding training runs out on 15 February 2027" in reminder.text


async def test_an_expiry_reminder_waits_while_someone_is_paused(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    pia = await citizen(sim, community, running, "pia_paused")
    paused = await sim.slash(community.guild, pia, "pause", {"days": 60})
    assert paused.ephemeral
    await coordinator(
        sim,
        community,
        "training record",
        {"member": pia, "module": "safeguarding", "date": "2024-02-15"},
    )
    clock.current = datetime(2027, 1, 16, 12, 0, tzinfo=UTC)
    await settle(running)
    assert not [m for m in sim.dm_messages(pia) if "runs out" in m.text]


async def test_the_training_list_shows_this_month_s_expiries_with_a_file(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    ed = await citizen(sim, community, running, "ed_expiring")
    await coordinator(
        sim,
        community,
        "training record",
        {"member": ed, "module": "safeguarding", "date": "2023-12-20"},
    )
    listed = await sim.slash(community.guild, community.coordinator, "training list", {})
    assert listed.ephemeral
    month = next(
        f for f in listed.embeds[0]["fields"] if f["name"] == "Running out in December 2026"
    )
    assert f"<@{ed.id}>" in month["value"]
    assert listed.original is not None
    [upload] = listed.original.uploads
    assert upload.filename == "training.csv"
    assert str(ed.id).encode() in upload.data


async def test_mine_lists_training_held_and_when_it_runs_out(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    fay = await citizen(sim, community, running, "fay_mine")
    await coordinator(
        sim,
        community,
        "training record",
        {"member": fay, "module": "safeguarding", "date": "2026-11-05"},
    )
    mine = await sim.slash(community.guild, fay, "mine", {})
    assert "**Your training**" in mine.text
    assert "Safeguarding: runs out on 5 November 2029" in mine.text


# -- groups -----------------------------------------------------------------------------------


async def test_a_group_gets_a_role_and_a_private_channel(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    outsider = await citizen(sim, community, running, "gus_outside")
    made = await make_group(sim, community, "Advisory group")
    assert "Made Advisory group" in made.text
    role = role_named(community, "Advisory group")
    channel = community.guild.find_channel("advisory-group")
    assert channel is not None
    overwrites = {int(o["id"]): o for o in channel.overwrites}
    assert int(overwrites[community.guild.id]["deny"]) & perm.VIEW_CHANNEL
    assert int(overwrites[role.id]["allow"]) & perm.VIEW_CHANNEL
    assert not community.guild.can(outsider, channel, perm.VIEW_CHANNEL)
    assert community.guild.can(community.coordinator, channel, perm.VIEW_CHANNEL)
    [welcome] = sim.channel_messages(channel)
    assert welcome.pinned
    card = group_card(sim, community, "Advisory group")
    assert card.find_component(f"group:ask:{group_id_of(card)}") is not None


async def test_an_accepted_request_gives_the_role_and_the_channel(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    hal = await citizen(sim, community, running, "hal_asks")
    await make_group(sim, community, "Quality group")
    card = group_card(sim, community, "Quality group")
    group_id = group_id_of(card)
    form = await sim.click(hal, card, f"group:ask:{group_id}")
    asked = await sim.submit_modal(form, {"why": "I care about quality."})
    assert "has gone to the coordinators" in asked.text
    thread = await sim.wait_for(
        lambda: next(
            (t for t in community.guild.threads.values() if t.name == "Groups: requests to join"),
            None,
        ),
        what="the coordinators' thread",
    )
    request = await sim.wait_for(
        lambda: next((m for m in thread.messages if "Quality group" in m.text), None),
        what="the request in the coordinators' thread",
    )
    assert community.coordinator.id in thread.thread_members
    accept = next(c["custom_id"] for c in _buttons(request) if c["label"] == "Accept")
    await sim.click(community.coordinator, request, accept)
    assert "Request accepted" in request.text
    assert "I care about quality." in request.text
    role = role_named(community, "Quality group")
    assert role.id in community.guild.members[hal.id].roles
    channel = community.guild.find_channel("quality-group")
    assert channel is not None
    assert community.guild.can(hal, channel, perm.VIEW_CHANNEL)
    await settle(running)
    assert [m for m in sim.dm_messages(hal) if "you are now a member of Quality group" in m.text]


async def test_asking_twice_is_refused_plainly(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    ivy = await citizen(sim, community, running, "ivy_twice")
    await make_group(sim, community, "Panel group")
    card = group_card(sim, community, "Panel group")
    group_id = group_id_of(card)
    first = await sim.click(ivy, card, f"group:ask:{group_id}")
    await sim.submit_modal(first, {"why": "Please."})
    second = await sim.click(ivy, card, f"group:ask:{group_id}")
    again = await sim.submit_modal(second, {"why": "Please again."})
    assert "You have already asked to join Panel group" in again.text
    assert again.ephemeral


async def test_a_term_ending_asks_to_carry_on_and_stepping_down_takes_the_role(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    jo = await citizen(sim, community, running, "jo_term")
    await make_group(sim, community, "Term group", term_months=12)
    group_id = group_id_of(group_card(sim, community, "Term group"))
    added = await coordinator(sim, community, "group add", {"group": str(group_id), "member": jo})
    assert "now a member of Term group" in added.text
    role = role_named(community, "Term group")
    assert role.id in community.guild.members[jo.id].roles
    clock.current = T0 + timedelta(days=365 - 13)
    await settle(running)
    [prompt] = [m for m in sim.dm_messages(jo) if "Would you like to carry on" in m.text]
    step = next(c["custom_id"] for c in _buttons(prompt) if c["label"] == "Step down")
    stepped = await sim.click(jo, prompt, step)
    assert "You have stepped down" in stepped.text
    assert role.id not in community.guild.members[jo.id].roles


async def test_a_group_only_activity_refuses_someone_outside_it(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    kim = await citizen(sim, community, running, "kim_outside")
    await make_group(sim, community, "Members group")
    group_id = group_id_of(group_card(sim, community, "Members group"))
    activity_id = await activity(sim, community, "Members meeting", group=str(group_id))
    refused = await sign_up(sim, community, kim, activity_id)
    assert "Members meeting is only for members of Members group" in refused.text
    assert last(refused).find_component(f"group:ask:{group_id}") is not None


async def test_a_term_nobody_renewed_ends_with_thanks_and_the_role_goes(
    sim: DiscordSimulator, community: Community, running: RunningBot, clock: ManualClock
) -> None:
    lou = await citizen(sim, community, running, "lou_term_over")
    await make_group(sim, community, "Short group", term_months=1)
    group_id = group_id_of(group_card(sim, community, "Short group"))
    await coordinator(sim, community, "group add", {"group": str(group_id), "member": lou})
    role = role_named(community, "Short group")
    clock.current = T0 + timedelta(days=32)
    await running.run_scheduled_jobs()
    await settle(running)
    assert role.id not in community.guild.members[lou.id].roles
    assert [m for m in sim.dm_messages(lou) if "Your term on Short group has ended" in m.text]


async def test_leave_group_on_the_pinned_card_takes_the_role(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    mo = await citizen(sim, community, running, "mo_leaves")
    await make_group(sim, community, "Leaving group")
    group_id = group_id_of(group_card(sim, community, "Leaving group"))
    await coordinator(sim, community, "group add", {"group": str(group_id), "member": mo})
    channel = community.guild.find_channel("leaving-group")
    assert channel is not None
    [welcome] = [m for m in sim.channel_messages(channel) if m.pinned]
    left = await sim.click(mo, welcome, f"group:leave:{group_id}")
    assert "You have left Leaving group" in left.text
    assert left.ephemeral
    assert role_named(community, "Leaving group").id not in community.guild.members[mo.id].roles


async def test_mine_lists_the_groups_someone_is_in(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    pat = await citizen(sim, community, running, "pat_member")
    await make_group(sim, community, "Mine group", term_months=12)
    group_id = group_id_of(group_card(sim, community, "Mine group"))
    await coordinator(sim, community, "group add", {"group": str(group_id), "member": pat})
    mine = await sim.slash(community.guild, pat, "mine", {})
    assert "**Your groups**" in mine.text
    assert "Mine group: member, term ends" in mine.text


async def test_a_decision_is_posted_in_the_group_s_channel(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await make_group(sim, community, "Deciding group")
    group_id = group_id_of(group_card(sim, community, "Deciding group"))
    reply = await coordinator(
        sim, community, "group decision", {"group": str(group_id), "text": "Meet monthly."}
    )
    assert "Saved, and posted" in reply.text
    channel = community.guild.find_channel("deciding-group")
    assert channel is not None
    assert [m for m in sim.channel_messages(channel) if "Meet monthly." in m.text]
    listed = await sim.slash(community.guild, community.coordinator, "group list", {})
    assert "Decision: Meet monthly." in listed.text


async def test_erasing_someone_s_data_takes_their_group_roles(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    quin = await citizen(sim, community, running, "quin_erased")
    await make_group(sim, community, "Erased group")
    group_id = group_id_of(group_card(sim, community, "Erased group"))
    await coordinator(sim, community, "group add", {"group": str(group_id), "member": quin})
    role = role_named(community, "Erased group")
    warning = await sim.slash(community.guild, quin, "mydata delete", {})
    assert warning.original is not None
    [erase] = [
        c["custom_id"]
        for c in warning.original.all_components()
        if str(c.get("custom_id", "")).startswith("mydata:erase:")
    ]
    done = await sim.click(quin, warning.original, erase)
    assert "has been deleted" in done.text
    assert role.id not in community.guild.members[quin.id].roles


# -- bad input --------------------------------------------------------------------------------


async def test_an_unknown_module_is_refused_plainly(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    lee = await citizen(sim, community, running, "lee_unknown")
    reply = await sim.slash(
        community.guild,
        community.coordinator,
        "training record",
        {"member": lee, "module": "Juggling"},
    )
    assert "There is no training called 'Juggling'" in reply.text
    assert reply.ephemeral


async def test_a_training_date_in_the_future_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    max_ = await citizen(sim, community, running, "max_future")
    reply = await sim.slash(
        community.guild,
        community.coordinator,
        "training record",
        {"member": max_, "module": "safeguarding", "date": "2027-01-05"},
    )
    assert "5 January 2027 has not happened yet" in reply.text
    mine = await sim.slash(community.guild, max_, "mine", {})
    assert "Your training" not in mine.text


async def test_an_unknown_group_is_refused_plainly(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    reply = await sim.slash(
        community.guild,
        community.coordinator,
        "group decision",
        {"group": "Nobody's group", "text": "We agreed."},
    )
    assert "I could not find a group called" in reply.text
    assert reply.ephemeral


async def test_a_group_name_already_used_is_refused_and_nothing_is_made(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await make_group(sim, community, "Twin group")
    roles, channels = len(community.guild.roles), len(community.guild.channels)
    again = await sim.slash(
        community.guild,
        community.coordinator,
        "group create",
        {"name": "twin GROUP", "description": "Again."},
    )
    assert "There is already a group called Twin group" in again.text
    assert (len(community.guild.roles), len(community.guild.channels)) == (roles, channels)


async def test_adding_someone_who_has_not_joined_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    stranger = community.new_citizen("nat_not_joined")
    await make_group(sim, community, "Strict group")
    group_id = group_id_of(group_card(sim, community, "Strict group"))
    reply = await sim.slash(
        community.guild,
        community.coordinator,
        "group add",
        {"group": str(group_id), "member": stranger},
    )
    assert "has not joined the community yet" in reply.text
    assert (
        role_named(community, "Strict group").id not in community.guild.members[stranger.id].roles
    )


async def test_without_manage_roles_group_create_says_so_and_makes_nothing(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    role = bot_role(community)
    role.permissions &= ~perm.MANAGE_ROLES
    await sim.publish_change(role)
    try:
        roles, channels = len(community.guild.roles), len(community.guild.channels)
        reply = await sim.slash(
            community.guild,
            community.coordinator,
            "group create",
            {"name": "Orphan group", "description": "Never made."},
        )
    finally:
        role.permissions |= perm.MANAGE_ROLES
        await sim.publish_change(role)
    assert "I need the Manage Roles permission" in reply.text
    assert reply.ephemeral
    assert (len(community.guild.roles), len(community.guild.channels)) == (roles, channels)


def _buttons(message: SimMessage) -> list[dict[str, Any]]:
    return [
        c for row in message.components for c in row.get("components", []) if c.get("type") == 2
    ]


async def test_a_group_whose_card_cannot_be_posted_leaves_no_role_or_channel(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    roles, channels = len(community.guild.roles), len(community.guild.channels)
    await sim.set_permissions(community.announcements, bot_role(community), deny=perm.SEND_MESSAGES)
    try:
        reply = await sim.slash(
            community.guild,
            community.coordinator,
            "group create",
            {"name": "Half group", "description": "Never finished."},
        )
        await answered(reply)
    finally:
        await sim.set_permissions(community.announcements, bot_role(community))
    assert "removed what I had made and nothing was saved" in reply.text
    assert (len(community.guild.roles), len(community.guild.channels)) == (roles, channels)
    listed = await sim.slash(community.guild, community.coordinator, "group list", {})
    assert "Half group" not in listed.text


async def test_setup_says_plainly_what_groups_are_missing(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    role = bot_role(community)
    role.permissions &= ~perm.MANAGE_CHANNELS
    await sim.publish_change(role)
    try:
        shown = await sim.slash(community.guild, community.admin, "setup", {})
    finally:
        role.permissions |= perm.MANAGE_CHANNELS
        await sim.publish_change(role)
    assert "I do not have the Manage Channels permission" in shown.text


def test_a_malformed_training_file_stops_start_up_naming_the_line(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    training = config / "training.toml"
    training.write_text(training.read_text().replace("valid_months = 36", "valid_months = 0"))
    bad_line = training.read_text().splitlines().index("valid_months = 0") + 1
    env = {
        **os.environ,
        "CONFIG_DIR": str(config),
        "DISCORD_TOKEN": "not-used",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "DATA_KEY_FILE": str(tmp_path / "data.key"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert f"training.toml line {bad_line}: valid_months must be" in result.stderr
