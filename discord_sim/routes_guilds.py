"""Guild reads, member role changes and guild scheduled events."""

from __future__ import annotations

import datetime
from typing import Any

from . import permissions as perm
from .guild import SimGuild
from .ids import parse_iso
from .models import SimMember, SimRole
from .rest import Ctx, Reply, RouteTable
from .state import ApiError, SimState, missing_permissions

SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
STAGE, VOICE, EXTERNAL = 1, 2, 3
# Discord allows this many scheduled or active events per guild; one more is refused (30038).
EVENT_LIMIT = 100
_TRANSITIONS = {SCHEDULED: {SCHEDULED, ACTIVE, CANCELED}, ACTIVE: {ACTIVE, COMPLETED}}


async def get_guild(ctx: Ctx) -> Reply:
    guild = ctx.state.guild(ctx.id("guild_id"))
    data = guild.payload()
    if ctx.query.get("with_counts") in ("true", "1", "True"):
        data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
    return 200, data


async def get_channels(ctx: Ctx) -> Reply:
    return 200, [c.payload() for c in ctx.state.guild(ctx.id("guild_id")).channels.values()]


async def get_roles(ctx: Ctx) -> Reply:
    return 200, [r.payload() for r in ctx.state.guild(ctx.id("guild_id")).roles.values()]


def _member(ctx: Ctx) -> tuple[SimGuild, SimMember]:
    guild = ctx.state.guild(ctx.id("guild_id"))
    member = guild.get_member(ctx.id("user_id"))
    if member is None:
        raise ApiError(404, 10007, "Unknown Member")
    return guild, member


async def get_member(ctx: Ctx) -> Reply:
    return 200, _member(ctx)[1].payload()


async def list_members(ctx: Ctx) -> Reply:
    guild = ctx.state.guild(ctx.id("guild_id"))
    limit = max(1, min(int(ctx.query.get("limit", 1)), 1000))
    after = int(ctx.query.get("after", 0))
    ids = sorted(uid for uid in guild.members if uid > after)[:limit]
    return 200, [guild.members[uid].payload() for uid in ids]


async def search_members(ctx: Ctx) -> Reply:
    guild = ctx.state.guild(ctx.id("guild_id"))
    query = ctx.query.get("query", "").lower()
    limit = max(1, min(int(ctx.query.get("limit", 1)), 1000))
    found = [m for m in guild.members.values() if m.user.name.lower().startswith(query)]
    return 200, [m.payload() for m in found[:limit]]


def _assignable(state: SimState, guild: SimGuild, role: SimRole) -> None:
    """Bots may only hand out unmanaged roles below their own highest role."""
    if not perm.has(guild.member_permissions(state.bot_user), perm.MANAGE_ROLES):
        raise missing_permissions()
    bot_member = guild.members[state.bot_user.id]
    top = max(guild.roles[r].position for r in bot_member.roles)
    if role.id == guild.id or role.bot_id is not None or role.position >= top:
        raise missing_permissions()


async def _member_updated(state: SimState, guild: SimGuild, member: SimMember) -> None:
    await state.dispatch("GUILD_MEMBER_UPDATE", {**member.payload(), "guild_id": str(guild.id)})


async def add_member_role(ctx: Ctx) -> Reply:
    guild, member = _member(ctx)
    role = guild.roles.get(ctx.id("role_id"))
    if role is None:
        raise ApiError(404, 10011, "Unknown Role")
    _assignable(ctx.state, guild, role)
    if role.id not in member.roles:
        member.roles.append(role.id)
        await _member_updated(ctx.state, guild, member)
    return 204, None


async def remove_member_role(ctx: Ctx) -> Reply:
    guild, member = _member(ctx)
    role = guild.roles.get(ctx.id("role_id"))
    if role is None:
        raise ApiError(404, 10011, "Unknown Role")
    _assignable(ctx.state, guild, role)
    if role.id in member.roles:
        member.roles.remove(role.id)
        await _member_updated(ctx.state, guild, member)
    return 204, None


async def edit_member(ctx: Ctx) -> Reply:
    state = ctx.state
    guild, member = _member(ctx)
    body = ctx.json
    if "roles" in body and body["roles"] is not None:
        wanted = [int(r) for r in body["roles"]]
        for role_id in set(wanted) ^ set(member.roles):
            _assignable(state, guild, guild.roles[role_id])
        member.roles = wanted
    if "nick" in body:
        if not perm.has(guild.member_permissions(state.bot_user), 1 << 27):  # MANAGE_NICKNAMES
            raise missing_permissions()
        member.nick = body["nick"]
    await _member_updated(state, guild, member)
    return 200, member.payload()


