"""The programme's buttons and form: Ask to join (with a short why), Accept and Decline for
coordinators, Leave group, Carry on and Step down; the group cards; giving and taking group
roles; and the coordinators' private thread where requests to join go.

Every change to who is in a group gives or takes the Discord role inside the same
transaction: if Discord refuses, nothing is saved and the person is told plainly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.errors import Conflict, NotAllowed, UserFacingError
from bot.permissions import is_coordinator
from bot.services import programme
from bot.services.programme import GroupOnly, GroupView, JoinRequestView, TrainingNeeded
from bot.services.programme.members import MAX_WHY
from bot.ui.base import GuardedButton, PersistentModal
from bot.ui.custom_ids import CustomId, custom_id
from bot.ui.reply import reply
from bot.ui.text import plain, shown

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)
Interaction = discord.Interaction["HealthBot"]

COORDINATORS_THREAD = "Groups: requests to join"
ROLE_REFUSED = (
    "Discord did not let me change that person's group role, so nothing was saved. "
    "Check that I have the Manage Roles permission and that my role is above the group's role."
)
_thread_lock = asyncio.Lock()


# -- roles ----------------------------------------------------------------------------------


async def change_role(
    bot: HealthBot, guild_id: int, user_id: int, role_id: int, *, give: bool
) -> None:
    """Give or take a group role. Someone no longer in the server needs nothing taken; any
    other refusal raises NotAllowed, so the caller's transaction is rolled back."""
    guild = bot.get_guild(guild_id)
    if guild is None:
        raise NotAllowed(ROLE_REFUSED)
    try:
        member = guild.get_member(user_id) or await guild.fetch_member(user_id)
        role = discord.Object(id=role_id)
        if give:
            await member.add_roles(role, reason="Joined a programme group")
        else:
            await member.remove_roles(role, reason="Left a programme group")
    except discord.NotFound:
        if give:
            raise NotAllowed("That person is no longer in the server. Nothing was saved.") from None
    except discord.HTTPException as error:
        raise NotAllowed(ROLE_REFUSED) from error


async def take_roles_quietly(bot: HealthBot, guild_id: int, user_id: int, roles: list[int]) -> None:
    """For erasure and ended terms: take each role, logging (not raising) what Discord refuses."""
    for role_id in roles:
        try:
            await change_role(bot, guild_id, user_id, role_id, give=False)
        except UserFacingError:
            log.warning("Could not take role %s from user %s in %s", role_id, user_id, guild_id)


# -- cards ----------------------------------------------------------------------------------


def group_card(group: GroupView) -> discord.Embed:
    """The group's card in the announcements channel."""
    embed = discord.Embed(title=plain(group.name, 256), description=shown(group.description, 3000))
    terms = (
        f"Members serve terms of {group.term_months} months, and can carry on."
        if group.term_months
        else "There are no fixed terms."
    )
    embed.add_field(
        name="How to join",
        value=f"{terms} Press Ask to join and say in a few words why. A coordinator answers.",
        inline=False,
    )
    embed.set_footer(text=f"Group #{group.id}")
    return embed


def ask_view(group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AskToJoinButton(group_id))
    return view


def welcome_text(group: GroupView) -> str:
    return (
        f"This is the private channel of **{plain(group.name, 100)}**. Only its members, the "
        "coordinators and the bot can see it. Decisions are posted here. "
        "To leave the group, press Leave group."
    )


