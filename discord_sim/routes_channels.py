"""Channels, messages, reactions and DMs, as the bot uses them."""

from __future__ import annotations

from typing import Any

from . import permissions as perm
from .content import emoji_payload, normalize_emoji
from .messages import apply_body
from .models import EPHEMERAL, SimChannel, SimMessage
from .rest import Ctx, Reply, RouteTable
from .state import ApiError, SimState, missing_permissions


def _send_flags(state: SimState, channel: SimChannel, ctx: Ctx) -> int:
    needed = perm.VIEW_CHANNEL
    needed |= perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else perm.SEND_MESSAGES
    if ctx.uploads:
        needed |= perm.ATTACH_FILES
    if ctx.json.get("message_reference"):
        needed |= perm.READ_MESSAGE_HISTORY
    return needed


async def _wake_thread(state: SimState, thread: SimChannel) -> None:
    """Sending into an archived thread unarchives it (locked ones need Manage Threads)."""
    if not thread.archived:
        return
    if thread.locked and not state.bot_can(thread, perm.MANAGE_THREADS):
        raise ApiError(400, 50083, "Thread is archived")
    thread.archived = False
    await state.publish_thread(thread, "THREAD_UPDATE")


async def create_message(ctx: Ctx) -> Reply:
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    if channel.is_dm:
        user = channel.recipient
        if user is None or user.id in state.refused_dms or not state.shares_guild_with_bot(user):
            raise ApiError(403, 50007, "Cannot send messages to this user")
    else:
        state.require_bot(channel, _send_flags(state, channel, ctx))
        if channel.is_thread:
            await _wake_thread(state, channel)
    ref = ctx.json.get("message_reference")
    if ref and ref.get("fail_if_not_exists", True):
        state.message(
            state.channel(int(ref.get("channel_id") or channel.id)), int(ref["message_id"])
        )
    msg = state.new_message(channel, state.bot_user)
    apply_body(state, msg, ctx.json, ctx.uploads, new=True)
    msg.flags &= ~EPHEMERAL  # only interaction responses can be ephemeral
    if ref:
        msg.type = 19  # REPLY
    await state.publish_message(msg)
    return 200, msg.payload(bot_id=state.bot_user.id)


