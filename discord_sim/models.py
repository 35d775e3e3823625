"""Plain records for users, roles, members, channels and messages, with their JSON shapes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .content import emoji_payload, message_texts, normalize_emoji, walk_components
from .ids import now_iso

# Channel types used by the simulator.
TEXT, DM, VOICE, CATEGORY, NEWS = 0, 1, 2, 4, 5
PUBLIC_THREAD, PRIVATE_THREAD = 11, 12
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)

EPHEMERAL = 64
LOADING = 128


@dataclass(eq=False)
class SimUser:
    id: int
    name: str
    global_name: str | None = None
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
            "collectibles": None,
        }


@dataclass(eq=False)
class SimRole:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    bot_id: int | None = None  # set for the bot's managed role

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "managed": self.bot_id is not None,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class SimMember:
    user: SimUser
    guild_id: int
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=now_iso)
    nick: str | None = None
    pending: bool = False  # not through membership screening yet

    def payload(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": self.pending,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass(eq=False)
class SimAttachment:
    id: int
    filename: str
    data: bytes
    url: str
    content_type: str = "application/octet-stream"
    description: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "description": self.description,
        }


@dataclass(eq=False)
class SimMessage:
    id: int
    channel_id: int
    guild_id: int | None
    author: SimUser
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[SimAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: str = field(default_factory=now_iso)
    edited_timestamp: str | None = None
    edit_count: int = 0
    reactions: dict[str, list[int]] = field(default_factory=dict)
    mentions: list[SimUser] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False  # @everyone/@here that actually pinged
    pinged_users: list[SimUser] = field(default_factory=list)  # notified by this message
    pinged_roles: list[int] = field(default_factory=list)  # role ids notified
    message_reference: dict[str, Any] | None = None
    interaction_metadata: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    thread_id: int | None = None
    poll: dict[str, Any] | None = None
    pinned: bool = False
    deleted: bool = False
    # Monotonic time of the last change, so drivers can let the bot finish
    # registering a view before a person clicks on it.
    changed_at: float = field(default_factory=time.monotonic)

    @property
    def attachments(self) -> list[str]:
        return [a.filename for a in self.uploads]

    @property
    def files(self) -> list[tuple[str, bytes]]:
        return [(a.filename, a.data) for a in self.uploads]

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def text(self) -> str:
        return "\n".join(message_texts(self.content, self.embeds, self.components))

    @property
    def footer(self) -> str | None:
        for embed in self.embeds:
            text = (embed.get("footer") or {}).get("text")
            if text:
                return str(text)
        return None

    def all_components(self) -> list[dict[str, Any]]:
        return list(walk_components(self.components))

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        return next(
            (c for c in walk_components(self.components) if c.get("custom_id") == custom_id), None
        )

    def custom_id(self, label: str) -> str:
        """custom_id of the button (by label) or select (by placeholder) shown as ``label``."""
        for comp in walk_components(self.components):
            if label in (comp.get("label"), comp.get("placeholder")) and "custom_id" in comp:
                return str(comp["custom_id"])
        raise AssertionError(
            f"no component labelled {label!r} on message {self.id}: {self.components!r}"
        )

    def reactors(self, emoji: str) -> list[int]:
        return list(self.reactions.get(normalize_emoji(emoji), []))

    def touch(self) -> None:
        self.changed_at = time.monotonic()

    def payload(self, *, bot_id: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": self.mention_everyone,
            "mentions": [u.payload() for u in self.mentions],
            "mention_roles": [str(r) for r in self.mention_roles],
            "attachments": [a.payload() for a in self.uploads],
            "embeds": self.embeds,
            "components": self.components,
            "reactions": [
                self._reaction_payload(k, users, bot_id)
                for k, users in self.reactions.items()
                if users
            ],
            "pinned": self.pinned,
            "type": self.type,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.poll is not None:
            data["poll"] = self.poll
        return data

    @staticmethod
    def _reaction_payload(key: str, users: list[int], bot_id: int) -> dict[str, Any]:
        return {
            "emoji": emoji_payload(key),
            "count": len(users),
            "count_details": {"burst": 0, "normal": len(users)},
            "me": bot_id in users,
            "me_burst": False,
            "burst_colors": [],
        }

    # Dict-style reads (msg["content"]) so followups can be treated as message dicts.
    def __getitem__(self, key: str) -> Any:
        return self.payload(bot_id=0)[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.payload(bot_id=0).get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.payload(bot_id=0)


@dataclass(eq=False)
class SimChannel:
    id: int
    type: int
    name: str
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    recipient: SimUser | None = None  # DM channels
    owner_id: int | None = None  # threads
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    created_at: str = field(default_factory=now_iso)
    archive_timestamp: str = field(default_factory=now_iso)
    thread_members: dict[int, str] = field(default_factory=dict)  # user id -> join time
    messages: list[SimMessage] = field(default_factory=list)
    sent_count: int = 0

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def last_message_id(self) -> str | None:
        return str(self.messages[-1].id) if self.messages else None

    def payload(self) -> dict[str, Any]:
        if self.is_dm:
            return {
                "id": str(self.id),
                "type": DM,
                "recipients": [self.recipient.payload()] if self.recipient else [],
                "last_message_id": self.last_message_id,
                "flags": 0,
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "last_message_id": self.last_message_id,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.is_thread:
            data.update(
                owner_id=str(self.owner_id),
                message_count=len(self.messages),
                member_count=min(len(self.thread_members), 50),
                total_message_sent=self.sent_count,
                applied_tags=[],
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.archive_timestamp,
                    "locked": self.locked,
                    "invitable": self.invitable,
                    "create_timestamp": self.created_at,
                },
            )
            return data
        data.update(position=self.position, permission_overwrites=self.overwrites, nsfw=False)
        if self.type in (TEXT, NEWS):
            data.update(topic=self.topic, default_auto_archive_duration=1440)
        elif self.type == VOICE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None)
        return data

    def thread_member_payload(self, user_id: int) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "user_id": str(user_id),
            "join_timestamp": self.thread_members[user_id],
            "flags": 0,
        }