def leave_view(group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(LeaveButton(group_id))
    return view


def term_view(membership_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TermButton("carry", membership_id))
    view.add_item(TermButton("step", membership_id))
    return view


def next_step(error: UserFacingError) -> discord.ui.View | None:
    """For a refused sign-up: Sign up for the training it needs, or Ask to join the group."""
    if isinstance(error, TrainingNeeded) and error.training_activity_id is not None:
        view = discord.ui.View(timeout=None)
        view.add_item(
            discord.ui.Button(
                label="Sign up for the training",
                style=discord.ButtonStyle.success,
                custom_id=custom_id(CustomId.ACTIVITY, "signup", error.training_activity_id),
            )
        )
        return view
    if isinstance(error, GroupOnly):
        return ask_view(error.group_id)
    return None


# -- asking to join -------------------------------------------------------------------------


class AskToJoinButton(GuardedButton, prefix=CustomId.GROUP_ASK, fields=r"(?P<id>[0-9]+)"):
    def __init__(self, group_id: int) -> None:
        super().__init__(group_id, label="Ask to join", style=discord.ButtonStyle.primary)
        self.group_id = group_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> AskToJoinButton:
        return cls(int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        async with interaction.client.db.sessions() as session:
            group = await programme.get_group(session, interaction.guild_id, self.group_id)
        await interaction.response.send_modal(WhyForm(group.id, group.name))


class WhyForm(PersistentModal, prefix=CustomId.GROUP_WHY_FORM, fields=r"(?P<group>[0-9]+)"):
    """Why someone would like to join a group; answered by its custom id after a restart."""

    def __init__(self, group_id: int, name: str = "") -> None:
        title = f"Ask to join {plain(name, 100)}" if name else "Ask to join"
        super().__init__(group_id, title=title if len(title) <= 45 else title[:44] + "…")
        self.group_id = group_id
        self.why: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Why would you like to join?",
            custom_id="why",
            style=discord.TextStyle.paragraph,
            placeholder="A few words are enough",
            max_length=MAX_WHY,
        )
        self.add_item(self.why)

    @classmethod
    async def restore(cls, interaction: discord.Interaction[Any], match: re.Match[str]) -> Self:
        return cls(int(match["group"]))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        assert interaction.guild_id is not None
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            request = await programme.ask_to_join(
                session,
                interaction.guild_id,
                self.group_id,
                interaction.user.id,
                self.why.value,
                bot.clock.now(),
            )
        await interaction.response.send_message(
            f"Thank you. Your request to join {plain(request.group.name, 100)} has gone to the "
            "coordinators. We will tell you their answer.",
            ephemeral=True,
        )
        try:
            await post_request(bot, request)
        except (discord.HTTPException, LookupError):
            log.warning("Could not post request %s for coordinators", request.id, exc_info=True)


async def post_request(bot: HealthBot, request: JoinRequestView) -> None:
    thread = await coordinators_thread(bot, request.group.guild_id)
    embed = discord.Embed(
        title=f"Request to join {plain(request.group.name, 200)}",
        description=f"From: <@{request.user_id}>\nWhy: {shown(request.why, 1000)}",
    )
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton("accept", request.id))
    view.add_item(AnswerButton("decline", request.id))
    await thread.send(
        "Someone would like to join a group. Press Accept or Decline. They are told either way.",
        embed=embed,
        view=view,
        allowed_mentions=discord.AllowedMentions.none(),
    )


