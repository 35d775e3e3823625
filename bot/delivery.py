"""Reach a person: by DM when they agreed and their DMs are open, otherwise in their own private
thread (one per person, reused) in the community's private-threads channel."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import discord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import contacts
from bot.services.community import CommunitySetup
from bot.ui import limits
from bot.ui.text import plain

log = logging.getLogger(__name__)

DM_CLOSED = 50007


@dataclass
class Outgoing:
    """A message ready to send. `channel_id` set means a post in that channel, not to a person."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    channel_id: int | None = None
    # Who may be notified, when it differs from the bot's default (a post that must reach a role).
    allowed_mentions: discord.AllowedMentions | None = None

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"content": self.content or None, "embeds": self.embeds}
        if self.view is not None:
            kwargs["view"] = self.view
        if self.allowed_mentions is not None:
            kwargs["allowed_mentions"] = self.allowed_mentions
        return kwargs


def only(user_id: int) -> discord.AllowedMentions:
    """Mentions that may notify only this person: what goes to someone's DM or private thread."""
    return discord.AllowedMentions(
        everyone=False, roles=False, users=[discord.Object(id=user_id)], replied_user=False
    )


class DeliveryError(Exception):
    """Neither a DM nor a private thread could reach the person."""


# A community's set-up by guild id (`HealthBot.community`).
CommunityLookup = Callable[[int], Awaitable[CommunitySetup]]


class Delivery:
    """Built in `bot.app` from the parts it uses: the Discord client (channels and users), the
    database's sessions (how to reach each person) and the community lookup (where private
    threads go)."""

    def __init__(
        self,
        client: discord.Client,
        sessions: async_sessionmaker[AsyncSession],
        community: CommunityLookup,
        *,
        now: Callable[[], datetime],
        dm_retry: timedelta = timedelta(days=30),
    ) -> None:
        self.client = client
        self.sessions = sessions
        self.community = community
        self.now = now
        self.dm_retry = dm_retry

    async def to_person(
        self, guild_id: int, user_id: int, message: Outgoing
    ) -> Literal["dm", "thread"]:
        async with self.sessions() as session:
            contact = await contacts.find_contact(session, guild_id, user_id)
        if (
            contact is not None
            and contact.may_dm(self.now(), self.dm_retry)
            and await self._try_dm(guild_id, user_id, message)
        ):
            if contact.dms_closed:
                log.info("DMs open again for user %s; using DMs again", user_id)
                async with self.sessions() as session, session.begin():
                    await contacts.mark_dms_open(session, guild_id, user_id)
            return "dm"
        thread = await self._private_thread(guild_id, user_id, contact)
        kwargs = message.send_kwargs()
        # The mention makes Discord notify them. Only they may be pinged: a ping in a private
        # thread adds the person pinged, so a mention in someone's text must never count.
        kwargs["content"] = f"<@{user_id}> {message.content}".strip()
        kwargs["allowed_mentions"] = only(user_id)
        await thread.send(**kwargs)
        return "thread"

    async def to_channel(self, message: Outgoing) -> discord.Message:
        assert message.channel_id is not None
        channel = self.client.get_channel(message.channel_id) or await self.client.fetch_channel(
            message.channel_id
        )
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryError(f"channel {message.channel_id} cannot take messages")
        return await channel.send(**message.send_kwargs())

    async def _try_dm(self, guild_id: int, user_id: int, message: Outgoing) -> bool:
        try:
            user = self.client.get_user(user_id) or await self.client.fetch_user(user_id)
            await user.send(**{**message.send_kwargs(), "allowed_mentions": only(user_id)})
        except discord.Forbidden as error:
            if error.code != DM_CLOSED:
                raise
            log.info("DMs closed for user %s; using their private thread for now", user_id)
            async with self.sessions() as session, session.begin():
                await contacts.mark_dms_closed(session, guild_id, user_id, self.now())
            return False
        return True

    async def _private_thread(
        self, guild_id: int, user_id: int, contact: contacts.Contact | None
    ) -> discord.Thread:
        if contact is not None and contact.private_thread_id is not None:
            existing = await self._existing_thread(contact.private_thread_id)
            if existing is not None:
                return existing
        setup = await self.community(guild_id)
        parent_id = setup.private_threads_channel_id
        parent = self.client.get_channel(parent_id) if parent_id else None
        if not isinstance(parent, discord.TextChannel):
            raise DeliveryError(
                f"user {user_id} cannot get DMs and guild {guild_id} has no welcome or "
                "announcements channel for private threads (set one with /setup)"
            )
        person = contact.display_name if contact and contact.display_name else "You"
        suffix = " and the coordinators"
        name = plain(person, limits.THREAD_NAME - len(suffix)) + suffix
        thread = await parent.create_thread(
            name=name, type=discord.ChannelType.private_thread, invitable=False
        )
        await thread.add_user(discord.Object(id=user_id))
        if contact is not None:
            async with self.sessions() as session, session.begin():
                await contacts.remember_private_thread(session, guild_id, user_id, thread.id)
        return thread

    async def _existing_thread(self, thread_id: int) -> discord.Thread | None:
        channel = self.client.get_channel(thread_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(thread_id)
            except (discord.NotFound, discord.Forbidden):
                return None
        if not isinstance(channel, discord.Thread):
            return None
        if channel.archived:
            await channel.edit(archived=False)
        return channel
