"""The coordinators' one private thread (in the buddies channel): buddy proposals, help
alerts and expense claim cards go there, never in an open channel. Made the first time, then
reused; each time everyone with the coordinator role is added and anyone who no longer is a
coordinator is taken out."""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING

import discord

from bot.services import buddies

if TYPE_CHECKING:
    from bot.client import HealthBot

COORDINATORS_THREAD = "Buddy programme: for coordinators"
_locks: weakref.WeakKeyDictionary[HealthBot, asyncio.Lock] = weakref.WeakKeyDictionary()


async def coordinators_thread(bot: HealthBot, guild_id: int) -> discord.Thread:
    """The thread, made when missing. With no buddies channel this raises LookupError, so
    nothing is posted in an open channel."""
    setup = await bot.community(guild_id)
    parent = bot.get_channel(setup.buddies_channel_id or 0)
    if not isinstance(parent, discord.TextChannel):
        raise LookupError("no buddies channel for the coordinators' thread; set one with /setup")
    lock = _locks.setdefault(bot, asyncio.Lock())
    async with lock:  # one thread and one member list, whatever goes at once
        thread = await _stored(bot, guild_id, parent)
        if thread is None:
            thread = await parent.create_thread(
                name=COORDINATORS_THREAD,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
            async with bot.db.sessions() as session, session.begin():
                await buddies.remember_coordinator_thread(session, guild_id, thread.id)
        await _only_coordinators_in(thread, setup.coordinator_role_id)
    return thread


async def _stored(
    bot: HealthBot, guild_id: int, parent: discord.TextChannel
) -> discord.Thread | None:
    async with bot.db.sessions() as session:
        thread_id = await buddies.coordinator_thread(session, guild_id)
    if thread_id is None:
        return None
    thread = parent.get_thread(thread_id)
    if thread is None:  # archived threads are not kept in the cache
        try:
            found = await bot.fetch_channel(thread_id)
        except (discord.NotFound, discord.Forbidden):
            return None  # deleted, or out of reach: make a new one
        thread = found if isinstance(found, discord.Thread) else None
    if thread is None or thread.parent_id != parent.id:
        return None  # the buddies channel changed: a new thread there
    if thread.archived:
        await thread.edit(archived=False)
    return thread


async def _only_coordinators_in(thread: discord.Thread, role_id: int | None) -> None:
    role = thread.guild.get_role(role_id) if role_id else None
    coordinators = {
        member.id: member for member in (role.members if role else ()) if not member.bot
    }
    for coordinator in coordinators.values():
        await thread.add_user(coordinator)
    if not thread.guild.chunked:
        return  # not every member is known yet: take nobody out on a partial list
    for joined in await thread.fetch_members():
        member = thread.guild.get_member(joined.id)
        stays = (
            joined.id in coordinators
            or joined.id == thread.owner_id
            or (member is not None and member.guild_permissions.manage_guild)
        )
        if not stays:
            await thread.remove_user(discord.Object(id=joined.id))
