"""Discord permission bits and the overwrite algorithm Discord documents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
PIN_MESSAGES = 1 << 51

# Same value discord.py uses, so "all" means the same thing on both sides.
ALL = discord.Permissions.all().value

# Roughly what a new server grants @everyone.
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# Useful but not administrator, so permission bugs in the bot still show up.
BOT_ROLE = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | MANAGE_THREADS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
    | MANAGE_EVENTS
    | CREATE_EVENTS
    | USE_APPLICATION_COMMANDS
)

# Without SEND_MESSAGES these are meaningless, and Discord drops them too.
_NEEDS_SEND = MENTION_EVERYONE | SEND_TTS_MESSAGES | ATTACH_FILES | EMBED_LINKS


def normalize_overwrite(raw: dict[str, Any]) -> dict[str, Any]:
    """Accept ints or strings (and "role"/"member" types) the way tests write them."""
    kind = raw.get("type", 0)
    if isinstance(kind, str):
        kind = 1 if kind in ("member", "1") else 0
    return {
        "id": str(int(raw["id"])),
        "type": int(kind),
        "allow": str(int(raw.get("allow", 0))),
        "deny": str(int(raw.get("deny", 0))),
    }


def apply_overwrites(
    base: int,
    overwrites: Iterable[dict[str, Any]],
    *,
    guild_id: int,
    role_ids: Iterable[int],
    user_id: int,
) -> int:
    """Channel permissions from guild permissions, in Discord's documented order."""
    if base & ADMINISTRATOR:
        return ALL
    by_id = {int(o["id"]): o for o in overwrites}
    perms = base
    everyone = by_id.get(guild_id)
    if everyone is not None:
        perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in role_ids:
        ow = by_id.get(role_id)
        if ow is not None and ow["type"] == 0:
            allow |= int(ow["allow"])
            deny |= int(ow["deny"])
    perms = (perms & ~deny) | allow
    member = by_id.get(user_id)
    if member is not None and member["type"] == 1:
        perms = (perms & ~int(member["deny"])) | int(member["allow"])
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & (SEND_MESSAGES | SEND_MESSAGES_IN_THREADS):
        perms &= ~_NEEDS_SEND
    return perms


def has(perms: int, flag: int) -> bool:
    return perms & flag == flag