# -- scheduled events ----------------------------------------------------------------


def _time(body: dict[str, Any], key: str) -> datetime.datetime | None:
    value = body.get(key)
    return parse_iso(value) if value else None


def _too_long(limit: int) -> dict[str, str]:
    return {"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}


def _check_event(event: dict[str, Any], *, starting: bool) -> None:
    problems: dict[str, Any] = {}
    start = _time(event, "scheduled_start_time")
    end = _time(event, "scheduled_end_time")
    now = datetime.datetime.now(datetime.UTC)
    if not event.get("name"):
        problems["name"] = {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}
    elif len(str(event["name"])) > 100:
        problems["name"] = {"_errors": [_too_long(100)]}
    if len(str(event.get("description") or "")) > 1000:
        problems["description"] = {"_errors": [_too_long(1000)]}
    location = (event.get("entity_metadata") or {}).get("location")
    if location is not None and len(str(location)) > 100:
        problems["entity_metadata"] = {"location": {"_errors": [_too_long(100)]}}
    if start is None:
        problems["scheduled_start_time"] = {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}
    elif starting and start < now:
        problems["scheduled_start_time"] = {
            "_errors": [{"code": "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST"}]
        }
    if start is not None and end is not None and end <= start:
        problems["scheduled_end_time"] = {
            "_errors": [{"code": "GUILD_SCHEDULED_EVENT_END_BEFORE_START"}]
        }
    if event.get("entity_type") == EXTERNAL:
        if not location:
            problems["entity_metadata"] = {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}
        if end is None:
            problems["scheduled_end_time"] = {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}
    elif not event.get("channel_id"):
        problems["channel_id"] = {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}
    if problems:
        raise ApiError(400, 50035, "Invalid Form Body", problems)


def _events_guild(ctx: Ctx) -> SimGuild:
    guild = ctx.state.guild(ctx.id("guild_id"))
    if not perm.has(guild.member_permissions(ctx.state.bot_user), perm.MANAGE_EVENTS):
        raise missing_permissions()
    return guild


def _event(ctx: Ctx, guild: SimGuild) -> dict[str, Any]:
    event = guild.events.get(ctx.id("event_id"))
    if event is None:
        raise ApiError(404, 10070, "Unknown Guild Scheduled Event")
    return event


async def create_event(ctx: Ctx) -> Reply:
    state = ctx.state
    guild = _events_guild(ctx)
    body = ctx.json
    event_id = state.ids.next()
    event: dict[str, Any] = {
        "id": str(event_id),
        "guild_id": str(guild.id),
        "channel_id": str(body["channel_id"]) if body.get("channel_id") else None,
        "creator_id": str(state.bot_user.id),
        "creator": state.bot_user.payload(),
        "name": body.get("name"),
        "description": body.get("description"),
        "scheduled_start_time": body.get("scheduled_start_time"),
        "scheduled_end_time": body.get("scheduled_end_time"),
        "privacy_level": int(body.get("privacy_level") or 2),
        "status": SCHEDULED,
        "entity_type": int(body.get("entity_type") or EXTERNAL),
        "entity_id": None,
        "entity_metadata": body.get("entity_metadata"),
        "user_count": 0,
        "image": None,
        "recurrence_rule": body.get("recurrence_rule"),
    }
    _check_event(event, starting=True)
    live = sum(1 for e in guild.events.values() if int(e["status"]) in (SCHEDULED, ACTIVE))
    if live >= EVENT_LIMIT:
        raise ApiError(400, 30038, "Maximum number of guild scheduled events reached (100)")
    guild.events[event_id] = event
    await state.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event)
    return 200, event


async def edit_event(ctx: Ctx) -> Reply:
    guild = _events_guild(ctx)
    event = _event(ctx, guild)
    body = ctx.json
    status = int(body.get("status") or event["status"])
    if status not in _TRANSITIONS.get(int(event["status"]), set()):
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {"status": {"_errors": [{"code": "INVALID_TRANSITION"}]}},
        )
    updated = {
        **event,
        **{k: v for k, v in body.items() if k in event and k not in ("id", "guild_id", "creator")},
    }
    updated["status"] = status
    moved = body.get("scheduled_start_time") not in (None, event["scheduled_start_time"])
    _check_event(updated, starting=moved and status == SCHEDULED)
    event.update(updated)
    await ctx.state.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
    return 200, event


async def delete_event(ctx: Ctx) -> Reply:
    guild = _events_guild(ctx)
    event = _event(ctx, guild)
    del guild.events[int(event["id"])]
    await ctx.state.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event)
    return 204, None


async def get_event(ctx: Ctx) -> Reply:
    return 200, _event(ctx, ctx.state.guild(ctx.id("guild_id")))


