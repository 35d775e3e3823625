"""What feedback's outbox rows say and where they go.

The "How did it go?" post is an outbox row too (so quiet hours apply and a crash loses
nothing), but its renderer puts it out itself and returns None: the post's id must be kept for
reactions, and a retry after a half-done attempt must add the missing thread, not post twice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.cogs.feedback._views import (
    REACTIONS,
    post_text,
    request_message,
    update_message_text,
    update_post_text,
)
from bot.delivery import DeliveryError, Outgoing
from bot.services import activity_lookup, feedback
from bot.services.outbox import OutboxItem
from bot.ui.limits import THREAD_NAME
from bot.ui.text import plain

if TYPE_CHECKING:
    from bot.client import HealthBot

log = logging.getLogger(__name__)


class FeedbackMessages:
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    def register(self) -> None:
        register = self.bot.outbox.register
        register(feedback.REQUEST_KIND, self.request)
        register(feedback.POST_KIND, self.post)
        register(feedback.UPDATE_KIND, self.update)
        register(feedback.UPDATE_POST_KIND, self.update_post, held_back=False)

    async def _activity(self, item: OutboxItem) -> feedback.ActivityInfo:
        assert item.activity_id is not None
        async with self.bot.db.sessions() as session:
            return await activity_lookup.get_info(session, item.activity_id)

    async def _feedback_channel(self, guild_id: int) -> discord.TextChannel | None:
        setup = await self.bot.community(guild_id)
        if setup.feedback_channel_id is None:
            log.info("Guild %s has no feedback channel; skipping a feedback post", guild_id)
            return None
        channel = self.bot.get_channel(setup.feedback_channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise DeliveryError(f"feedback channel {setup.feedback_channel_id} is not usable")
        return channel

    async def request(self, item: OutboxItem) -> Outgoing | None:
        assert item.activity_id is not None
        assert item.user_id is not None
        async with self.bot.db.sessions() as session:
            if not await feedback.still_wanted(
                session, item.activity_id, item.user_id, self.bot.clock.now()
            ):
                return None
        text, view = request_message(await self._activity(item))
        return Outgoing(content=text, view=view)

    async def post(self, item: OutboxItem) -> Outgoing | None:
        assert item.activity_id is not None
        async with self.bot.db.sessions() as session:
            state = await feedback.post_state(session, item.activity_id)
        if state.thread_id is not None or state.activity.cancelled:
            return None
        message: discord.Message | discord.PartialMessage
        if state.message_id is None or state.channel_id is None:
            channel = await self._feedback_channel(item.guild_id)
            if channel is None:
                return None
            message = await channel.send(
                post_text(state.activity), allowed_mentions=discord.AllowedMentions.none()
            )
            await self._remember(state.activity.id, message)
            for emoji in REACTIONS:
                await message.add_reaction(emoji)
        else:
            message = self.bot.get_partial_messageable(state.channel_id).get_partial_message(
                state.message_id
            )
        thread = await message.create_thread(
            name=plain(f"Feedback: {state.activity.title}", THREAD_NAME)
        )
        await self._remember(state.activity.id, message, thread.id)
        return None

    async def _remember(
        self,
        activity_id: int,
        message: discord.Message | discord.PartialMessage,
        thread_id: int | None = None,
    ) -> None:
        async with self.bot.db.sessions() as session, session.begin():
            await feedback.remember_post(
                session,
                activity_id,
                channel_id=message.channel.id,
                message_id=message.id,
                thread_id=thread_id,
            )

    async def update(self, item: OutboxItem) -> Outgoing | None:
        return Outgoing(
            content=update_message_text(
                await self._activity(item), item.payload_as(feedback.UpdatePayload).text
            )
        )

    async def update_post(self, item: OutboxItem) -> Outgoing | None:
        channel = await self._feedback_channel(item.guild_id)
        if channel is None:
            return None
        text = update_post_text(
            await self._activity(item), item.payload_as(feedback.UpdatePayload).text
        )
        return Outgoing(
            content=text, channel_id=channel.id, allowed_mentions=discord.AllowedMentions.none()
        )