async def get_messages(ctx: Ctx) -> Reply:
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    state.require_bot(channel, perm.VIEW_CHANNEL)
    if not state.bot_can(channel, perm.READ_MESSAGE_HISTORY):
        return 200, []
    limit = max(1, min(int(ctx.query.get("limit", 50)), 100))
    history = channel.messages  # oldest first
    if "before" in ctx.query:
        before = int(ctx.query["before"])
        picked = [m for m in history if m.id < before][-limit:]
    elif "after" in ctx.query:
        after = int(ctx.query["after"])
        picked = [m for m in history if m.id > after][:limit]
    elif "around" in ctx.query:
        around = int(ctx.query["around"])
        older = [m for m in history if m.id <= around][-(limit // 2 + 1) :]
        picked = older + [m for m in history if m.id > around][: limit - len(older)]
    else:
        picked = history[-limit:]
    return 200, [m.payload(bot_id=state.bot_user.id) for m in reversed(picked)]


async def get_message(ctx: Ctx) -> Reply:
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    state.require_bot(channel, perm.VIEW_CHANNEL | perm.READ_MESSAGE_HISTORY)
    return 200, state.message(channel, ctx.id("message_id")).payload(bot_id=state.bot_user.id)


async def edit_message(ctx: Ctx) -> Reply:
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    state.require_bot(channel, perm.VIEW_CHANNEL)
    msg = state.message(channel, ctx.id("message_id"))
    if msg.author.id != state.bot_user.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    apply_body(state, msg, ctx.json, ctx.uploads, new=False)
    await state.publish_update(msg)
    return 200, msg.payload(bot_id=state.bot_user.id)


async def delete_message(ctx: Ctx) -> Reply:
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    state.require_bot(channel, perm.VIEW_CHANNEL)
    msg = state.message(channel, ctx.id("message_id"))
    if msg.author.id != state.bot_user.id and not state.bot_can(channel, perm.MANAGE_MESSAGES):
        raise missing_permissions()
    await state.publish_delete(msg)
    return 204, None


MAX_PINS = 250  # Discord raised the limit from 50 to 250 in 2025


async def _pin(ctx: Ctx, pinned: bool) -> Reply:
    """Discord: pinning needs Pin Messages in the channel; a channel holds at most MAX_PINS."""
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    state.require_bot(channel, perm.VIEW_CHANNEL | perm.PIN_MESSAGES)
    msg = state.message(channel, ctx.id("message_id"))
    if pinned and not msg.pinned and sum(m.pinned for m in channel.messages) >= MAX_PINS:
        raise ApiError(400, 30003, "Maximum number of pins reached")
    if msg.pinned != pinned:
        msg.pinned = pinned
        await state.publish_update(msg)
        await state.dispatch(
            "CHANNEL_PINS_UPDATE",
            {"channel_id": str(channel.id), "guild_id": str(channel.guild_id)},
        )
    return 204, None


async def pin_message(ctx: Ctx) -> Reply:
    return await _pin(ctx, True)


async def unpin_message(ctx: Ctx) -> Reply:
    return await _pin(ctx, False)


async def trigger_typing(ctx: Ctx) -> Reply:
    channel = ctx.state.channel(ctx.id("channel_id"))
    if not channel.is_dm:
        ctx.state.require_bot(channel, perm.VIEW_CHANNEL)
    return 204, None


# -- reactions --------------------------------------------------------------------


def reaction_event(
    state: SimState, msg: SimMessage, user_id: int, key: str, *, add: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user_id": str(user_id),
        "channel_id": str(msg.channel_id),
        "message_id": str(msg.id),
        "emoji": emoji_payload(key),
        "burst": False,
        "type": 0,
    }
    if add:
        data.update(message_author_id=str(msg.author.id), burst_colors=[])
    if msg.guild_id is not None:
        data["guild_id"] = str(msg.guild_id)
        member = state.guilds[msg.guild_id].get_member(user_id)
        if add and member is not None:
            data["member"] = member.payload()
    return data


async def set_reaction(
    state: SimState, msg: SimMessage, user_id: int, key: str, *, add: bool
) -> None:
    """Shared by the bot's REST calls and by people reacting through the simulator."""
    users = msg.reactions.setdefault(key, [])
    if add == (user_id in users):
        return  # no change, no event (as on Discord)
    if add:
        users.append(user_id)
    else:
        users.remove(user_id)
        if not users:
            del msg.reactions[key]
    event = "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE"
    await state.dispatch(event, reaction_event(state, msg, user_id, key, add=add))


def _reaction_target(ctx: Ctx) -> tuple[SimChannel, SimMessage, str]:
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    state.require_bot(channel, perm.VIEW_CHANNEL | perm.READ_MESSAGE_HISTORY)
    return (
        channel,
        state.message(channel, ctx.id("message_id")),
        normalize_emoji(ctx.params["emoji"]),
    )


async def add_own_reaction(ctx: Ctx) -> Reply:
    channel, msg, key = _reaction_target(ctx)
    if key not in msg.reactions and not ctx.state.bot_can(channel, perm.ADD_REACTIONS):
        raise missing_permissions()
    await set_reaction(ctx.state, msg, ctx.state.bot_user.id, key, add=True)
    return 204, None


async def remove_own_reaction(ctx: Ctx) -> Reply:
    _, msg, key = _reaction_target(ctx)
    await set_reaction(ctx.state, msg, ctx.state.bot_user.id, key, add=False)
    return 204, None


async def remove_user_reaction(ctx: Ctx) -> Reply:
    channel, msg, key = _reaction_target(ctx)
    if not ctx.state.bot_can(channel, perm.MANAGE_MESSAGES):
        raise missing_permissions()
    await set_reaction(ctx.state, msg, ctx.id("user_id"), key, add=False)
    return 204, None


async def get_reactions(ctx: Ctx) -> Reply:
    _, msg, key = _reaction_target(ctx)
    return 200, [ctx.state.users[u].payload() for u in msg.reactions.get(key, [])]


# -- channels -----------------------------------------------------------------------


async def get_channel(ctx: Ctx) -> Reply:
    channel = ctx.state.channel(ctx.id("channel_id"))
    ctx.state.require_bot(channel, perm.VIEW_CHANNEL)
    return 200, channel.payload()


async def edit_channel(ctx: Ctx) -> Reply:
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    body = ctx.json
    state.require_bot(channel, perm.VIEW_CHANNEL)
    if channel.is_thread:
        owner = channel.owner_id == state.bot_user.id
        if not owner and not state.bot_can(channel, perm.MANAGE_THREADS):
            raise missing_permissions()
        channel.name = str(body.get("name", channel.name))
        for key in ("archived", "locked", "invitable", "auto_archive_duration"):
            if key in body and body[key] is not None:
                setattr(channel, key, body[key])
        await state.publish_thread(channel, "THREAD_UPDATE")
        return 200, channel.payload()
    if not state.bot_can(channel, perm.MANAGE_CHANNELS):
        raise missing_permissions()
    channel.name = str(body.get("name", channel.name))
    channel.topic = body.get("topic", channel.topic)
    await state.dispatch("CHANNEL_UPDATE", channel.payload())
    return 200, channel.payload()


async def delete_channel(ctx: Ctx) -> Reply:
    state = ctx.state
    channel = state.channel(ctx.id("channel_id"))
    needed = perm.MANAGE_THREADS if channel.is_thread else perm.MANAGE_CHANNELS
    state.require_bot(channel, perm.VIEW_CHANNEL | needed)
    guild = state.guilds[channel.guild_id or 0]
    guild.threads.pop(channel.id, None)
    guild.channels.pop(channel.id, None)
    del state.channels[channel.id]
    data = {
        "id": str(channel.id),
        "guild_id": str(guild.id),
        "parent_id": str(channel.parent_id),
        "type": channel.type,
    }
    await state.dispatch("THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE", data)
    return 200, channel.payload()


async def create_dm(ctx: Ctx) -> Reply:
    user = ctx.state.user(int(ctx.json["recipient_id"]))
    return 200, ctx.state.dm_channel(user).payload()


_MSG = "/channels/{channel_id}/messages/{message_id}"
ROUTES: RouteTable = [
    ("POST", "/channels/{channel_id}/messages", create_message),
    ("GET", "/channels/{channel_id}/messages", get_messages),
    ("GET", _MSG, get_message),
    ("PATCH", _MSG, edit_message),
    ("DELETE", _MSG, delete_message),
    ("POST", "/channels/{channel_id}/typing", trigger_typing),
    ("PUT", "/channels/{channel_id}/messages/pins/{message_id}", pin_message),
    ("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", unpin_message),
    ("PUT", _MSG + "/reactions/{emoji}/@me", add_own_reaction),
    ("DELETE", _MSG + "/reactions/{emoji}/@me", remove_own_reaction),
    ("DELETE", _MSG + "/reactions/{emoji}/{user_id}", remove_user_reaction),
    ("GET", _MSG + "/reactions/{emoji}", get_reactions),
    ("GET", "/channels/{channel_id}", get_channel),
    ("PATCH", "/channels/{channel_id}", edit_channel),
    ("DELETE", "/channels/{channel_id}", delete_channel),
    ("POST", "/users/@me/channels", create_dm),
]
