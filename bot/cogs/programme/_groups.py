"""`/group create|add|remove|decision|list` for coordinators.

Making a group is done in steps that are undone together: the role, then the private
channel, then the stored group with its card in the announcements channel and its card in
the group's channel. If any step fails, what was made is deleted again."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HealthBot
from bot.cogs.programme._views import (
    ask_view,
    change_role,
    group_card,
    leave_view,
    refuse_unless_can_make_groups,
    undo,
    welcome_text,
)
from bot.errors import InvalidInput
from bot.permissions import coordinator_only
from bot.services import programme
from bot.services.programme import GroupDraft, GroupListing
from bot.ui.limits import lines_within
from bot.ui.programme_option import GroupArg
from bot.ui.reply import reply
from bot.ui.text import plain, shown

log = logging.getLogger(__name__)
Interaction = discord.Interaction[HealthBot]
CAN_TALK = discord.PermissionOverwrite(
    view_channel=True, send_messages=True, read_message_history=True
)


class Groups(commands.Cog):
    group = app_commands.Group(
        name="group",
        description="Groups such as the advisory group (coordinators)",
        guild_only=True,
    )

    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    @group.command(name="create", description="Make a group with its own role and private channel")
    @app_commands.describe(
        name="The group's name, like Advisory group (up to 100 characters)",
        description="What the group does, in a sentence or two",
        term_months="How long a member serves before being asked to carry on (leave out for none)",
    )
    @coordinator_only()
    async def create(
        self,
        interaction: Interaction,
        name: str,
        description: str,
        term_months: app_commands.Range[int, 1, 120] | None = None,
    ) -> None:
        assert interaction.guild is not None
        guild = interaction.guild
        refuse_unless_can_make_groups(guild.me)
        setup = await self.bot.community(guild.id)
        announcements = self.bot.get_channel(setup.announcements_channel_id or 0)
        if not isinstance(announcements, discord.TextChannel):
            raise InvalidInput(
                "There is no announcements channel yet, so the group's card has nowhere to go. "
                "A server admin can choose one with `/setup announcements`."
            )
        async with self.bot.db.sessions() as session:
            draft = await programme.check_new_group(
                session, guild.id, name, description, term_months
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        made = await self._make(guild, draft, announcements, setup.coordinator_role_id)
        await reply(
            interaction,
            f"Made {plain(made.name, 100)}: a role, and the private channel <#{made.channel_id}>. "
            f"Its card is in <#{announcements.id}>, so people can ask to join.",
        )

    async def _make(
        self,
        guild: discord.Guild,
        draft: GroupDraft,
        announcements: discord.TextChannel,
        coordinator_role_id: int | None,
    ) -> programme.GroupView:
        made: list[discord.abc.Snowflake] = []
        try:
            role = await guild.create_role(name=draft.name, reason="A programme group")
            made.append(role)
            overwrites: dict[
                discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite
            ] = {
                guild.default_role: discord.PermissionOverwrite(view_channel=False),
                role: CAN_TALK,
                guild.me: discord.PermissionOverwrite(
                    view_channel=True,
                    send_messages=True,
                    read_message_history=True,
                    embed_links=True,
                ),
            }
            coordinators = guild.get_role(coordinator_role_id or 0)
            if coordinators is not None:
                overwrites[coordinators] = CAN_TALK
            channel = await guild.create_text_channel(
                draft.slug, overwrites=overwrites, topic=draft.description[:1024]
            )
            made.append(channel)
            async with self.bot.db.sessions() as session, session.begin():
                group = await programme.create_group(
                    session,
                    guild.id,
                    draft,
                    role_id=role.id,
                    channel_id=channel.id,
                    now=self.bot.clock.now(),
                )
                card = await announcements.send(embed=group_card(group), view=ask_view(group.id))
                made.append(card)
                welcome = await channel.send(welcome_text(group), view=leave_view(group.id))
        except discord.HTTPException as error:
            await undo(made)
            raise InvalidInput(
                f"Discord refused a step ({error.text or error.status}), so I removed what I "
                "had made and nothing was saved. Check my Manage Roles and Manage Channels "
                "permissions, and that I can post in the announcements channel."
            ) from error
        except BaseException:  # refused by a service, or the commit failed: undo, then report
            await undo(made)
            raise
        try:
            await welcome.pin()
        except discord.HTTPException:
            log.info("Could not pin the card in group channel %s", channel.id)
        return group

    @group.command(name="add", description="Add someone to a group")
    @app_commands.describe(group="The group", member="Who to add (they must have used /join)")
    @coordinator_only()
    async def add(self, interaction: Interaction, group: GroupArg, member: discord.Member) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session, session.begin():
            change = await programme.add_member(
                session,
                interaction.guild_id,
                group,
                member.id,
                self.bot.clock.now(),
                by=interaction.user.id,
            )
            await change_role(self.bot, interaction.guild_id, member.id, change.role_id, give=True)
        self.bot.outbox.wake()
        await reply(interaction, f"Done. {change.message}")

    @group.command(name="remove", description="Take someone out of a group")
    @app_commands.describe(group="The group", member="Who to take out")
    @coordinator_only()
    async def remove(
        self, interaction: Interaction, group: GroupArg, member: discord.Member
    ) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session, session.begin():
            change = await programme.remove_member(
                session, interaction.guild_id, group, member.id, self.bot.clock.now()
            )
            await change_role(self.bot, interaction.guild_id, member.id, change.role_id, give=False)
        await reply(interaction, f"Done. {change.message}")

    @group.command(name="decision", description="Write down what a group decided")
    @app_commands.describe(group="The group", text="What was decided (up to 1000 characters)")
    @coordinator_only()
    async def decision(self, interaction: Interaction, group: GroupArg, text: str) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session, session.begin():
            found = await programme.get_group(session, interaction.guild_id, group)
            decided = await programme.record_decision(
                session,
                interaction.guild_id,
                group,
                text,
                interaction.user.id,
                self.bot.clock.now(),
            )
            channel = self.bot.get_partial_messageable(found.channel_id)
            try:
                await channel.send(
                    f"**Decision of {plain(found.name, 100)}**\n{shown(decided.text, 1900)}",
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except discord.HTTPException as error:
                raise InvalidInput(
                    f"I could not post in <#{found.channel_id}>, so the decision was not saved. "
                    "Check that I can send messages there, then try again."
                ) from error
        await reply(
            interaction,
            f"Saved, and posted in <#{found.channel_id}>. `/group list` shows the latest decisions.",
        )

    @group.command(name="list", description="Every group: members, requests waiting, decisions")
    @coordinator_only()
    async def list_groups(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session:
            found = await programme.group_list(session, interaction.guild_id)
        if not found:
            await reply(interaction, "There are no groups yet. Make one with `/group create`.")
            return
        await reply(interaction, embed=list_embed(found))


def list_embed(found: list[GroupListing]) -> discord.Embed:
    embed = discord.Embed(title="Groups")
    for listing in found[:25]:
        lines = [f"Channel: <#{listing.group.channel_id}>"]
        members = [f"<@{m.user_id}>" for m in listing.members]
        lines.append(f"Members ({len(members)}): {', '.join(members) or 'none yet'}")
        lines.append(f"Requests waiting: {len(listing.requests)}")
        lines.extend(f"Decision: {shown(d.text, 200)}" for d in listing.decisions[:3])
        embed.add_field(
            name=plain(listing.group.name, 256), value=lines_within(lines, 1024), inline=False
        )
    return embed
