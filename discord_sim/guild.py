"""A simulated guild: roles, channels, threads, members, scheduled events and permissions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import permissions as perm
from .ids import now_iso
from .models import (
    CATEGORY,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    VOICE,
    SimChannel,
    SimMember,
    SimRole,
    SimUser,
)

if TYPE_CHECKING:
    from .state import SimState

UserRef = SimUser | SimMember | int


def user_id(user: UserRef) -> int:
    if isinstance(user, SimMember):
        return user.user.id
    return user.id if isinstance(user, SimUser) else int(user)


class SimGuild:
    def __init__(
        self, state: SimState, guild_id: int, name: str, *, owner_id: int, everyone_permissions: int
    ) -> None:
        self._state = state
        self.id = guild_id
        self.name = name
        self.owner_id = owner_id
        self.created_at = now_iso()
        self.roles: dict[int, SimRole] = {
            guild_id: SimRole(guild_id, guild_id, "@everyone", everyone_permissions, position=0)
        }
        self.channels: dict[int, SimChannel] = {}
        self.threads: dict[int, SimChannel] = {}
        self.members: dict[int, SimMember] = {}
        self.events: dict[int, dict[str, Any]] = {}
        self.event_users: dict[int, list[int]] = {}  # event id -> interested user ids
        # Until the guild is registered, changes need no gateway events.
        self.live = False
        bot = state.bot_user
        self.bot_role = self.add_role("Bot", perm.BOT_ROLE)
        self.bot_role.bot_id = bot.id
        self.add_member(bot, roles=[self.bot_role.id])

    def __repr__(self) -> str:
        return f"<SimGuild id={self.id} name={self.name!r} members={len(self.members)}>"

    def _announce(self, event: str, build: Callable[[], dict[str, Any]]) -> None:
        """Tell a connected bot about a change made through this synchronous setup API."""
        if self.live:
            self._state.announce(event, build)

    def _member_event(self, member: SimMember) -> Callable[[], dict[str, Any]]:
        return lambda: {**member.payload(), "guild_id": str(self.id)}

    @property
    def everyone(self) -> SimRole:
        return self.roles[self.id]

    # -- setup -------------------------------------------------------------

    def add_role(
        self, name: str, permissions: int = 0, *, color: int = 0, mentionable: bool = False
    ) -> SimRole:
        # Discord puts a new role just above @everyone and pushes the rest up.
        for role in self.roles.values():
            if role.position >= 1:
                role.position += 1
        role = SimRole(
            self._state.ids.next(),
            self.id,
            name,
            permissions,
            position=1,
            color=color,
            mentionable=mentionable,
        )
        self.roles[role.id] = role
        self._announce(
            "GUILD_ROLE_CREATE", lambda: {"guild_id": str(self.id), "role": role.payload()}
        )
        return role

    def add_text_channel(
        self,
        name: str,
        overwrites: Iterable[dict[str, Any]] | None = None,
        *,
        topic: str | None = None,
        category: SimChannel | None = None,
    ) -> SimChannel:
        chan = self._add_channel(TEXT, name, overwrites, category)
        chan.topic = topic
        return chan

    def add_voice_channel(
        self, name: str, overwrites: Iterable[dict[str, Any]] | None = None
    ) -> SimChannel:
        return self._add_channel(VOICE, name, overwrites, None)

    def add_category(
        self, name: str, overwrites: Iterable[dict[str, Any]] | None = None
    ) -> SimChannel:
        return self._add_channel(CATEGORY, name, overwrites, None)

    def _add_channel(
        self,
        kind: int,
        name: str,
        overwrites: Iterable[dict[str, Any]] | None,
        parent: SimChannel | None,
    ) -> SimChannel:
        chan = SimChannel(
            id=self._state.ids.next(),
            type=kind,
            name=name,
            guild_id=self.id,
            parent_id=parent.id if parent else None,
            position=len(self.channels),
            overwrites=[perm.normalize_overwrite(o) for o in overwrites or []],
        )
        self.channels[chan.id] = chan
        self._state.channels[chan.id] = chan
        self._announce("CHANNEL_CREATE", chan.payload)
        return chan

    def add_thread(
        self,
        parent: SimChannel,
        name: str,
        *,
        private: bool = False,
        owner: SimUser | None = None,
        members: Iterable[SimUser] = (),
        thread_id: int | None = None,
    ) -> SimChannel:
        """A thread with its members; a connected bot gets THREAD_CREATE."""
        owner = owner or self._state.bot_user
        thread = SimChannel(
            id=thread_id or self._state.ids.next(),
            type=PRIVATE_THREAD if private else PUBLIC_THREAD,
            name=name,
            guild_id=self.id,
            parent_id=parent.id,
            owner_id=owner.id,
            invitable=not private,
        )
        for user in (owner, *members):
            thread.thread_members.setdefault(user.id, now_iso())
        self.threads[thread.id] = thread
        self._state.channels[thread.id] = thread
        self._announce(
            "THREAD_CREATE", lambda: self._state.thread_event(thread, newly_created=True)
        )
        return thread

    def add_member(
        self, user: SimUser, roles: Iterable[int] | None = None, *, nick: str | None = None
    ) -> SimMember:
        """Add a member, or update their roles/nick; a connected bot gets the matching event."""
        self._state.users.setdefault(user.id, user)
        member = self.members.get(user.id)
        before = None if member is None else (list(member.roles), member.nick)
        if member is None:
            member = SimMember(user=user, guild_id=self.id)
            self.members[user.id] = member
        if roles is not None:
            member.roles = [int(r) for r in roles]
        if nick is not None:
            member.nick = nick
        if before is None:
            self._announce("GUILD_MEMBER_ADD", self._member_event(member))
        elif before != (member.roles, member.nick):
            self._announce("GUILD_MEMBER_UPDATE", self._member_event(member))
        return member

    def add_members(
        self, n: int, *, prefix: str = "member", roles: Iterable[int] = ()
    ) -> list[SimMember]:
        """Bulk members for benchmarks (add them before the bot connects to keep it cheap)."""
        role_ids = [int(r) for r in roles]
        start = len(self.members)
        added = []
        for i in range(n):
            user = self._state.create_user(f"{prefix}{start + i}")
            member = SimMember(user=user, guild_id=self.id, roles=list(role_ids))
            self.members[user.id] = member
            added.append(member)
            self._announce("GUILD_MEMBER_ADD", self._member_event(member))
        return added

    def remove_member(self, user: UserRef) -> SimMember | None:
        member = self.members.pop(user_id(user), None)
        if member is not None:
            payload = {"guild_id": str(self.id), "user": member.user.payload()}
            self._announce("GUILD_MEMBER_REMOVE", lambda: payload)
        return member

    # -- lookups -----------------------------------------------------------

    def get_member(self, user: UserRef) -> SimMember | None:
        return self.members.get(user_id(user))

    def role(self, name: str) -> SimRole:
        for role in self.roles.values():
            if role.name == name:
                return role
        raise AssertionError(f"guild {self.name!r} has no role {name!r}")

    def find_channel(self, name: str) -> SimChannel | None:
        for chan in (*self.channels.values(), *self.threads.values()):
            if chan.name == name:
                return chan
        return None

    def channel_or_thread(self, channel_id: int) -> SimChannel | None:
        return self.channels.get(channel_id) or self.threads.get(channel_id)

    # -- permissions -------------------------------------------------------

    def member_permissions(self, user: UserRef) -> int:
        uid = user_id(user)
        if uid == self.owner_id:
            return perm.ALL
        member = self.members.get(uid)
        if member is None:
            raise AssertionError(f"user {uid} is not a member of guild {self.name!r}")
        value = self.everyone.permissions
        for role_id in member.roles:
            role = self.roles.get(role_id)
            if role is not None:
                value |= role.permissions
        return perm.ALL if value & perm.ADMINISTRATOR else value

    def channel_permissions(self, user: UserRef, channel: SimChannel) -> int:
        uid = user_id(user)
        if channel.is_thread:
            parent = self.channels[channel.parent_id or 0]
            value = self.channel_permissions(uid, parent)
            # Private threads are invisible to non-members unless they moderate threads.
            hidden = channel.type == PRIVATE_THREAD and uid not in channel.thread_members
            if hidden and not value & perm.MANAGE_THREADS:
                return 0
            return value
        base = self.member_permissions(uid)
        if uid == self.owner_id:
            return base
        member = self.members[uid]
        # Category overwrites are not inherited at read time (Discord copies them on sync).
        return perm.apply_overwrites(
            base, channel.overwrites, guild_id=self.id, role_ids=member.roles, user_id=uid
        )

    def can(self, user: UserRef, channel: SimChannel, flags: int) -> bool:
        return perm.has(self.channel_permissions(user, channel), flags)

    # -- payloads ----------------------------------------------------------

    def payload(self) -> dict[str, Any]:
        text = [c for c in self.channels.values() if c.type == TEXT]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "nsfw_level": 0,
            "application_id": None,
            "system_channel_id": str(text[0].id) if text else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
        }

    def late_create_payload(self) -> dict[str, Any]:
        """GUILD_CREATE for a guild made after the bot connected: the bot joined it."""
        members = list(self.members.values())
        large = len(members) > 250
        bot_only = [self.members[self._state.bot_user.id]]
        data = self.create_payload(bot_only if large else members, large=large)
        # No "unavailable" key: discord.py then dispatches on_guild_join, not guild_available.
        del data["unavailable"]
        return data

    def create_payload(self, members: Iterable[SimMember], *, large: bool) -> dict[str, Any]:
        """The GUILD_CREATE body; the gateway decides which members to include."""
        data = self.payload()
        bot_member = self.members[self._state.bot_user.id]
        data.update(
            joined_at=bot_member.joined_at,
            large=large,
            unavailable=False,
            member_count=len(self.members),
            members=[m.payload() for m in members],
            channels=[c.payload() for c in self.channels.values()],
            threads=[t.payload() for t in self.threads.values() if not t.archived],
            guild_scheduled_events=list(self.events.values()),
            voice_states=[],
            presences=[],
            stage_instances=[],
            soundboard_sounds=[],
        )
        return data
