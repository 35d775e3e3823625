"""Leaving and staying: what happens when someone leaves the server or comes back, the periodic
job that erases people who left (or did not answer) and asks people away a long time whether
to stay, and that question's **Stay** and **Leave and delete** buttons."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.delivery import Outgoing
from bot.services import mydata, retention
from bot.services.outbox import OutboxItem
from bot.ui.base import GuardedButton
from bot.ui.custom_ids import CustomId

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)

RETENTION_JOB = "membership:retention"

STAY_QUESTION = (
    "Hello. You have not used the community bot for a long time. "
    "Would you like us to keep what we hold about you? "
    "Press **Stay** to keep it. Press **Leave and delete** to delete it now. "
    "If we hear nothing in {days} days, we will delete it."
)
STAYING = "Thank you. We will keep your details, and you can carry on as before."
GONE = "Done. Everything we held about you has been deleted. You can `/join` again any time."
NOTHING_HELD = "We hold nothing about you now, so there is nothing to keep or delete."


def stay_view(guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StayButton(guild_id))
    view.add_item(LeaveAndDeleteButton(guild_id))
    return view


async def render_stay_question(item: OutboxItem) -> Outgoing | None:
    days = item.payload_as(retention.StayPayload).no_answer_days
    return Outgoing(content=STAY_QUESTION.format(days=days), view=stay_view(item.guild_id))


class StayButton(GuardedButton, prefix=CustomId.STAY, fields=r"(?P<guild_id>[0-9]+)"):
    def __init__(self, guild_id: int) -> None:
        super().__init__(guild_id, label="Stay", style=discord.ButtonStyle.success)
        self.guild_id = guild_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> StayButton:
        return cls(int(match["guild_id"]))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            kept = await retention.stay(
                session, self.guild_id, interaction.user.id, bot.clock.now()
            )
        await interaction.response.edit_message(
            content=STAYING if kept else NOTHING_HELD, view=None
        )


class LeaveAndDeleteButton(
    GuardedButton, prefix=CustomId.LEAVE_AND_DELETE, fields=r"(?P<guild_id>[0-9]+)"
):
    def __init__(self, guild_id: int) -> None:
        super().__init__(guild_id, label="Leave and delete", style=discord.ButtonStyle.danger)
        self.guild_id = guild_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> LeaveAndDeleteButton:
        return cls(int(match["guild_id"]))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            erased = await mydata.erase(
                session, self.guild_id, interaction.user.id, bot.erasure_steps
            )
        bot.outbox.wake()
        await interaction.response.edit_message(
            content=GONE if erased.held_anything else NOTHING_HELD, view=None
        )


class Retention(commands.Cog):
    """The listeners and the periodic job."""

    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot
        # Who was noted as seen today, so a busy day costs one write a person, not one per
        # press (only a saving: the database decides; forgotten at restart and each new day).
        self._seen_on: date | None = None
        self._seen: set[tuple[int, int]] = set()

    async def cog_load(self) -> None:
        self.bot.schedule(RETENTION_JOB, self.tick, minutes=60, run_at_start=True)

    async def cog_unload(self) -> None:
        self.bot.unschedule(RETENTION_JOB)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        async with self.bot.db.sessions() as session, session.begin():
            held = await retention.member_left(
                session, payload.guild_id, payload.user.id, self.bot.clock.now()
            )
        if held:
            self.bot.outbox.wake()  # the next person promoted, the buddy told

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        async with self.bot.db.sessions() as session, session.begin():
            await retention.member_returned(session, member.guild.id, member.id)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[HealthBot]) -> None:
        if interaction.guild_id is None:
            return
        now = self.bot.clock.now()
        if self._seen_on != now.date():
            self._seen_on, self._seen = now.date(), set()
        key = (interaction.guild_id, interaction.user.id)
        if key in self._seen:
            return
        self._seen.add(key)
        async with self.bot.db.sessions() as session, session.begin():
            await retention.note_seen(session, interaction.guild_id, interaction.user.id, now)

    async def tick(self) -> None:
        """Erase who falls due, then ask who has been away long enough. Each erasure is its own
        transaction, checked again inside it (they may have come back meanwhile)."""
        now = self.bot.clock.now()
        rules = self.bot.settings.privacy.retention
        async with self.bot.db.sessions() as session:
            due = await retention.due_for_erasure(session, now, rules)
        erased = 0
        for person in due:
            async with self.bot.db.sessions() as session, session.begin():
                if not await retention.still_due(session, person, now, rules):
                    continue
                await mydata.erase(session, person.guild_id, person.user_id, self.bot.erasure_steps)
                erased += 1
        async with self.bot.db.sessions() as session, session.begin():
            asked = await retention.ask_inactive(session, now, rules)
        if erased or asked:
            log.info("Retention: erased %d people, asked %d whether to stay", erased, asked)
            self.bot.outbox.wake()