async def coordinators_thread(bot: HealthBot, guild_id: int) -> discord.Thread:
    """The private thread in the announcements channel where requests to join go: made once,
    then found again by its name; coordinators are added to it each time."""
    setup = await bot.community(guild_id)
    parent = bot.get_channel(setup.announcements_channel_id or 0)
    if not isinstance(parent, discord.TextChannel):
        raise LookupError("no announcements channel for requests to join; set one with /setup")
    async with _thread_lock:
        thread = next(
            (
                t
                for t in parent.threads
                if t.name == COORDINATORS_THREAD and t.owner_id == parent.guild.me.id
            ),
            None,
        )
        if thread is None:
            thread = await parent.create_thread(
                name=COORDINATORS_THREAD,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
        elif thread.archived:
            await thread.edit(archived=False)
        role = parent.guild.get_role(setup.coordinator_role_id or 0)
        for member in role.members if role else ():
            if not member.bot:
                await thread.add_user(member)
    return thread


class AnswerButton(
    GuardedButton, prefix=CustomId.GROUP_ANSWER, fields=r"(?P<action>accept|decline):(?P<id>[0-9]+)"
):
    def __init__(self, action: str, request_id: int) -> None:
        accept = action == "accept"
        super().__init__(
            action,
            request_id,
            label="Accept" if accept else "Decline",
            style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
        )
        self.action, self.request_id = action, request_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> AnswerButton:
        return cls(match["action"], int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        if not await is_coordinator(interaction):
            raise NotAllowed("Only coordinators can answer requests to join.")
        bot, guild_id = interaction.client, interaction.guild_id
        async with bot.db.sessions() as session, session.begin():
            if self.action == "accept":
                answer = await programme.accept_request(
                    session, guild_id, self.request_id, interaction.user.id, bot.clock.now()
                )
                if answer.added:
                    await change_role(
                        bot,
                        guild_id,
                        answer.request.user_id,
                        answer.request.group.role_id,
                        give=True,
                    )
            else:
                answer = await programme.decline_request(
                    session, guild_id, self.request_id, interaction.user.id, bot.clock.now()
                )
        bot.outbox.wake()
        said = "accepted" if answer.accepted else "declined"
        shown_before = interaction.message.embeds if interaction.message else []
        await reply(
            interaction,
            f"Request {said} by <@{interaction.user.id}>. The person has been told.",
            embed=shown_before[0] if shown_before else None,
            replace=True,
        )


# -- leaving and terms ----------------------------------------------------------------------


class LeaveButton(GuardedButton, prefix=CustomId.GROUP_LEAVE, fields=r"(?P<id>[0-9]+)"):
    def __init__(self, group_id: int) -> None:
        super().__init__(group_id, label="Leave group", style=discord.ButtonStyle.secondary)
        self.group_id = group_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> LeaveButton:
        return cls(int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            change = await programme.leave_group(
                session, interaction.guild_id, self.group_id, interaction.user.id, bot.clock.now()
            )
            await change_role(
                bot, interaction.guild_id, interaction.user.id, change.role_id, give=False
            )
        await reply(interaction, change.message)


class TermButton(
    GuardedButton, prefix=CustomId.GROUP_TERM, fields=r"(?P<action>carry|step):(?P<id>[0-9]+)"
):
    def __init__(self, action: str, membership_id: int) -> None:
        carry = action == "carry"
        super().__init__(
            action,
            membership_id,
            label="Carry on" if carry else "Step down",
            style=discord.ButtonStyle.success if carry else discord.ButtonStyle.secondary,
        )
        self.action, self.membership_id = action, membership_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> TermButton:
        return cls(match["action"], int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            if self.action == "carry":
                change = await programme.carry_on(
                    session, self.membership_id, interaction.user.id, bot.clock.now()
                )
            else:
                change = await programme.step_down(
                    session, self.membership_id, interaction.user.id, bot.clock.now()
                )
                group = change.membership.group
                await change_role(
                    bot, group.guild_id, interaction.user.id, group.role_id, give=False
                )
        await reply(interaction, change.message, replace=True)


def refuse_unless_can_make_groups(me: discord.Member) -> None:
    """Plain words naming what the bot is missing to make a group's role and channel."""
    granted = me.guild_permissions
    missing = [
        name
        for name, has in (
            ("Manage Roles", granted.manage_roles),
            ("Manage Channels", granted.manage_channels),
        )
        if not has
    ]
    if missing:
        raise Conflict(
            f"I need the {' and '.join(missing)} permission to make a group's role and private "
            "channel. A server admin can give my role that permission in Server Settings, "
            "then try again. Nothing was made."
        )


async def undo(made: list[discord.abc.Snowflake]) -> None:
    """Delete what was made for a group that could not be finished (newest first)."""
    for thing in reversed(made):
        with contextlib.suppress(discord.HTTPException):
            await thing.delete()  # type: ignore[attr-defined]
