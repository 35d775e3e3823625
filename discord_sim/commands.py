"""Building slash-command and autocomplete interaction data from the command tree the bot synced.

Anything a Discord client would not let a person send (unknown command or
option, missing required option, value outside the choices or limits) is a
bug in the test, so it raises AssertionError.
"""

from __future__ import annotations

from typing import Any

from .guild import SimGuild
from .models import THREAD_TYPES, SimAttachment, SimChannel, SimMember, SimRole, SimUser
from .state import SimState

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)


def find_command(
    state: SimState, guild: SimGuild | None, name: str
) -> tuple[dict[str, Any], list[str]]:
    """The synced top-level command for "activity create" and the path below it."""
    root, *path = name.split()
    cmd = None
    if guild is not None:
        cmd = state.guild_commands.get(guild.id, {}).get(f"1:{root}")
    cmd = cmd or state.global_commands.get(f"1:{root}")
    if cmd is None:
        known = sorted(
            {c["name"] for c in state.global_commands.values()} | _guild_names(state, guild)
        )
        raise AssertionError(
            f"/{root} is not in the synced command tree (synced: {known}, syncs: {state.sync_count})"
        )
    return cmd, path


def _guild_names(state: SimState, guild: SimGuild | None) -> set[str]:
    return {c["name"] for c in state.guild_commands.get(guild.id, {}).values()} if guild else set()


def check_allowed(cmd: dict[str, Any], guild: SimGuild | None) -> None:
    """Discord never offers a command outside its contexts, so a test doing so is wrong.

    default_member_permissions is not enforced: server admins can override it
    per role or member, so bots must check permissions themselves anyway.
    """
    contexts = cmd.get("contexts")
    if guild is None and (
        cmd.get("dm_permission") is False or (contexts is not None and 1 not in contexts)
    ):
        raise AssertionError(f"/{cmd['name']} cannot be used in DMs")
    if guild is not None and contexts is not None and 0 not in contexts:
        raise AssertionError(f"/{cmd['name']} cannot be used in guilds")


class Resolver:
    """Collects data.resolved for user/member/role/channel/attachment option values."""

    def __init__(
        self, state: SimState, guild: SimGuild | None, channel: SimChannel, invoker: SimUser
    ) -> None:
        self.state, self.guild, self.channel, self.invoker = state, guild, channel, invoker
        self.resolved: dict[str, dict[str, Any]] = {}

    def _put(self, kind: str, key: int, value: dict[str, Any]) -> str:
        self.resolved.setdefault(kind, {})[str(key)] = value
        return str(key)

    def user(self, value: Any) -> str:
        if isinstance(value, SimMember):
            value = value.user
        user = value if isinstance(value, SimUser) else self.state.user(int(value))
        member = self.guild.get_member(user) if self.guild else None
        if member is not None and self.guild is not None:
            data = member.payload(with_user=False)
            data["permissions"] = str(self.guild.channel_permissions(user, self.channel))
            self._put("members", user.id, data)
        return self._put("users", user.id, user.payload())

    def role(self, value: Any) -> str:
        if self.guild is None:
            raise AssertionError("role options need a guild")
        role = value if isinstance(value, SimRole) else self.guild.roles[int(value)]
        return self._put("roles", role.id, role.payload())

    def channel_value(self, value: Any, allowed: list[int] | None) -> str:
        chan = value if isinstance(value, SimChannel) else self.state.channels[int(value)]
        if allowed and chan.type not in allowed:
            raise AssertionError(
                f"channel {chan.name!r} (type {chan.type}) is not one of {allowed}"
            )
        data: dict[str, Any] = {"id": str(chan.id), "name": chan.name, "type": chan.type}
        data["guild_id"] = str(chan.guild_id) if chan.guild_id else None
        data["parent_id"] = str(chan.parent_id) if chan.parent_id else None
        if self.guild is not None:
            data["permissions"] = str(self.guild.channel_permissions(self.invoker, chan))
        if chan.type in THREAD_TYPES:
            data["thread_metadata"] = chan.payload()["thread_metadata"]
        return self._put("channels", chan.id, data)

    def attachment(self, value: Any) -> str:
        if not isinstance(value, SimAttachment):
            filename, content = value
            value = self.state.add_attachment(str(filename), bytes(content))
        return self._put("attachments", value.id, value.payload())


def _convert(opt: dict[str, Any], value: Any, res: Resolver, where: str) -> Any:
    kind = opt["type"]
    if kind == STRING:
        value = str(value)
        if not opt.get("min_length", 0) <= len(value) <= opt.get("max_length", 6000):
            raise AssertionError(f"{where}: {value!r} is outside the allowed length")
    elif kind in (INTEGER, NUMBER):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AssertionError(f"{where}: expected a number, got {value!r}")
        value = int(value) if kind == INTEGER else float(value)
        if not opt.get("min_value", value) <= value <= opt.get("max_value", value):
            raise AssertionError(
                f"{where}: {value!r} is outside [{opt.get('min_value')}, {opt.get('max_value')}]"
            )
    elif kind == BOOLEAN:
        value = bool(value)
    elif kind == USER:
        return res.user(value)
    elif kind == CHANNEL:
        return res.channel_value(value, opt.get("channel_types"))
    elif kind == ROLE:
        return res.role(value)
    elif kind == MENTIONABLE:
        return res.role(value) if isinstance(value, SimRole) else res.user(value)
    elif kind == ATTACHMENT:
        return res.attachment(value)
    choices = opt.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise AssertionError(
            f"{where}: {value!r} is not one of the choices {[c['value'] for c in choices]}"
        )
    return value


def build_command_data(
    state: SimState,
    guild: SimGuild | None,
    channel: SimChannel,
    user: SimUser,
    name: str,
    values: dict[str, Any],
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    """data for an APPLICATION_COMMAND (or, with ``focused``, AUTOCOMPLETE) interaction."""
    cmd, path = find_command(state, guild, name)
    check_allowed(cmd, guild)
    data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": []}
    if "guild_id" in cmd:
        data["guild_id"] = cmd["guild_id"]
    defs: list[dict[str, Any]] = cmd.get("options") or []
    container: list[dict[str, Any]] = data["options"]
    for part in path:
        sub = next((o for o in defs if o["name"] == part and o["type"] in (1, 2)), None)
        if sub is None:
            raise AssertionError(
                f"/{name}: no subcommand {part!r}; have {[o['name'] for o in defs]}"
            )
        node: dict[str, Any] = {"name": part, "type": sub["type"], "options": []}
        container.append(node)
        container, defs = node["options"], sub.get("options") or []
    if any(o["type"] in (1, 2) for o in defs):
        raise AssertionError(
            f"/{name} is a group; name a subcommand from {[o['name'] for o in defs]}"
        )
    res = Resolver(state, guild, channel, user)
    by_name = {o["name"]: o for o in defs}
    for key, value in values.items():
        opt = by_name.get(key)
        if opt is None:
            raise AssertionError(f"/{name} has no option {key!r}; options are {list(by_name)}")
        item: dict[str, Any] = {"name": key, "type": opt["type"]}
        if key == focused:
            if not opt.get("autocomplete"):
                raise AssertionError(f"/{name} option {key!r} has no autocomplete")
            item.update(value=str(value), focused=True)  # partial input, sent unvalidated
        else:
            item["value"] = _convert(opt, value, res, f"/{name} {key}")
        container.append(item)
    missing = [o["name"] for o in defs if o.get("required") and o["name"] not in values]
    if missing and focused is None:
        raise AssertionError(f"/{name} is missing required options {missing}")
    if res.resolved:
        data["resolved"] = res.resolved
    return data
