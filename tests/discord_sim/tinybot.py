"""A tiny real discord.py bot and a small guild, for the simulator's own tests.

Only discord_sim and discord.py here: the simulator is tested without the project's bot.
"""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from discord_sim import DiscordSimulator, SimChannel, SimGuild, SimUser

ACTIVITIES = ["Walk in the park", "Walking club", "Yoga at noon"]


class RsvpButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rsvp:(?P<id>\d+)"):
    def __init__(self, activity_id: int) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="RSVP", custom_id=f"rsvp:{activity_id}"
        )
        super().__init__(button)
        self.activity_id = activity_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RsvpButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"RSVP for activity {self.activity_id}", ephemeral=True
        )


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    def __init__(self) -> None:
        super().__init__()
        self.text_input: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            custom_id="feedback_text", style=discord.TextStyle.paragraph
        )
        self.quote: discord.ui.Checkbox[FeedbackModal] = discord.ui.Checkbox(custom_id="may_quote")
        self.add_item(discord.ui.Label(text="Your feedback", component=self.text_input))
        self.add_item(discord.ui.Label(text="May we quote you?", component=self.quote))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        reply = f"Thanks: {self.text_input.value} (quote: {self.quote.value})"
        await interaction.response.send_message(reply, ephemeral=True)


activity = app_commands.Group(name="activity", description="Activities")


@activity.command(name="create", description="Create an activity")
async def activity_create(
    interaction: discord.Interaction,
    title: str,
    capacity: int,
    channel: discord.TextChannel | None = None,
) -> None:
    where = f" in #{channel.name}" if channel else ""
    embed = discord.Embed(title=title, description=f"{capacity} places{where}")
    await interaction.response.send_message(f"Created {title}", embed=embed, ephemeral=True)


@app_commands.command(name="signup", description="Sign up for an activity")
async def signup(interaction: discord.Interaction, activity: str) -> None:
    await interaction.response.send_message(f"Signed up for {activity}", ephemeral=True)


@signup.autocomplete("activity")
async def signup_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=a, value=a) for a in ACTIVITIES if current.lower() in a.lower()
    ]


@app_commands.command(name="feedback", description="Send feedback")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(FeedbackModal())


class ColourView(discord.ui.View):
    @discord.ui.select(
        custom_id="colour:pick",
        placeholder="Pick a colour",
        options=[
            discord.SelectOption(label="Sky blue", value="blue"),
            discord.SelectOption(label="Grass green", value="green"),
        ],
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[ColourView]
    ) -> None:
        await interaction.response.send_message(f"Picked {select.values[0]}", ephemeral=True)


@app_commands.command(name="colour", description="Post a colour menu")
async def colour(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("Which colour?", view=ColourView())


@app_commands.command(name="rsvp", description="Post an RSVP button")
async def rsvp(interaction: discord.Interaction) -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton(42))
    await interaction.response.send_message("Join activity 42?", view=view)


@app_commands.command(name="report", description="A slow report")
async def report(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True, ephemeral=True)
    csv = discord.File(io.BytesIO(b"a,b\n"), "report.csv")
    await interaction.followup.send("Report ready", file=csv)
    await interaction.followup.send("Anything else?")


class SimBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.seen_messages: list[discord.Message] = []
        self.seen_reactions: list[discord.RawReactionActionEvent] = []
        commands_: list[app_commands.Command[Any, ..., None] | app_commands.Group] = [
            signup,
            feedback,
            rsvp,
            colour,
            report,
            activity,
        ]
        for command in commands_:
            self.tree.add_command(command)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(RsvpButton)
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        self.seen_messages.append(message)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.seen_reactions.append(payload)


async def start_bot(sim: DiscordSimulator) -> tuple[SimBot, asyncio.Task[None]]:
    bot = SimBot()
    task = asyncio.create_task(bot.start(sim.token))
    await sim.wait_for(bot.is_ready, timeout=10, what="the bot's on_ready")
    return bot, task


async def stop_bot(bot: SimBot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(task, 10)


class World:
    def __init__(self, sim: DiscordSimulator) -> None:
        self.guild: SimGuild = sim.create_guild("Health Citizens")
        self.coordinators = self.guild.add_role("Coordinators")
        self.general: SimChannel = self.guild.add_text_channel("general")
        hidden = {
            "id": self.guild.id,
            "type": 0,
            "deny": discord.Permissions(view_channel=True).value,
        }
        self.staff: SimChannel = self.guild.add_text_channel("staff", overwrites=[hidden])
        self.alice: SimUser = sim.create_user("alice")
        self.bob: SimUser = sim.create_user("bob")
        self.guild.add_member(self.alice, roles=[self.coordinators.id])
        self.guild.add_member(self.bob)
