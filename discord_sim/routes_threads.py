"""Threads: creation (with and without a starter message), membership, listing."""

from __future__ import annotations

from . import permissions as perm
from .ids import now_iso
from .models import NEWS, PRIVATE_THREAD, PUBLIC_THREAD, TEXT, SimChannel
from .rest import Ctx, Reply, RouteTable
from .state import ApiError, SimState, missing_permissions

HAS_THREAD = 1 << 5


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {"name": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH"}]}},
        )
    return name


def _parent(ctx: Ctx) -> SimChannel:
    channel = ctx.state.channel(ctx.id("channel_id"))
    if channel.type not in (TEXT, NEWS):
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return channel


async def create_thread(ctx: Ctx) -> Reply:
    state = ctx.state
    parent = _parent(ctx)
    body = ctx.json
    kind = int(body.get("type") or PRIVATE_THREAD)  # Discord's default for this endpoint
    private = kind == PRIVATE_THREAD
    if private and parent.type != TEXT:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    needed = perm.CREATE_PRIVATE_THREADS if private else perm.CREATE_PUBLIC_THREADS
    state.require_bot(parent, perm.VIEW_CHANNEL | needed)
    guild = state.guilds[parent.guild_id or 0]
    thread = guild.add_thread(parent, _check_name(body.get("name")), private=private)
    thread.invitable = bool(body.get("invitable", True)) if private else True
    thread.auto_archive_duration = int(body.get("auto_archive_duration") or 1440)
    await state.flush()  # THREAD_CREATE, queued by add_thread
    return 201, {**thread.payload(), "member": thread.thread_member_payload(state.bot_user.id)}


async def create_thread_from_message(ctx: Ctx) -> Reply:
    state = ctx.state
    parent = _parent(ctx)
    state.require_bot(
        parent, perm.VIEW_CHANNEL | perm.CREATE_PUBLIC_THREADS | perm.READ_MESSAGE_HISTORY
    )
    msg = state.message(parent, ctx.id("message_id"))
    if msg.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    guild = state.guilds[parent.guild_id or 0]
    # A thread started from a message shares the message's id.
    thread = guild.add_thread(parent, _check_name(ctx.json.get("name")), thread_id=msg.id)
    thread.type = 10 if parent.type == NEWS else PUBLIC_THREAD
    thread.auto_archive_duration = int(ctx.json.get("auto_archive_duration") or 1440)
    msg.thread_id = thread.id
    msg.flags |= HAS_THREAD
    await state.flush()  # THREAD_CREATE, queued by add_thread
    return 201, {**thread.payload(), "member": thread.thread_member_payload(state.bot_user.id)}


def _thread(ctx: Ctx) -> SimChannel:
    thread = ctx.state.channel(ctx.id("channel_id"))
    if not thread.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    ctx.state.require_bot(thread, perm.VIEW_CHANNEL)
    return thread


async def add_thread_member(state: SimState, thread: SimChannel, user_id: int) -> None:
    """Add and dispatch THREAD_MEMBERS_UPDATE; also used by simulated people joining."""
    if user_id in thread.thread_members:
        return
    thread.thread_members[user_id] = now_iso()
    await state.publish_thread_members(thread, [user_id], [])


async def join_thread(ctx: Ctx) -> Reply:
    thread = _thread(ctx)
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    await add_thread_member(ctx.state, thread, ctx.state.bot_user.id)
    return 204, None


async def put_thread_member(ctx: Ctx) -> Reply:
    state = ctx.state
    thread = _thread(ctx)
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    state.require_bot(thread, perm.SEND_MESSAGES_IN_THREADS)
    moderator = state.bot_can(thread, perm.MANAGE_THREADS)
    outsider = state.bot_user.id not in thread.thread_members or not thread.invitable
    if thread.type == PRIVATE_THREAD and not moderator and outsider:
        raise missing_permissions()
    user_id = ctx.id("user_id")
    if state.guilds[thread.guild_id or 0].get_member(user_id) is None:
        raise ApiError(404, 10007, "Unknown Member")
    await add_thread_member(state, thread, user_id)
    return 204, None


async def _remove(state: SimState, thread: SimChannel, user_id: int) -> None:
    if thread.thread_members.pop(user_id, None) is not None:
        await state.publish_thread_members(thread, [], [user_id])


async def leave_thread(ctx: Ctx) -> Reply:
    await _remove(ctx.state, _thread(ctx), ctx.state.bot_user.id)
    return 204, None


async def delete_thread_member(ctx: Ctx) -> Reply:
    state = ctx.state
    thread = _thread(ctx)
    owner_of_private = thread.type == PRIVATE_THREAD and thread.owner_id == state.bot_user.id
    if not owner_of_private and not state.bot_can(thread, perm.MANAGE_THREADS):
        raise missing_permissions()
    await _remove(state, thread, ctx.id("user_id"))
    return 204, None


async def get_thread_member(ctx: Ctx) -> Reply:
    thread = _thread(ctx)
    user_id = (
        ctx.state.bot_user.id if ctx.params.get("user_id") in (None, "@me") else ctx.id("user_id")
    )
    if user_id not in thread.thread_members:
        raise ApiError(404, 10007, "Unknown Member")
    return 200, thread.thread_member_payload(user_id)


async def get_thread_members(ctx: Ctx) -> Reply:
    thread = _thread(ctx)
    return 200, [thread.thread_member_payload(u) for u in thread.thread_members]


async def active_threads(ctx: Ctx) -> Reply:
    state = ctx.state
    guild = state.guild(ctx.id("guild_id"))
    threads = [
        t for t in guild.threads.values() if not t.archived and state.bot_can(t, perm.VIEW_CHANNEL)
    ]
    bot_id = state.bot_user.id
    members = [t.thread_member_payload(bot_id) for t in threads if bot_id in t.thread_members]
    return 200, {"threads": [t.payload() for t in threads], "members": members}


_MEMBERS = "/channels/{channel_id}/thread-members"
ROUTES: RouteTable = [
    ("POST", "/channels/{channel_id}/threads", create_thread),
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads", create_thread_from_message),
    ("PUT", _MEMBERS + "/@me", join_thread),
    ("DELETE", _MEMBERS + "/@me", leave_thread),
    ("PUT", _MEMBERS + "/{user_id}", put_thread_member),
    ("DELETE", _MEMBERS + "/{user_id}", delete_thread_member),
    ("GET", _MEMBERS + "/@me", get_thread_member),
    ("GET", _MEMBERS + "/{user_id}", get_thread_member),
    ("GET", _MEMBERS, get_thread_members),
    ("GET", "/guilds/{guild_id}/threads/active", active_threads),
]
