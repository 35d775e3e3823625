"""`/payments due|paid|export` and `/claim`; the `/activity role|choose|attendance`
subcommands (joined to the activities cog's `/activity` group in `setup`); the job that plans
the lead's prompt to mark who came; and the person's hours and money in `/mine`."""

from __future__ import annotations

import asyncio
import io
import logging
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.client import HealthBot
from bot.cogs.involvement._views import (
    AddRoleDetailsButton,
    PaidSelectView,
    attendance_screen,
    choose_screen,
    claim_embed,
    claim_view,
    open_role_form,
)
from bot.errors import InvalidInput
from bot.permissions import coordinator_only, is_coordinator
from bot.services import outbox
from bot.services.involvement import attendance, claims, payments
from bot.services.involvement.common import NoticePayload, pounds
from bot.services.involvement.settings import ExpenseKind
from bot.services.outbox import OutboxKind
from bot.services.when import parse_day
from bot.ui.activity_option import ActivityArg, RecentActivityArg, StartedActivityArg
from bot.ui.coordinators import coordinators_thread
from bot.ui.reply import reply

log = logging.getLogger(__name__)
Interaction = discord.Interaction[HealthBot]
PLAN_JOB = "involvement-attendance-prompts"
LATE_JOB = "involvement-late-payments"
DUE_SHOWN = 20
WHAT_CHOICES = [app_commands.Choice(name=kind.value, value=kind.value) for kind in ExpenseKind]


