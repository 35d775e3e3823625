"""`/checklist`, the lead's prompts with tick buttons, and a malformed checklist file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from bot.services import outbox
from bot.services.outbox import OutboxKind
from bot.settings import DEFAULT_CONFIG_DIR, PROJECT_ROOT
from db.models import Activity
from discord_sim import DiscordSimulator, SimMessage, SimUser
from tests.e2e.harness import Community, RunningBot
from tests.e2e.test_reminders import T0, add_activity, add_member, at

ROLES = "checklist:tick:{}:roles_agreed"


async def prompt_for(sim: DiscordSimulator, lead: SimUser, title: str) -> SimMessage:
    [prompt] = [m for m in sim.dm_messages(lead) if f"checklist for **{title}**" in m.text]
    return prompt


async def show(sim: DiscordSimulator, community: Community, user: SimUser, activity_id: int) -> str:
    reply = await sim.slash(community.guild, user, "checklist", {"activity": str(activity_id)})
    assert reply.ephemeral
    return reply.text


async def test_the_lead_is_prompted_and_a_ticked_item_shows_in_checklist(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    lead = community.new_citizen("lena_lead")
    await add_member(running, lead)
    activity_id = await add_activity(
        running, [], T0 + timedelta(days=20), lead=lead, title="Co-teaching"
    )
    await at(running, T0 + timedelta(days=6))  # 14 days before: roles
    prompt = await prompt_for(sim, lead, "Co-teaching")
    assert "Roles are agreed" in prompt.text
    ticked = await sim.click(lead, prompt, ROLES.format(activity_id))
    assert "Ticked" in ticked.text
    shown = await show(sim, community, lead, activity_id)
    assert "**Done** (before, for the lead): Roles are agreed" in shown
    assert "**To do** (before, for the lead): Papers are sent" in shown


async def test_someone_neither_lead_nor_coordinator_cannot_see_or_tick(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    lead, other = community.new_citizen("liam_lead"), community.new_citizen("olga_other")
    await add_member(running, lead)
    activity_id = await add_activity(running, [], T0 + timedelta(days=20), lead=lead, title="Panel")
    await at(running, T0 + timedelta(days=6))
    refused = await sim.slash(community.guild, other, "checklist", {"activity": str(activity_id)})
    assert refused.ephemeral
    assert "Only the lead of 'Panel' or a coordinator" in refused.text
    coordinator_view = await show(sim, community, community.coordinator, activity_id)
    assert "Checklist: Panel" in coordinator_view


async def test_ticking_on_a_cancelled_activity_gets_a_clear_answer(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    lead = community.new_citizen("luke_lead")
    await add_member(running, lead)
    activity_id = await add_activity(running, [], T0 + timedelta(days=20), lead=lead, title="Audit")
    await at(running, T0 + timedelta(days=6))
    prompt = await prompt_for(sim, lead, "Audit")
    async with running.bot.db.sessions() as session, session.begin():
        await session.execute(
            update(Activity).where(Activity.id == activity_id).values(status="cancelled")
        )
    answer = await sim.click(lead, prompt, ROLES.format(activity_id))
    assert answer.ephemeral
    assert "'Audit' was cancelled, so its checklist cannot be changed" in answer.text


async def test_coordinators_see_who_could_not_be_reached(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    gone = community.new_citizen("gus_gone")
    activity_id = await add_activity(running, [gone], T0 + timedelta(days=20), title="Survey")
    async with running.bot.db.sessions() as session, session.begin():
        await outbox.enqueue(
            session,
            guild_id=community.guild.id,
            kind=OutboxKind.REMINDER,
            dedupe_key="unreachable-test",
            due_at=T0,
            user_id=gone.id,
            activity_id=activity_id,
        )
        [item] = await outbox.pending(session, kinds=["reminder"], guild_id=community.guild.id)
        await outbox.record_failure(session, item.id, error="no thread", retry_at=None, now=T0)
    shown = await show(sim, community, community.coordinator, activity_id)
    assert f"Could not be reached\n<@{gone.id}>" in shown
    overview = await sim.slash(community.guild, community.admin, "setup")
    assert "could not be reached" in overview.text.lower()


async def test_the_activity_option_suggests_open_activities(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    activity_id = await add_activity(running, [], T0 + timedelta(days=9), title="Curriculum review")
    choices = await sim.autocomplete(
        community.guild, community.coordinator, "checklist", "activity", "curric"
    )
    assert [choice["value"] for choice in choices] == [str(activity_id)]


def test_a_malformed_checklist_file_stops_start_up_naming_the_line(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    checklist = config / "checklist.toml"
    checklist.write_text(checklist.read_text().replace('stage = "after"', 'stage = "later"'))
    bad_line = checklist.read_text().splitlines().index('stage = "later"') + 1
    env = {
        **os.environ,
        "CONFIG_DIR": str(config),
        "DISCORD_TOKEN": "not-used",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "DATA_KEY_FILE": str(tmp_path / "data.key"),  # not the project's data/
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
    assert f"checklist.toml line {bad_line}: stage must be 'before' or 'after'" in result.stderr
