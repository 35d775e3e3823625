"""`/training record` and `/training list` for coordinators; the programme's part of `/mine`;
the job that ends group terms that are over; and erasure (group roles taken away)."""

from __future__ import annotations

import io
import logging
from datetime import date

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt
from sqlalchemy.ext.asyncio import AsyncSession

from bot.client import HealthBot
from bot.cogs.programme._views import take_roles_quietly
from bot.permissions import coordinator_only
from bot.services import programme
from bot.services.programme import Holder, TrainingList
from bot.services.programme.common import words_date
from bot.ui.limits import lines_within
from bot.ui.programme_option import ModuleArg
from bot.ui.reply import reply
from bot.ui.text import plain

log = logging.getLogger(__name__)
Interaction = discord.Interaction[HealthBot]

TERMS_JOB = "programme-terms"


class Training(commands.Cog):
    training = app_commands.Group(
        name="training", description="Record and list training (coordinators)", guild_only=True
    )

    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    @training.command(name="record", description="Record a training module someone completed")
    @app_commands.describe(
        member="Who did the training",
        module="Which training module",
        date="The day they did it, like 2026-11-05 (today if you leave it out)",
    )
    @coordinator_only()
    async def record(
        self,
        interaction: Interaction,
        member: discord.Member,
        module: ModuleArg,
        date: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        now = self.bot.clock.now()
        zone = (await self.bot.community(interaction.guild_id)).zone
        completed_on = programme.parse_completed_on(date, zone, now)
        async with self.bot.db.sessions() as session, session.begin():
            result = await programme.record(
                session,
                interaction.guild_id,
                member.id,
                module,
                completed_on,
                now,
                zone=zone,
                recorded_by=interaction.user.id,
                catalogue=self.bot.training,
            )
        self.bot.outbox.wake()
        held = result.held
        name = plain(member.display_name, 80)
        if not result.changed:
            text = (
                f"{name} already holds {held.module_name} from a later date, "
                f"{_day(held.completed_on)}. Nothing changed."
            )
        else:
            text = f"Recorded: {name} holds {held.module_name} from {_day(held.completed_on)}."
        text += (
            f" It runs out on {_day(held.expires_on)}."
            if held.expires_on
            else " It does not run out."
        )
        await reply(interaction, text)

    @training.command(name="list", description="Who holds which training, and what runs out soon")
    @app_commands.describe(module="Only this training module")
    @coordinator_only()
    async def list_training(
        self, interaction: Interaction, module: ModuleArg | None = None
    ) -> None:
        assert interaction.guild_id is not None
        now = self.bot.clock.now()
        local = now.astimezone((await self.bot.community(interaction.guild_id)).zone)
        async with self.bot.db.sessions() as session:
            found = await programme.training_list(
                session, interaction.guild_id, now, module=module, catalogue=self.bot.training
            )
            this_month = await programme.expiring_in_month(
                session, interaction.guild_id, local.year, local.month, catalogue=self.bot.training
            )
        file = discord.File(io.BytesIO(found.csv().encode()), filename="training.csv")
        await reply(interaction, embed=list_embed(found, this_month, f"{local:%B %Y}"), file=file)

    # -- on its own -----------------------------------------------------------------

    async def end_terms(self) -> None:
        async with self.bot.db.sessions() as session, session.begin():
            ended = await programme.end_finished_terms(session, self.bot.clock.now())
        for term in ended:
            await take_roles_quietly(self.bot, term.guild_id, term.user_id, [term.role_id])
        if ended:
            self.bot.outbox.wake()

    async def mine_section(self, guild_id: int, user_id: int) -> str | None:
        now = self.bot.clock.now()
        async with self.bot.db.sessions() as session:
            held = await programme.held_modules(
                session, guild_id, user_id, catalogue=self.bot.training
            )
            groups = await programme.my_groups(session, guild_id, user_id)
        parts = []
        if held:
            lines = []
            for module in held:
                if module.expires_on is None:
                    lines.append(f"- {module.module_name}: does not run out.")
                elif module.held_at(now):
                    lines.append(f"- {module.module_name}: runs out on {_day(module.expires_on)}.")
                else:
                    lines.append(f"- {module.module_name}: ran out on {_day(module.expires_on)}.")
            parts.append("**Your training**\n" + "\n".join(lines))
        if groups:
            lines = []
            for mine in groups:
                name = plain(mine.group.name, 100)
                if not mine.member:
                    lines.append(f"- {name}: you have asked to join.")
                elif mine.term_ends_at:
                    lines.append(
                        f"- {name}: member, term ends {format_dt(mine.term_ends_at, 'D')}."
                    )
                else:
                    lines.append(f"- {name}: member since {format_dt(mine.since, 'D')}.")
            parts.append("**Your groups**\n" + "\n".join(lines))
        return "\n\n".join(parts) or None

    async def erase(self, session: AsyncSession, guild_id: int, user_id: int) -> None:
        roles = await programme.erase_person(session, guild_id, user_id, self.bot.clock.now())
        await take_roles_quietly(self.bot, guild_id, user_id, roles)

    async def cog_load(self) -> None:
        self.bot.schedule(TERMS_JOB, self.end_terms, minutes=10, run_at_start=True)

    async def cog_unload(self) -> None:
        self.bot.unschedule(TERMS_JOB)


def _day(day: date | None) -> str:
    return "" if day is None else words_date(day)


def _holder_line(holder: Holder) -> str:
    who = f"<@{holder.held.user_id}>"
    if holder.display_name:
        who += f" ({plain(holder.display_name, 60)})"
    ends = f"runs out {_day(holder.held.expires_on)}" if holder.held.expires_on else "no end"
    return f"{who}: {holder.held.module_name}, {ends}"


def list_embed(found: TrainingList, this_month: list[Holder], month: str) -> discord.Embed:
    title = f"Training: {found.module.name}" if found.module else "Training"
    embed = discord.Embed(
        title=title,
        description=f"{len(found.holders)} training record(s) held now. The file has everyone.",
    )

    def section(holders: list[Holder] | tuple[Holder, ...]) -> str:
        if not holders:
            return "None."
        return lines_within([_holder_line(h) for h in holders], 1024)

    embed.add_field(name=f"Running out in {month}", value=section(this_month), inline=False)
    embed.add_field(name="Running out in the next 60 days", value=section(found.expiring_soon))
    embed.add_field(name="Who holds what", value=section(found.holders), inline=False)
    return embed
