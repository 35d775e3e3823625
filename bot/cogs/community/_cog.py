"""`/setup`: the community's channels, coordinator role, time zone and quiet hours."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HealthBot
from bot.errors import InvalidInput
from bot.services import community, outbox, retention
from bot.services.community import CommunitySetup, SetupChanges

# What the bot must be able to do in each channel, in words a coordinator understands.
POSTING = {
    "view_channel": "see the channel",
    "send_messages": "send messages",
    "embed_links": "embed links",
}
THREADS = {
    "create_private_threads": "create private threads",
    "send_messages_in_threads": "send messages in threads",
}


class Setup(commands.Cog):
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="setup",
        description="Set or show the community's channels, coordinator role, time zone and quiet hours",
    )
    @app_commands.describe(
        announcements="Where new activities are announced",
        coordinator_role="The role that coordinators have",
        buddies="Where buddy introductions happen (in private threads)",
        feedback="Where the bot asks how activities went",
        welcome="Where new members are welcomed (private threads for people with DMs closed live here too)",
        timezone="The community's time zone, like Europe/London",
        quiet_hours="When no prompts go out, like 21:00-08:00",
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def setup(
        self,
        interaction: discord.Interaction[HealthBot],
        announcements: discord.TextChannel | None = None,
        coordinator_role: discord.Role | None = None,
        buddies: discord.TextChannel | None = None,
        feedback: discord.TextChannel | None = None,
        welcome: discord.TextChannel | None = None,
        timezone: str | None = None,
        quiet_hours: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        _refuse_unusable_channels(interaction.guild, announcements, feedback, need=POSTING)
        _refuse_unusable_channels(interaction.guild, buddies, welcome, need=POSTING | THREADS)
        if coordinator_role is not None and coordinator_role.is_default():
            raise InvalidInput(
                "Everyone has the @everyone role, so it cannot be the coordinator role. "
                "Pick a role that only coordinators have."
            )
        changes = SetupChanges(
            announcements_channel_id=_id(announcements),
            coordinator_role_id=_id(coordinator_role),
            buddies_channel_id=_id(buddies),
            feedback_channel_id=_id(feedback),
            welcome_channel_id=_id(welcome),
            timezone=timezone,
            quiet_hours=quiet_hours,
        )
        async with self.bot.db.sessions() as session, session.begin():
            current = await community.get_setup(
                session,
                interaction.guild.id,
                self.bot.settings.default_timezone,
                self.bot.settings.default_quiet_hours,
            )
            shown = (
                current
                if changes.is_empty()
                else await community.update_setup(session, current, changes)
            )
            unreachable = len(await outbox.unreachable(session, interaction.guild.id))
            kept = await retention.counts(session, interaction.guild.id)
        heading = (
            "Here is the community's setup."
            if changes.is_empty()
            else "Saved. Here is the community's setup now."
        )
        await interaction.response.send_message(
            heading,
            embed=self.describe(shown, unreachable, interaction.guild.me, kept),
            ephemeral=True,
        )

    @setup.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[HealthBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=zone, value=zone)
            for zone in community.matching_timezones(current)
        ]

    def describe(
        self,
        setup: CommunitySetup,
        unreachable: int = 0,
        me: discord.Member | None = None,
        kept: retention.Counts | None = None,
    ) -> discord.Embed:
        def channel(channel_id: int | None) -> str:
            return f"<#{channel_id}>" if channel_id else "Not set"

        embed = discord.Embed(title="Community setup")
        embed.add_field(name="Announcements", value=channel(setup.announcements_channel_id))
        embed.add_field(
            name="Coordinator role",
            value=f"<@&{setup.coordinator_role_id}>"
            if setup.coordinator_role_id
            else "Not set (people with Manage Server only)",
        )
        embed.add_field(name="Buddies", value=channel(setup.buddies_channel_id))
        embed.add_field(name="Feedback", value=channel(setup.feedback_channel_id))
        embed.add_field(name="Welcome", value=channel(setup.welcome_channel_id))
        embed.add_field(name="Time zone", value=setup.timezone)
        embed.add_field(name="Quiet hours", value=f"{setup.quiet_hours} (no prompts then)")
        if unreachable:
            embed.add_field(
                name="Could not be reached",
                value=f"{unreachable} messages could not be delivered. See who in "
                "`/checklist` for each activity.",
                inline=False,
            )
        missing = _missing_for_groups(me)
        if missing:
            embed.add_field(
                name="Groups",
                value=(
                    f"I do not have the {' and '.join(missing)} permission, so I cannot make "
                    "a group's role and private channel. A server admin can give my role "
                    "that in Server Settings, under Roles."
                ),
                inline=False,
            )
        if kept is not None:
            embed.add_field(
                name="Leaving and staying",
                value=f"{kept.left_waiting_erasure} left the server and will be deleted soon. "
                f"{kept.asked_to_stay} were asked if they want to stay.",
                inline=False,
            )
        placeholders = self.bot.settings.privacy.placeholders
        if placeholders:
            embed.add_field(
                name="Privacy details missing",
                value="The privacy notice still has placeholder text. Before real people join, "
                "ask whoever runs the bot to fill in config/privacy.toml: "
                + ", ".join(placeholders)
                + ".",
                inline=False,
            )
        if not self.bot.intents.message_content:
            embed.add_field(
                name="Warning",
                value=(
                    "The message content intent is off, so replies in feedback threads cannot "
                    "be read. Switch on Message Content Intent in the Developer Portal and set "
                    "MESSAGE_CONTENT=true."
                ),
                inline=False,
            )
        return embed


def _missing_for_groups(me: discord.Member | None) -> list[str]:
    """What the bot lacks to make groups (`/group create`): their role, channel and card."""
    if me is None:
        return []
    granted = me.guild_permissions
    return [
        words
        for words, has in (
            ("Manage Roles", granted.manage_roles),
            ("Manage Channels", granted.manage_channels),
            ("Pin Messages", granted.pin_messages),
        )
        if not has
    ]


def _id(thing: discord.abc.Snowflake | None) -> int | None:
    return thing.id if thing is not None else None


def _refuse_unusable_channels(
    guild: discord.Guild, *channels: discord.TextChannel | None, need: dict[str, str]
) -> None:
    problems = []
    for channel in channels:
        if channel is None:
            continue
        allowed = channel.permissions_for(guild.me)
        missing = [words for flag, words in need.items() if not getattr(allowed, flag)]
        if missing:
            problems.append(f"In {channel.mention} I cannot {', '.join(missing)}.")
    if problems:
        raise InvalidInput(
            " ".join(problems)
            + " Give me those permissions in the channel settings, or pick another channel. Nothing was saved."
        )
