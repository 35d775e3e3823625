"""What the checklist and the scheduled prompts look like: embeds, the tick buttons, and the
messages for reminders, "what to expect" and checklist prompts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord.utils import format_dt

from bot.delivery import Outgoing
from bot.reporting import guarded
from bot.services import checklist
from bot.services.checklist import ActivityChecklist, ActivityInfo, ChecklistItem

if TYPE_CHECKING:
    from bot.client import HealthBot

MAX_BUTTONS = 25  # Discord's limit per message


def when(info: ActivityInfo) -> str:
    return f"{format_dt(info.starts_at, 'F')} ({format_dt(info.starts_at, 'R')})"


def checklist_embed(state: ActivityChecklist, unreachable: Sequence[int] = ()) -> discord.Embed:
    info = state.activity
    lines = []
    for entry in state.entries:
        mark = "Done" if entry.done else "To do"
        who = "for the lead" if entry.item.audience == "lead" else "for participants"
        lines.append(f"**{mark}** ({entry.item.stage}, {who}): {entry.item.text}")
    embed = discord.Embed(title=f"Checklist: {info.title}", description="\n".join(lines))
    embed.add_field(name="When", value=when(info), inline=False)
    if not info.is_open:
        embed.add_field(name="Status", value="Cancelled: the checklist is closed.", inline=False)
    if unreachable:
        embed.add_field(
            name="Could not be reached",
            value=", ".join(f"<@{user_id}>" for user_id in unreachable)
            + ". The bot gave up sending them a message; please contact them another way.",
            inline=False,
        )
    embed.set_footer(text=f"Activity #{info.id}")
    return embed


def tick_view(info: ActivityInfo, items: Sequence[ChecklistItem]) -> discord.ui.View:
    """A "Done" button for each open item (none once the activity is cancelled)."""
    view = discord.ui.View(timeout=None)
    for item in items[:MAX_BUTTONS] if info.is_open else ():
        view.add_item(TickButton(info.id, item.key, item.text))
    return view


def reminder_message(info: ActivityInfo) -> Outgoing:
    place = f" Place: {info.place}." if info.place else ""
    return Outgoing(
        content=(
            f"Reminder: **{info.title}** starts {when(info)}.{place}\n"
            "If you can no longer come, use `/withdraw` so someone waiting can take your place."
        )
    )


def expect_message(info: ActivityInfo, items: Sequence[ChecklistItem]) -> Outgoing:
    place = f"\nPlace: {info.place}" if info.place else ""
    body = "\n".join(f"- {item.text}" for item in items)
    return Outgoing(
        content=(
            f"**{info.title}** is coming up: {when(info)}, for {info.duration_minutes} "
            f"minutes.{place}\n{body}"
        )
    )


def checklist_prompt_message(state: ActivityChecklist, due: Sequence[ChecklistItem]) -> Outgoing:
    listed = "\n".join(f"- {item.text}" for item in due)
    return Outgoing(
        content=(
            f"Co-production checklist for **{state.activity.title}** ({when(state.activity)}). "
            f"Still to do:\n{listed}\nPress a button when an item is done, or use `/checklist`."
        ),
        view=tick_view(state.activity, due),
    )


async def is_coordinator_of(bot: HealthBot, guild_id: int, user_id: int) -> bool:
    """Coordinator check that also works for a button pressed in a DM."""
    guild = bot.get_guild(guild_id)
    member = guild.get_member(user_id) if guild else None
    if guild is None or member is None:
        return False
    if member.guild_permissions.manage_guild:
        return True
    role_id = (await bot.community(guild_id)).coordinator_role_id
    return any(role.id == role_id for role in member.roles)


class TickButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"checklist:tick:(?P<activity>[0-9]+):(?P<key>[a-z0-9_]+)",
):
    def __init__(self, activity_id: int, key: str, text: str = "") -> None:
        label = f"Done: {text}" if text else "Done"
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.success,
                custom_id=f"checklist:tick:{activity_id}:{key}",
            )
        )
        self.activity_id = activity_id
        self.key = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> TickButton:
        return cls(int(match["activity"]), match["key"])

    @guarded
    async def callback(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session:
            info = await checklist.activity_info(session, self.activity_id)
        coordinator = info is not None and await is_coordinator_of(
            bot, info.guild_id, interaction.user.id
        )
        async with bot.db.sessions() as session, session.begin():
            state = await checklist.tick(
                session,
                activity_id=self.activity_id,
                item_key=self.key,
                user_id=interaction.user.id,
                is_coordinator=coordinator,
                items=bot.checklist_items,
                now=bot.clock.now(),
            )
        view = tick_view(state.activity, state.open_items)
        await interaction.response.edit_message(
            content="Ticked. Here is the checklist now.",
            embed=checklist_embed(state),
            view=view,
        )
