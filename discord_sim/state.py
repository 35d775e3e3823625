"""The simulated world: every user, guild, channel, message, command and request."""

# ruff: noqa: ASYNC109 - wait_until takes timeout= like the public API built on it

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from . import permissions as perm
from .guild import SimGuild
from .ids import Snowflakes, now_iso
from .models import DM, SimAttachment, SimChannel, SimMessage, SimUser

if TYPE_CHECKING:
    from .gateway import Gateway
    from .interactions import SimInteraction

T = TypeVar("T")

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


class ApiError(Exception):
    """An error answer in Discord's JSON shape (raised by route handlers)."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: dict[str, Any] = {"code": code, "message": message}
        if errors:
            self.body["errors"] = errors


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    return ApiError(403, 50001, "Missing Access")


@dataclass
class RecordedRequest:
    method: str
    path: str  # the real path, with ids, without the /api/v10 prefix
    route: str  # e.g. "POST /channels/{channel_id}/messages"
    json: Any
    files: list[tuple[str, bytes]]
    status: int
    query: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


@dataclass
class RejectedPayload:
    """A body the bot sent that Discord would refuse (400, 50035 Invalid Form Body)."""

    route: str  # e.g. "POST /channels/{channel_id}/messages"
    path: str
    json: Any
    errors: dict[str, Any]  # Discord's nested "errors" object: which field broke which limit

    def __str__(self) -> str:
        return f"{self.route} ({self.path}): {self.errors}"


class SimState:
    def __init__(self, token: str) -> None:
        self.ids = Snowflakes()
        self.token = token
        self.bot_user = SimUser(self.ids.next(), "SimBot", None, bot=True)
        self.users: dict[int, SimUser] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, SimGuild] = {}
        self.channels: dict[int, SimChannel] = {}
        self.dm_channels: dict[int, SimChannel] = {}  # recipient user id -> DM channel
        self.messages: dict[int, SimMessage] = {}
        self.attachments: dict[int, SimAttachment] = {}
        self.global_commands: dict[str, dict[str, Any]] = {}
        self.guild_commands: dict[int, dict[str, dict[str, Any]]] = {}
        self.command_ids: dict[tuple[int | None, str, int], int] = {}
        self.sync_count = 0
        self.interactions: dict[int, SimInteraction] = {}
        self.interaction_tokens: dict[str, SimInteraction] = {}
        self.interaction_deadline = 3.0  # seconds Discord waits for the first callback
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[str] = []
        self.rejected_payloads: list[RejectedPayload] = []
        self.errors: list[str] = []
        self.refused_dms: set[int] = set()
        self.refuse_privileged_intents = False
        self.shard_count = 1  # what GET /gateway/bot recommends
        self.base_url = "http://127.0.0.1:0"
        self.gateway: Gateway | None = None
        self._changed = asyncio.Event()
        self._pending: list[tuple[str, Callable[[], dict[str, Any]]]] = []
        self._flush_lock = asyncio.Lock()
        self._flush_task: asyncio.Task[None] | None = None

    @property
    def app_id(self) -> int:
        return self.bot_user.id

    # -- change notification -------------------------------------------------

    def notify(self) -> None:
        """Wake everything waiting in wait_until; called after every state change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """Re-check ``predicate`` on every change (and every 50 ms for bot-side conditions)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.05))

    # -- creation ------------------------------------------------------------

    def create_user(
        self, name: str, global_name: str | None = None, *, bot: bool = False
    ) -> SimUser:
        user = SimUser(self.ids.next(), name, global_name, bot=bot)
        self.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str,
        *,
        owner: SimUser | None,
        everyone_permissions: int,
        shard: int | None = None,
    ) -> SimGuild:
        if shard is not None and not 0 <= shard < self.shard_count:
            raise AssertionError(f"shard {shard} is not one of {self.shard_count} shards")
        guild_id = (
            self.ids.next() if shard is None else self.ids.next_on_shard(shard, self.shard_count)
        )
        # The owner bypasses every permission check, so it is never the bot.
        owner_id = owner.id if owner else self.ids.next()
        guild = SimGuild(
            self, guild_id, name, owner_id=owner_id, everyone_permissions=everyone_permissions
        )
        if owner is not None:
            guild.add_member(owner)
        self.guilds[guild_id] = guild
        # Created after a bot connected: the bot "joins" it.
        self.announce("GUILD_CREATE", guild.late_create_payload)
        guild.live = True
        return guild

    def dm_channel(self, user: SimUser) -> SimChannel:
        chan = self.dm_channels.get(user.id)
        if chan is None:
            chan = SimChannel(id=self.ids.next(), type=DM, name=user.name, recipient=user)
            self.dm_channels[user.id] = chan
            self.channels[chan.id] = chan
        return chan

    def add_attachment(
        self, filename: str, data: bytes, content_type: str | None = None
    ) -> SimAttachment:
        att_id = self.ids.next()
        url = f"{self.base_url}/attachments/{att_id}/{filename}"
        att = SimAttachment(att_id, filename, data, url, content_type or "application/octet-stream")
        self.attachments[att_id] = att
        return att

    def new_message(self, channel: SimChannel, author: SimUser, content: str = "") -> SimMessage:
        msg = SimMessage(
            id=self.ids.next(), channel_id=channel.id, guild_id=channel.guild_id, author=author
        )
        msg.content = content
        self.set_mentions(msg)
        return msg

    def register_message(self, msg: SimMessage) -> None:
        """Make a message findable by id; done once it passed validation."""
        self.messages[msg.id] = msg

    def set_mentions(self, msg: SimMessage) -> None:
        """What the content mentions (``mentions``, ``mention_roles``); pings are separate."""
        msg.mentions = [
            self.users[int(i)] for i in _USER_MENTION.findall(msg.content) if int(i) in self.users
        ]
        msg.mention_roles = [int(i) for i in _ROLE_MENTION.findall(msg.content)]

    def set_pings(self, msg: SimMessage, allowed: dict[str, Any] | None) -> None:
        """Who a new message actually notifies, by Discord's allowed_mentions rules.

        Without ``allowed_mentions`` everything mentioned is parsed. A role pings only
        when it is mentionable or the author may mention everyone; @everyone/@here need
        that permission too. Replies ping the replied-to author unless
        ``allowed_mentions`` is given without ``replied_user: true``. Ephemeral messages
        ping nobody.
        """
        msg.pinged_users, msg.pinged_roles, msg.mention_everyone = [], [], False
        if msg.ephemeral:
            return
        parse = ["users", "roles", "everyone"] if allowed is None else allowed.get("parse") or []
        users = {int(u) for u in (allowed or {}).get("users") or []}
        roles = {int(r) for r in (allowed or {}).get("roles") or []}
        channel = self.channels.get(msg.channel_id)
        guild = self.guild_of(channel) if channel is not None else None
        may_mention_all = (
            guild is not None
            and channel is not None
            and msg.author.id in guild.members
            and guild.can(msg.author, channel, perm.MENTION_EVERYONE)
        )
        pinged = [u for u in msg.mentions if "users" in parse or u.id in users]
        ref = msg.message_reference
        replied = self.messages.get(int(ref["message_id"])) if ref else None
        if replied is not None and (allowed is None or allowed.get("replied_user")):
            pinged.append(replied.author)
        seen: set[int] = set()
        for user in pinged:
            if user.id not in seen and user.id != msg.author.id:
                seen.add(user.id)
                msg.pinged_users.append(user)
        if guild is not None:
            for role_id in dict.fromkeys(msg.mention_roles):
                role = guild.roles.get(role_id)
                allowed_role = "roles" in parse or role_id in roles
                if role is not None and allowed_role and (role.mentionable or may_mention_all):
                    msg.pinged_roles.append(role_id)
            everyone = "@everyone" in msg.content or "@here" in msg.content
            msg.mention_everyone = everyone and "everyone" in parse and may_mention_all

    # -- lookups -------------------------------------------------------------

    def guild_of(self, channel: SimChannel) -> SimGuild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    def channel(self, channel_id: int) -> SimChannel:
        chan = self.channels.get(channel_id)
        if chan is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return chan

    def message(self, channel: SimChannel, message_id: int) -> SimMessage:
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted or msg.channel_id != channel.id:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def user(self, user_id: int) -> SimUser:
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return user

    def guild(self, guild_id: int) -> SimGuild:
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    def shares_guild_with_bot(self, user: SimUser) -> bool:
        return any(user.id in g.members for g in self.guilds.values())

    def bot_can(self, channel: SimChannel, flags: int) -> bool:
        guild = self.guild_of(channel)
        if guild is None:
            return True  # DMs have no permission system
        return perm.has(guild.channel_permissions(self.bot_user, channel), flags)

    def require_bot(self, channel: SimChannel, flags: int) -> None:
        guild = self.guild_of(channel)
        if guild is None:
            return
        value = guild.channel_permissions(self.bot_user, channel)
        if not value & perm.VIEW_CHANNEL:
            raise missing_access()
        if not perm.has(value, flags):
            raise missing_permissions()

    # -- events --------------------------------------------------------------

    def announce(self, event: str, build: Callable[[], dict[str, Any]]) -> None:
        """Queue the event for a change made through the synchronous setup API.

        Only matters once a bot is connected (before that, READY and GUILD_CREATE
        carry everything). Queued events go out before the next dispatch, so an
        interaction never overtakes the channel or role it names, and otherwise
        on the next turn of the event loop. Payloads are built when sent.
        """
        if self.gateway is None or not self.gateway.sessions:
            return
        self._pending.append((event, build))
        if self._flush_task is None or self._flush_task.done():
            with contextlib.suppress(RuntimeError):  # no running loop: the next dispatch sends it
                self._flush_task = asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> None:
        async with self._flush_lock:
            while self._pending:
                event, build = self._pending.pop(0)
                if self.gateway is not None:
                    await self.gateway.dispatch(event, build())
        self.notify()

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        await self.flush()
        if self.gateway is not None:
            await self.gateway.dispatch(event, data)
        self.notify()

    def message_event(self, msg: SimMessage) -> dict[str, Any]:
        data = msg.payload(bot_id=self.bot_user.id)
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        member = guild.get_member(msg.author) if guild else None
        if member is not None:
            data["member"] = member.payload(with_user=False)
        return data

    async def publish_message(self, msg: SimMessage, *, store: bool = True) -> None:
        """Put a message in its channel's history and tell the bot (MESSAGE_CREATE)."""
        channel = self.channels[msg.channel_id]
        self.register_message(msg)
        if store:
            channel.messages.append(msg)
            channel.sent_count += 1
        msg.touch()
        await self.dispatch("MESSAGE_CREATE", self.message_event(msg))
        if channel.is_thread:
            await self.add_pinged_to_thread(channel, msg)

    async def add_pinged_to_thread(self, thread: SimChannel, msg: SimMessage) -> None:
        """Discord adds the people a thread message pings (and who can see the parent)."""
        guild = self.guild_of(thread)
        parent = self.channels.get(thread.parent_id or 0)
        if guild is None or parent is None:
            return
        added = [
            u.id
            for u in msg.pinged_users
            if u.id not in thread.thread_members
            and u.id in guild.members
            and guild.can(u, parent, perm.VIEW_CHANNEL)
        ]
        for uid in added:
            thread.thread_members[uid] = now_iso()
        if added:
            await self.publish_thread_members(thread, added, [])

    async def publish_update(self, msg: SimMessage) -> None:
        msg.touch()
        await self.dispatch("MESSAGE_UPDATE", self.message_event(msg))

    async def publish_delete(self, msg: SimMessage) -> None:
        msg.deleted = True
        channel = self.channels[msg.channel_id]
        if msg in channel.messages:
            channel.messages.remove(msg)
        data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id:
            data["guild_id"] = str(msg.guild_id)
        await self.dispatch("MESSAGE_DELETE", data)

    def thread_event(self, thread: SimChannel, *, newly_created: bool = False) -> dict[str, Any]:
        data = thread.payload()
        if newly_created:
            data["newly_created"] = True
        if self.bot_user.id in thread.thread_members:
            data["member"] = thread.thread_member_payload(self.bot_user.id)
        return data

    async def publish_thread(self, thread: SimChannel, event: str) -> None:
        await self.dispatch(event, self.thread_event(thread))

    async def publish_thread_members(
        self, thread: SimChannel, added: list[int], removed: list[int]
    ) -> None:
        guild = self.guilds[thread.guild_id or 0]
        added_payloads = []
        for uid in added:
            item = thread.thread_member_payload(uid)
            member = guild.get_member(uid)
            if member is not None:
                item["member"] = member.payload()
            added_payloads.append(item)
        data: dict[str, Any] = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": min(len(thread.thread_members), 50),
            "added_members": added_payloads,
            "removed_member_ids": [str(u) for u in removed],
        }
        await self.dispatch("THREAD_MEMBERS_UPDATE", data)
