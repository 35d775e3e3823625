"""`/feedback give | summary | respond`, reactions and replies on the feedback post, and the
planner that asks for feedback after each activity ends."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HealthBot
from bot.cogs.feedback._views import REACTIONS, open_form, summary_embed
from bot.errors import InvalidInput
from bot.permissions import coordinator_only
from bot.services import activity_lookup, feedback
from bot.services.feedback_chart import rating_chart
from bot.ui.activity_option import StartedActivityArg
from bot.ui.consent import AfterConsent, require_consent
from bot.ui.text import shown_line

log = logging.getLogger(__name__)

PLANNER_JOB = "feedback-planner"
ACTIVITY_HELP = "The activity: start typing its name and pick it from the list"


class Feedback(commands.Cog):
    group = app_commands.Group(
        name="feedback", description="Say how an activity went, or read what people said"
    )

    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    # -- commands ------------------------------------------------------------------------------

    @group.command(name="give", description="A short form about an activity you took part in")
    @app_commands.describe(activity=ACTIVITY_HELP)
    @app_commands.guild_only()
    async def give(
        self, interaction: discord.Interaction[HealthBot], activity: StartedActivityArg
    ) -> None:
        if await require_consent(interaction, AfterConsent.FEEDBACK_GIVE, str(activity)):
            await open_form(interaction, activity)

    async def continue_give(self, interaction: discord.Interaction[HealthBot], arg: str) -> None:
        """After "I agree" on the consent card: open the form they asked for."""
        await open_form(interaction, int(arg))

    @group.command(name="summary", description="What people said about an activity")
    @app_commands.describe(activity=ACTIVITY_HELP)
    @app_commands.guild_only()
    @coordinator_only()
    async def summary(
        self, interaction: discord.Interaction[HealthBot], activity: StartedActivityArg
    ) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.sessions() as session:
            result = await feedback.summarise(session, interaction.guild.id, activity)
        names = {
            member.id: member.display_name
            for item in result.items
            if item.user_id is not None
            and (member := interaction.guild.get_member(item.user_id)) is not None
        }
        chart = await asyncio.to_thread(
            rating_chart, result.activity.title, result.rating_counts, result.average
        )
        table = feedback.summary_csv(result, names).encode()
        await interaction.followup.send(
            embed=summary_embed(result, names),
            files=[
                discord.File(io.BytesIO(chart), filename="ratings.png"),
                discord.File(io.BytesIO(table), filename=f"feedback-activity-{activity}.csv"),
            ],
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @group.command(
        name="respond", description='Post "you said, we did" and tell everyone who gave feedback'
    )
    @app_commands.describe(activity=ACTIVITY_HELP, text="What you changed because of the feedback")
    @app_commands.guild_only()
    @coordinator_only()
    async def respond(
        self,
        interaction: discord.Interaction[HealthBot],
        activity: StartedActivityArg,
        text: app_commands.Range[str, 1, feedback.MAX_UPDATE],
    ) -> None:
        assert interaction.guild_id is not None
        setup = await self.bot.community(interaction.guild_id)
        if setup.feedback_channel_id is None:
            raise InvalidInput(
                "There is no feedback channel yet, so I cannot post this. Set one with "
                "`/setup feedback`, then try again. Nothing was sent."
            )
        async with self.bot.db.sessions() as session, session.begin():
            found = await activity_lookup.get_info(session, activity, interaction.guild_id)
            reached = await feedback.send_update(
                session, interaction.guild_id, activity, text, self.bot.clock.now()
            )
        self.bot.outbox.wake()
        await interaction.response.send_message(
            f'Done. "You said, we did" for **{shown_line(found.title, 200)}** is going to '
            f"<#{setup.feedback_channel_id}> and to the {reached} people who gave feedback "
            "(anonymous ones too; anyone on a pause gets it when the pause ends).",
            ephemeral=True,
        )

    # -- reactions and replies on the feedback post ------------------------------------------

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=False)

    async def _reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        choice = REACTIONS.get(str(payload.emoji))
        # The bot's own reactions (the examples under the post) are no one's rating.
        own = self.bot.user is not None and payload.user_id == self.bot.user.id
        if choice is None or payload.guild_id is None or own:
            return
        async with self.bot.db.sessions() as session, session.begin():
            change = feedback.react if added else feedback.unreact
            await change(session, payload.message_id, payload.user_id, choice)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not isinstance(message.channel, discord.Thread):
            return
        async with self.bot.db.sessions() as session, session.begin():
            await feedback.add_comment(
                session, message.channel.id, message.author.id, message.id, message.content
            )

    # -- asking after each activity, and /mine ---------------------------------------------------

    async def plan_feedback_requests(self) -> int:
        """Queue the post and the requests for activities that have ended (every minute)."""
        ask_after = timedelta(minutes=self.bot.settings.feedback.ask_after_minutes)
        async with self.bot.db.sessions() as session, session.begin():
            planned = await feedback.plan_requests(session, self.bot.clock.now(), ask_after)
        if planned:
            log.info("Planned feedback requests for %d activities", planned)
            self.bot.outbox.wake()
        return planned

    async def mine_section(self, guild_id: int, user_id: int) -> str | None:
        async with self.bot.db.sessions() as session:
            count = await feedback.contributions(session, guild_id, user_id)
        if count == 0:
            return None
        activities = "activity" if count == 1 else "activities"
        return f"**Feedback**\nYou have given feedback on {count} {activities}. Thank you."

    async def cog_load(self) -> None:
        # Also once at start: catch up after downtime.
        self.bot.schedule(PLANNER_JOB, self.plan_feedback_requests, minutes=1, run_at_start=True)

    async def cog_unload(self) -> None:
        self.bot.unschedule(PLANNER_JOB)
