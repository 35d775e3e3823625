"""What simulated people do outside interactions: talk, react, join, leave.

Each action checks that the person could do it in a real client (membership,
channel visibility); a test asking for the impossible gets an AssertionError.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import permissions as perm
from .content import normalize_emoji
from .guild import SimGuild
from .ids import now_iso
from .models import SimChannel, SimMember, SimMessage, SimRole, SimUser
from .routes_channels import set_reaction
from .routes_threads import add_thread_member
from .state import SimState


class People:
    def __init__(self, state: SimState) -> None:
        self.state = state

    def _require_view(self, user: SimUser, channel: SimChannel) -> None:
        if channel.is_dm:
            if channel.recipient is None or channel.recipient.id != user.id:
                raise AssertionError(f"{user.name} is not part of DM channel {channel.id}")
            return
        guild = self.state.guilds[channel.guild_id or 0]
        if guild.get_member(user) is None:
            raise AssertionError(f"{user.name} is not a member of {guild.name!r}")
        if not guild.can(user, channel, perm.VIEW_CHANNEL):
            raise AssertionError(f"{user.name} cannot see #{channel.name}")

    async def post_message(
        self,
        channel: SimChannel,
        user: SimUser,
        content: str = "",
        *,
        files: Iterable[tuple[str, bytes]] = (),
        reply_to: SimMessage | None = None,
    ) -> SimMessage:
        """A person sends a message (MESSAGE_CREATE); works in channels, threads and DMs."""
        state = self.state
        self._require_view(user, channel)
        guild = state.guild_of(channel)
        if guild is not None:
            needed = perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else perm.SEND_MESSAGES
            if not guild.can(user, channel, needed):
                raise AssertionError(f"{user.name} cannot send messages in #{channel.name}")
        if channel.is_thread:
            if channel.locked:
                raise AssertionError(f"thread {channel.name!r} is locked")
            if channel.archived:  # posting reopens an archived thread
                channel.archived = False
                await state.publish_thread(channel, "THREAD_UPDATE")
            if user.id not in channel.thread_members:  # posting joins the thread
                await add_thread_member(state, channel, user.id)
        msg = state.new_message(channel, user, content)
        msg.uploads = [state.add_attachment(name, data) for name, data in files]
        if reply_to is not None:
            msg.type = 19
            msg.message_reference = {
                "message_id": str(reply_to.id),
                "channel_id": str(reply_to.channel_id),
                "guild_id": str(reply_to.guild_id) if reply_to.guild_id else None,
            }
        if not (msg.content or msg.uploads):
            raise AssertionError("a message needs content or files")
        state.set_pings(msg, None)
        await state.publish_message(msg)
        return msg

    async def add_reaction(self, message: SimMessage, user: SimUser, emoji: str) -> None:
        self._require_view(user, self.state.channels[message.channel_id])
        await set_reaction(self.state, message, user.id, normalize_emoji(emoji), add=True)

    async def remove_reaction(self, message: SimMessage, user: SimUser, emoji: str) -> None:
        await set_reaction(self.state, message, user.id, normalize_emoji(emoji), add=False)

    async def member_join(
        self,
        guild: SimGuild,
        user: SimUser,
        roles: Iterable[int] | None = None,
        *,
        pending: bool = False,
    ) -> SimMember:
        """Add the member and dispatch GUILD_MEMBER_ADD. `pending`: they still have to pass
        membership screening (set it False and `publish_change` the member when they do)."""
        existed = guild.get_member(user) is not None
        member = guild.add_member(user, roles)  # queues GUILD_MEMBER_ADD when new
        member.pending = pending
        if existed:
            self.state.announce(
                "GUILD_MEMBER_ADD", lambda: {**member.payload(), "guild_id": str(guild.id)}
            )
        else:
            member.joined_at = now_iso()
        await self.state.flush()
        return member

    async def member_leave(self, guild: SimGuild, user: SimUser) -> None:
        """Remove the member and dispatch GUILD_MEMBER_REMOVE."""
        if guild.remove_member(user) is None:
            raise AssertionError(f"{user.name} is not a member of {guild.name!r}")
        await self.state.flush()

    async def set_member_roles(
        self, guild: SimGuild, user: SimUser, roles: Iterable[int]
    ) -> SimMember:
        """Change someone's roles (as a moderator would) and dispatch GUILD_MEMBER_UPDATE."""
        if guild.get_member(user) is None:
            raise AssertionError(f"{user.name} is not a member of {guild.name!r}")
        member = guild.add_member(user, roles)
        await self.state.flush()
        return member

    async def publish_change(self, obj: SimGuild | SimRole | SimChannel | SimMember) -> None:
        """Tell the bot about an edit made in place (role permissions, overwrites, names...)."""
        if isinstance(obj, SimGuild):
            await self.state.dispatch("GUILD_UPDATE", obj.payload())
        elif isinstance(obj, SimRole):
            role = {"guild_id": str(obj.guild_id), "role": obj.payload()}
            await self.state.dispatch("GUILD_ROLE_UPDATE", role)
        elif isinstance(obj, SimMember):
            await self.state.dispatch(
                "GUILD_MEMBER_UPDATE", {**obj.payload(), "guild_id": str(obj.guild_id)}
            )
        elif obj.is_thread:
            await self.state.publish_thread(obj, "THREAD_UPDATE")
        else:
            await self.state.dispatch("CHANNEL_UPDATE", obj.payload())

    async def join_thread(self, thread: SimChannel, user: SimUser) -> None:
        self._require_view(user, thread)
        await add_thread_member(self.state, thread, user.id)

    async def create_thread(
        self, channel: SimChannel, user: SimUser, name: str, *, private: bool = False
    ) -> SimChannel:
        """A person opens a thread (THREAD_CREATE)."""
        self._require_view(user, channel)
        guild = self.state.guilds[channel.guild_id or 0]
        needed = perm.CREATE_PRIVATE_THREADS if private else perm.CREATE_PUBLIC_THREADS
        if not guild.can(user, channel, needed):
            raise AssertionError(f"{user.name} cannot create threads in #{channel.name}")
        thread = guild.add_thread(channel, name, private=private, owner=user)
        await self.state.flush()  # THREAD_CREATE, queued by add_thread
        return thread

    async def rsvp(
        self, guild: SimGuild, event_id: int, user: SimUser, interested: bool = True
    ) -> None:
        """Mark a person interested (or not) in a scheduled event."""
        event = guild.events[int(event_id)]
        users = guild.event_users.setdefault(int(event_id), [])
        if interested == (user.id in users):
            return
        (users.append if interested else users.remove)(user.id)
        event["user_count"] = len(users)
        name = (
            "GUILD_SCHEDULED_EVENT_USER_ADD" if interested else "GUILD_SCHEDULED_EVENT_USER_REMOVE"
        )
        data = {
            "guild_scheduled_event_id": str(event_id),
            "user_id": str(user.id),
            "guild_id": str(guild.id),
        }
        await self.state.dispatch(name, data)
