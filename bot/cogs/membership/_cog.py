"""The membership cog: `/join`, `/profile`, `/pause`, `/resume`, `/privacy`, `/mydata export` and
`/mydata delete`, and a welcome for people who join the server."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.client import HealthBot
from bot.cogs.membership._messages import welcome_text
from bot.cogs.membership._views import (
    ConfirmEraseButton,
    EditProfileButton,
    GetStartedButton,
    full_notice,
    notice_embeds,
    profile_embed,
    saved_profile,
    start_join,
)
from bot.delivery import DeliveryError, Outgoing
from bot.errors import NotFound
from bot.services import membership, mydata, mydata_document
from bot.services.involvement import payments
from bot.services.involvement.common import pounds

log = logging.getLogger(__name__)

NOTHING_HELD = "We hold nothing about you, so there is nothing to {what}. Use `/join` to take part."
ERASE_WARNING = (
    "This deletes everything we hold about you: your profile and consent, your sign-ups "
    "(your places go to the next person waiting), your buddy pairs (the other person is told "
    "kindly), and feedback with your name on it. Anonymous feedback and totals stay, with "
    "nothing linking them to you. It cannot be undone.\n\n"
    "Want a copy first? Use `/mydata export`. Changed your mind? Just leave this message."
)


def owed_warning(owed: payments.StillOwed) -> str:
    """What deleting now would give up: money owed and claims not decided yet."""
    parts = []
    if owed.payments:
        parts.append(f"{pounds(owed.owed_pence)} still to be paid to you")
    if owed.claims_waiting:
        parts.append(f"{owed.claims_waiting} expense claim(s) not decided yet")
    return (
        f"**Before you delete**: you have {' and '.join(parts)}. If you delete your data now, "
        "we cannot pay you. Coordinators will get a note, without your name."
    )


class Membership(commands.Cog):
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    mydata = app_commands.Group(
        name="mydata", description="See or delete everything we hold about you", guild_only=True
    )

    @app_commands.command(
        name="join", description="Join the community: agree, then a short profile"
    )
    @app_commands.guild_only()
    async def join(self, interaction: discord.Interaction[HealthBot]) -> None:
        await start_join(interaction)

    @app_commands.command(name="profile", description="See and change your profile")
    @app_commands.guild_only()
    async def profile(self, interaction: discord.Interaction[HealthBot]) -> None:
        profile = await saved_profile(interaction)
        if profile is None:
            raise NotFound(membership.NOT_JOINED)
        heading = (
            "Here is your profile."
            if profile.filled_in
            else "You have not filled in your profile yet. Press **Edit profile** to do it now."
        )
        view = discord.ui.View(timeout=None)
        view.add_item(EditProfileButton())
        await interaction.response.send_message(
            heading, embed=profile_embed(profile), view=view, ephemeral=True
        )

    @app_commands.command(name="pause", description="Take a break: no prompts or reminders")
    @app_commands.describe(days="How many days, from 1 to 365")
    @app_commands.guild_only()
    async def pause(
        self,
        interaction: discord.Interaction[HealthBot],
        days: app_commands.Range[int, membership.PAUSE_DAYS_MIN, membership.PAUSE_DAYS_MAX],
    ) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session, session.begin():
            until = await membership.pause(
                session, interaction.guild_id, interaction.user.id, days, self.bot.clock.now()
            )
        await interaction.response.send_message(
            f"Paused. We will not send you prompts or reminders until {format_dt(until, 'F')} "
            f"({format_dt(until, 'R')}). Use `/resume` to hear from us sooner.",
            ephemeral=True,
        )

    @app_commands.command(name="resume", description="End your break and hear from us again")
    @app_commands.guild_only()
    async def resume(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.sessions() as session, session.begin():
            was_paused = await membership.resume(
                session, interaction.guild_id, interaction.user.id, self.bot.clock.now()
            )
        self.bot.outbox.wake()
        await interaction.response.send_message(
            "Welcome back. Prompts and reminders will reach you again."
            if was_paused
            else "You were not paused, so nothing changed. Prompts and reminders reach you as usual.",
            ephemeral=True,
        )

    @app_commands.command(
        name="privacy", description="What we keep, why, who sees it, how to leave"
    )
    async def privacy(self, interaction: discord.Interaction[HealthBot]) -> None:
        await interaction.response.send_message(
            embeds=notice_embeds(full_notice(self.bot)), ephemeral=True
        )

    @mydata.command(name="export", description="Get a file with everything we hold about you")
    async def export(self, interaction: discord.Interaction[HealthBot]) -> None:
        now = self.bot.clock.now()
        assert interaction.guild_id is not None  # the group is guild_only
        zone = (await self.bot.community(interaction.guild_id)).zone
        async with self.bot.db.sessions() as session:
            if not await mydata.holds_anything(session, interaction.user.id):
                raise NotFound(NOTHING_HELD.format(what="export"))
            found = await mydata.export(session, interaction.user.id, now)
            page = await mydata_document.readable_export(session, interaction.user.id, now, zone)
        files = [
            discord.File(io.BytesIO(page.encode()), filename="my-data.html"),
            discord.File(io.BytesIO(found.to_json().encode()), filename="my-data.json"),
        ]
        await interaction.response.send_message(
            "Here is everything we hold about you. Only you can see this message. "
            "Open my-data.html to read it. my-data.json has the same for a computer. "
            'Other people named in your records are shown as "another member".',
            files=files,
            ephemeral=True,
        )

    @mydata.command(name="delete", description="Delete everything we hold about you")
    async def delete(self, interaction: discord.Interaction[HealthBot]) -> None:
        async with self.bot.db.sessions() as session:
            if not await mydata.holds_anything(session, interaction.user.id):
                raise NotFound(NOTHING_HELD.format(what="delete"))
            owed = await payments.still_owed(
                session, interaction.guild_id or 0, interaction.user.id
            )
        view = discord.ui.View(timeout=None)
        view.add_item(ConfirmEraseButton(interaction.user.id, self.bot.clock.now()))
        warning = f"{owed_warning(owed)}\n\n{ERASE_WARNING}" if owed.anything else ERASE_WARNING
        await interaction.response.send_message(warning, view=view, ephemeral=True)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if not member.pending:  # else welcome them once they pass membership screening
            await self.welcome(member)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if before.pending and not after.pending:
            await self.welcome(after)

    async def welcome(self, member: discord.Member) -> None:
        """A post in the welcome channel, never a DM: they have not agreed to any."""
        setup = await self.bot.community(member.guild.id)
        if setup.welcome_channel_id is None:
            log.info("No welcome channel in guild %s; not welcoming %s", member.guild.id, member.id)
            return
        view = discord.ui.View(timeout=None)
        view.add_item(GetStartedButton())
        message = Outgoing(
            content=welcome_text(member),
            view=view,
            channel_id=setup.welcome_channel_id,
            # The newcomer is greeted by a ping; their name can ping nobody else.
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[member], replied_user=False
            ),
        )
        try:
            await self.bot.delivery.to_channel(message)
        except (discord.HTTPException, DeliveryError):
            log.warning(
                "Could not welcome %s in guild %s", member.id, member.guild.id, exc_info=True
            )

    async def pause_section(self, guild_id: int, user_id: int) -> str | None:
        """Their part of `/mine`: the pause and when it ends."""
        async with self.bot.db.sessions() as session:
            until = await membership.paused_until(session, guild_id, user_id, self.bot.clock.now())
        if until is None:
            return None
        return (
            f"You are taking a break until {format_dt(until, 'F')} ({format_dt(until, 'R')}): "
            "no prompts or reminders until then. Use `/resume` to hear from us sooner."
        )