class Involvement(commands.Cog):
    payments_group = app_commands.Group(
        name="payments", description="What people are owed and paid (coordinators)", guild_only=True
    )

    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.schedule(PLAN_JOB, self.plan_prompts, minutes=5, run_at_start=True)
        self.bot.schedule(LATE_JOB, self.prompt_late_payments, minutes=60, run_at_start=True)

    async def cog_unload(self) -> None:
        self.bot.unschedule(PLAN_JOB)
        self.bot.unschedule(LATE_JOB)

    async def prompt_late_payments(self) -> int:
        """One summary a week to coordinators while payments wait longer than
        prompt_after_days."""
        now = self.bot.clock.now()
        after = self.bot.payment_settings.prompt_after_days
        year, week, _ = now.isocalendar()
        queued = 0
        for guild in self.bot.guilds:
            async with self.bot.db.sessions() as session, session.begin():
                late = await payments.late_summary(session, guild.id, now, after)
                if not late.count:
                    continue
                queued += await outbox.enqueue(
                    session,
                    guild_id=guild.id,
                    kind=OutboxKind.INVOLVEMENT_NOTICE,
                    dedupe_key=f"{OutboxKind.INVOLVEMENT_NOTICE}:late:{guild.id}:{year}-{week}",
                    due_at=now,
                    payload=NoticePayload(
                        coordinators=True,
                        text=(
                            f"{late.count} payment(s) have waited more than {after} days: "
                            f"{pounds(late.total_pence)} in all, the oldest for "
                            f"{late.oldest_days} days. Please see `/payments due`, and mark "
                            "them with `/payments paid` once made."
                        ),
                    ),
                )
        if queued:
            self.bot.outbox.wake()
        return queued

    async def plan_prompts(self) -> int:
        """Queue the prompt to mark who came for activities that ended."""
        coordinators: dict[int, list[int]] = {}
        for guild in self.bot.guilds:
            setup = await self.bot.community(guild.id)
            role = guild.get_role(setup.coordinator_role_id or 0)
            coordinators[guild.id] = [m.id for m in role.members if not m.bot] if role else []
        async with self.bot.db.sessions() as session, session.begin():
            queued = await attendance.plan_attendance_prompts(
                session, now=self.bot.clock.now(), coordinators=coordinators
            )
        if queued:
            self.bot.outbox.wake()
        return queued

    # -- /payments ----------------------------------------------------------------------------

    @payments_group.command(
        name="due", description="What is owed, to whom, and how long it has waited"
    )
    @coordinator_only()
    async def due(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session:
            lines = await payments.payments_due(session, interaction.guild_id, self.bot.clock.now())
        if not lines:
            await reply(interaction, "Nothing is owed right now.")
            return
        total = sum(line.amount_pence for line in lines)
        shown_lines = [
            f"P{line.payment_id}: <@{line.user_id}> {pounds(line.amount_pence)} for "
            f"{discord.utils.escape_markdown(line.for_title)} ({line.source}, "
            f"{_choice_words(line.choice)}), waiting {line.days_waited} days"
            for line in lines[:DUE_SHOWN]
        ]
        if len(lines) > DUE_SHOWN:
            shown_lines.append(f"...and {len(lines) - DUE_SHOWN} more in `/payments export`.")
        embed = discord.Embed(
            title="Payments due",
            description=(
                f"{len(lines)} payments, {pounds(total)} in all, oldest first.\n\n"
                + "\n".join(shown_lines)
            )[:4096],
        )
        embed.set_footer(text="Mark payments made with /payments paid.")
        await reply(interaction, embed=embed)

    @payments_group.command(name="paid", description="Mark payments as made; each person is told")
    @coordinator_only()
    async def paid(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session:
            lines = await payments.payments_due(session, interaction.guild_id, self.bot.clock.now())
        if not lines:
            await reply(interaction, "Nothing is owed right now, so there is nothing to mark.")
            return
        await reply(
            interaction,
            "Pick the payments that were made. The oldest 25 are listed.",
            view=PaidSelectView(lines),
        )

    @payments_group.command(name="export", description="A spreadsheet of payments for finance")
    @app_commands.describe(
        start="From this day, like 2026-04-01 (a year ago if you leave it out)",
        end="Up to and including this day (today if you leave it out)",
    )
    @app_commands.rename(start="from", end="to")
    @coordinator_only()
    async def export(
        self, interaction: Interaction, start: str | None = None, end: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        now = self.bot.clock.now()
        zone = (await self.bot.community(interaction.guild_id)).zone
        today = now.astimezone(zone).date()
        bounds = {"earliest": date(2000, 1, 1), "latest": today + timedelta(days=366)}
        last_day = parse_day(end, zone, now, field="to", **bounds) if end else today
        first_day = (
            parse_day(start, zone, now, field="from", **bounds)
            if start
            else last_day - timedelta(days=365)
        )
        first = datetime.combine(first_day, time(), zone).astimezone(UTC)
        last = datetime.combine(last_day + timedelta(days=1), time(), zone).astimezone(UTC)
        name = f"payments-{first_day.isoformat()}-to-{last_day.isoformat()}"
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.sessions() as session:
            found = await payments.finance_export(session, interaction.guild_id, first, last)
        xlsx, text = await asyncio.to_thread(lambda: (found.xlsx(), found.csv()))
        await interaction.followup.send(
            f"{len(found.rows)} payments, {pounds(found.total_pence)} in all.",
            files=[
                discord.File(io.BytesIO(xlsx), filename=f"{name}.xlsx"),
                discord.File(io.BytesIO(text.encode()), filename=f"{name}.csv"),
            ],
            ephemeral=True,
        )

    # -- /claim -------------------------------------------------------------------------------

    @app_commands.command(name="claim", description="Claim back what an activity cost you")
    @app_commands.describe(
        activity="The activity you took part in",
        amount="How much, in pounds and pence, like 12.50",
        what="What it was for",
        note="Anything coordinators should know (optional)",
        receipt="A photo of the receipt; only coordinators see it, and it is not stored",
    )
    @app_commands.choices(what=WHAT_CHOICES)
    @app_commands.guild_only()
    async def claim(
        self,
        interaction: Interaction,
        activity: RecentActivityArg,
        amount: str,
        what: app_commands.Choice[str],
        note: str | None = None,
        receipt: discord.Attachment | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        thread = await self._coordinators_thread(guild_id)
        async with self.bot.db.sessions() as session, session.begin():
            found = await claims.claim(
                session,
                guild_id,
                activity,
                interaction.user.id,
                amount=amount,
                what=what.value,
                note=note,
                settings=self.bot.payment_settings,
                now=self.bot.clock.now(),
            )
            await thread.send(
                embed=claim_embed(found, receipt),
                view=claim_view(found.claim_id),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        await reply(
            interaction,
            f"Thank you. Your claim for {pounds(found.amount_pence)} is with the coordinators. "
            "I will tell you when they decide.",
        )

    async def _coordinators_thread(self, guild_id: int) -> discord.Thread:
        try:
            return await coordinators_thread(self.bot, guild_id)
        except LookupError as error:
            raise InvalidInput(
                "Claims cannot be taken yet: coordinators have no private thread. "
                "Please ask a coordinator to choose a buddies channel with `/setup`."
            ) from error

    # -- erasure -------------------------------------------------------------------------------

    async def erase(self, session: AsyncSession, guild_id: int, user_id: int) -> None:
        """Before the person's data goes: a note to coordinators, without their name, when
        money or claims were still open (they were told before confirming)."""
        owed = await payments.still_owed(session, guild_id, user_id)
        if not owed.anything:
            return
        now = self.bot.clock.now()
        await outbox.enqueue(
            session,
            guild_id=guild_id,
            kind=OutboxKind.INVOLVEMENT_NOTICE,
            dedupe_key=f"{OutboxKind.INVOLVEMENT_NOTICE}:erased:{uuid.uuid4().hex}",
            due_at=now,
            payload=NoticePayload(
                coordinators=True,
                text=(
                    "Someone deleted their data while money was still open: "
                    f"{owed.payments} payment(s), {pounds(owed.owed_pence)}, and "
                    f"{owed.claims_waiting} claim(s) not decided. Their rows are gone, so they "
                    "cannot be paid. The export shows paid amounts as erased."
                ),
            ),
        )

    # -- /mine --------------------------------------------------------------------------------

    async def mine_section(self, guild_id: int, user_id: int) -> str | None:
        now = self.bot.clock.now()
        zone = (await self.bot.community(guild_id)).zone
        async with self.bot.db.sessions() as session:
            hours = await attendance.hours_of(session, guild_id, user_id, now, zone)
            money = await payments.money_of(session, guild_id, user_id, now, zone)
        if not hours.total_minutes and not money.owed and not money.paid_total_pence:
            return None
        lines = [
            f"**Your involvement**: {attendance.hours_words(hours.this_year_minutes)} this year, "
            f"{attendance.hours_words(hours.total_minutes)} in total."
        ]
        if money.owed_pence:
            lines.append(f"You are owed {pounds(money.owed_pence)}.")
        if money.paid_total_pence:
            lines.append(
                f"Paid to you: {pounds(money.paid_this_year_pence)} this year, "
                f"{pounds(money.paid_total_pence)} in total."
            )
        return " ".join(lines)


def _choice_words(choice: str | None) -> str:
    return {
        payments.PAYMENT: "money",
        payments.VOUCHER: "voucher",
        payments.NO_THANKS: "no thanks",
    }.get(choice or "", "not chosen yet")


# -- the /activity subcommands ------------------------------------------------------------------


@app_commands.command(
    name="role", description="Write the role details people read before signing up"
)
@app_commands.describe(activity="The activity")
@coordinator_only()
async def role(interaction: Interaction, activity: ActivityArg) -> None:
    await open_role_form(interaction, activity)


@app_commands.command(
    name="choose", description="Choose fairly who takes part, from the applicants"
)
@app_commands.describe(activity="The activity")
@coordinator_only()
async def choose(interaction: Interaction, activity: ActivityArg) -> None:
    assert interaction.guild_id is not None
    embed, view = await choose_screen(interaction.client, interaction.guild_id, activity)
    await reply(interaction, embed=embed, view=view)


@app_commands.command(name="attendance", description="Mark who came, and change hours per person")
@app_commands.describe(activity="The activity")
async def attendance_command(interaction: Interaction, activity: StartedActivityArg) -> None:
    assert interaction.guild_id is not None
    coordinator = await is_coordinator(interaction)
    embed, view = await attendance_screen(
        interaction, interaction.guild_id, activity, coordinator=coordinator
    )
    await reply(interaction, embed=embed, view=view)


attendance_command.name = "attendance"
ACTIVITY_SUBCOMMANDS: tuple[app_commands.Command[Any, Any, None], ...] = (
    role,
    choose,
    attendance_command,
)


def add_to_activity_group(bot: HealthBot) -> None:
    """Join role, choose and attendance to the `/activity` group of the activities cog."""
    group = bot.tree.get_command("activity")
    if not isinstance(group, app_commands.Group):
        raise RuntimeError("the activities cog must load before the involvement cog")
    for command in ACTIVITY_SUBCOMMANDS:
        if group.get_command(command.name) is None:
            group.add_command(command)


def created_view(activity_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AddRoleDetailsButton(activity_id))
    return view