async def list_events(ctx: Ctx) -> Reply:
    return 200, list(ctx.state.guild(ctx.id("guild_id")).events.values())


async def event_users(ctx: Ctx) -> Reply:
    guild = ctx.state.guild(ctx.id("guild_id"))
    event = _event(ctx, guild)
    users = [ctx.state.users[u] for u in guild.event_users.get(int(event["id"]), [])]
    return 200, [{"guild_scheduled_event_id": event["id"], "user": u.payload()} for u in users]


# -- roles and channels made by the bot ------------------------------------------------


async def create_role(ctx: Ctx) -> Reply:
    """Discord: needs Manage Roles; a role may carry only permissions the bot has; a new
    role goes just above @everyone; names are at most 100 characters."""
    state = ctx.state
    guild = state.guild(ctx.id("guild_id"))
    granted = guild.member_permissions(state.bot_user)
    if not perm.has(granted, perm.MANAGE_ROLES):
        raise missing_permissions()
    body = ctx.json
    name = str(body.get("name") or "new role")
    if len(name) > 100:
        raise ApiError(400, 50035, "Invalid Form Body", {"name": _too_long(100)})
    wanted = int(body.get("permissions") or 0)
    if wanted & ~granted and not granted & perm.ADMINISTRATOR:
        raise missing_permissions()
    role = guild.add_role(
        name, wanted, color=int(body.get("color") or 0), mentionable=bool(body.get("mentionable"))
    )
    role.hoist = bool(body.get("hoist"))
    await state.flush()  # GUILD_ROLE_CREATE
    return 200, role.payload()


async def delete_role(ctx: Ctx) -> Reply:
    """Discord: needs Manage Roles, and the role must sit below the bot's highest role."""
    state = ctx.state
    guild = state.guild(ctx.id("guild_id"))
    role = guild.roles.get(ctx.id("role_id"))
    if role is None:
        raise ApiError(404, 10011, "Unknown Role")
    _assignable(state, guild, role)
    del guild.roles[role.id]
    for member in guild.members.values():
        if role.id in member.roles:
            member.roles.remove(role.id)
    await state.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)})
    return 204, None


async def create_channel(ctx: Ctx) -> Reply:
    """Discord: needs Manage Channels; overwrites may allow or deny only permissions the bot
    has in the server (Manage Roles in an overwrite only for administrators)."""
    state = ctx.state
    guild = state.guild(ctx.id("guild_id"))
    granted = guild.member_permissions(state.bot_user)
    if not perm.has(granted, perm.MANAGE_CHANNELS):
        raise missing_permissions()
    body = ctx.json
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise ApiError(400, 50035, "Invalid Form Body", {"name": _too_long(100)})
    overwrites = [perm.normalize_overwrite(o) for o in body.get("permission_overwrites") or []]
    if not granted & perm.ADMINISTRATOR:
        for overwrite in overwrites:
            bits = int(overwrite["allow"]) | int(overwrite["deny"])
            if bits & ~granted or bits & perm.MANAGE_ROLES:
                raise missing_permissions()
    kind = int(body.get("type") or 0)
    parent_id = body.get("parent_id")
    parent = guild.channels.get(int(parent_id)) if parent_id else None
    channel = guild._add_channel(kind, name, overwrites, parent)
    channel.topic = body.get("topic")
    await state.flush()  # CHANNEL_CREATE
    return 201, channel.payload()


_EVENTS = "/guilds/{guild_id}/scheduled-events"
ROUTES: RouteTable = [
    ("GET", "/guilds/{guild_id}", get_guild),
    ("GET", "/guilds/{guild_id}/channels", get_channels),
    ("GET", "/guilds/{guild_id}/roles", get_roles),
    ("POST", "/guilds/{guild_id}/roles", create_role),
    ("DELETE", "/guilds/{guild_id}/roles/{role_id}", delete_role),
    ("POST", "/guilds/{guild_id}/channels", create_channel),
    ("GET", "/guilds/{guild_id}/members", list_members),
    ("GET", "/guilds/{guild_id}/members/search", search_members),
    ("GET", "/guilds/{guild_id}/members/{user_id}", get_member),
    ("PATCH", "/guilds/{guild_id}/members/{user_id}", edit_member),
    ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", add_member_role),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", remove_member_role),
    ("GET", _EVENTS, list_events),
    ("POST", _EVENTS, create_event),
    ("GET", _EVENTS + "/{event_id}", get_event),
    ("PATCH", _EVENTS + "/{event_id}", edit_event),
    ("DELETE", _EVENTS + "/{event_id}", delete_event),
    ("GET", _EVENTS + "/{event_id}/users", event_users),
]
