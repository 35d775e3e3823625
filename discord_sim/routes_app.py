"""Users, the application, the gateway URL and application command sync."""

from __future__ import annotations

import re
from typing import Any

from .messages import FormErrors
from .rest import Ctx, Reply, RouteTable
from .state import ApiError, SimState

_NAME = re.compile(r"^[-_'\w]{1,32}$")


def app_payload(state: SimState) -> dict[str, Any]:
    bot = state.bot_user
    return {
        "id": str(state.app_id),
        "name": bot.name,
        "icon": None,
        "description": "Simulated application",
        "summary": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": bot.payload(),
        "owner": {**bot.payload(), "bot": False, "username": "sim-owner"},
        "team": None,
        "verify_key": "0" * 64,
        "flags": 0,
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": len(state.guilds),
    }


async def get_me(ctx: Ctx) -> Reply:
    return 200, {
        **ctx.state.bot_user.payload(),
        "verified": True,
        "mfa_enabled": False,
        "locale": "en-US",
    }


async def get_user(ctx: Ctx) -> Reply:
    return 200, ctx.state.user(ctx.id("user_id")).payload()


async def get_application(ctx: Ctx) -> Reply:
    return 200, app_payload(ctx.state)


async def get_gateway(ctx: Ctx) -> Reply:
    url = ctx.state.gateway.url if ctx.state.gateway else ""
    return 200, {"url": url}


async def get_gateway_bot(ctx: Ctx) -> Reply:
    url = ctx.state.gateway.url if ctx.state.gateway else ""
    limits = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
    return 200, {"url": url, "shards": ctx.state.shard_count, "session_start_limit": limits}


# -- application commands -------------------------------------------------------


def _check_app(ctx: Ctx) -> int | None:
    if ctx.id("application_id") != ctx.state.app_id:
        raise ApiError(403, 50001, "Missing Access")
    if "guild_id" not in ctx.params:
        return None
    return ctx.state.guild(ctx.id("guild_id")).id


def _check_options(
    errors: FormErrors, path: list[str | int], options: list[dict[str, Any]]
) -> None:
    if len(options) > 25:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    optional_seen = False
    for i, opt in enumerate(options):
        here = [*path, i]
        if (
            not _NAME.match(str(opt.get("name", "")))
            or str(opt.get("name")) != str(opt.get("name")).lower()
        ):
            errors.add(
                [*here, "name"],
                "APPLICATION_COMMAND_INVALID_NAME",
                f"bad option name {opt.get('name')!r}",
            )
        if not 1 <= len(str(opt.get("description", ""))) <= 100:
            errors.add(
                [*here, "description"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        if len(opt.get("choices") or []) > 25:
            errors.add([*here, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if opt.get("type") in (1, 2):
            _check_options(errors, [*here, "options"], opt.get("options") or [])
        elif opt.get("required"):
            if optional_seen:
                errors.add(
                    here,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be first",
                )
        else:
            optional_seen = True


def _store_command(state: SimState, guild_id: int | None, raw: dict[str, Any]) -> dict[str, Any]:
    kind = int(raw.get("type", 1))
    name = str(raw.get("name", ""))
    key = (guild_id, name, kind)
    # Discord keeps a command's id stable across bulk overwrites.
    cmd_id = state.command_ids.setdefault(key, state.ids.next())
    perms = raw.get("default_member_permissions")
    cmd = {
        "id": str(cmd_id),
        "application_id": str(state.app_id),
        "version": str(state.ids.next()),
        "type": kind,
        "name": name,
        "description": raw.get("description", "") if kind == 1 else "",
        "options": raw.get("options") or [],
        "default_member_permissions": None if perms is None else str(perms),
        "dm_permission": raw.get("dm_permission", True),
        "contexts": raw.get("contexts"),
        "integration_types": raw.get("integration_types") or [0],
        "nsfw": raw.get("nsfw", False),
        "name_localizations": raw.get("name_localizations"),
        "description_localizations": raw.get("description_localizations"),
    }
    if guild_id is not None:
        cmd["guild_id"] = str(guild_id)
    return cmd


def _validate(commands: list[dict[str, Any]]) -> None:
    errors = FormErrors()
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        name, kind = str(cmd.get("name", "")), int(cmd.get("type", 1))
        if kind == 1:
            if not _NAME.match(name) or name != name.lower():
                errors.add(
                    [i, "name"], "APPLICATION_COMMAND_INVALID_NAME", f"bad command name {name!r}"
                )
            if not 1 <= len(str(cmd.get("description", ""))) <= 100:
                errors.add(
                    [i, "description"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            _check_options(errors, [i, "options"], cmd.get("options") or [])
        if (name, kind) in seen:
            errors.add(
                [i, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", f"duplicate command {name!r}"
            )
        seen.add((name, kind))
    errors.raise_if_any()


def _table(state: SimState, guild_id: int | None) -> dict[str, dict[str, Any]]:
    if guild_id is None:
        return state.global_commands
    return state.guild_commands.setdefault(guild_id, {})


async def put_commands(ctx: Ctx) -> Reply:
    guild_id = _check_app(ctx)
    raw = ctx.body if isinstance(ctx.body, list) else []
    _validate(raw)
    table = _table(ctx.state, guild_id)
    table.clear()
    for item in raw:
        cmd = _store_command(ctx.state, guild_id, item)
        table[f"{cmd['type']}:{cmd['name']}"] = cmd
    ctx.state.sync_count += 1
    return 200, list(table.values())


async def get_commands(ctx: Ctx) -> Reply:
    return 200, list(_table(ctx.state, _check_app(ctx)).values())


async def post_command(ctx: Ctx) -> Reply:
    guild_id = _check_app(ctx)
    _validate([ctx.json])
    cmd = _store_command(ctx.state, guild_id, ctx.json)
    _table(ctx.state, guild_id)[f"{cmd['type']}:{cmd['name']}"] = cmd
    return 201, cmd


def _find(ctx: Ctx) -> tuple[dict[str, dict[str, Any]], str]:
    table = _table(ctx.state, _check_app(ctx))
    for key, cmd in table.items():
        if cmd["id"] == ctx.params["command_id"]:
            return table, key
    raise ApiError(404, 10063, "Unknown application command")


async def get_command(ctx: Ctx) -> Reply:
    table, key = _find(ctx)
    return 200, table[key]


async def delete_command(ctx: Ctx) -> Reply:
    table, key = _find(ctx)
    del table[key]
    return 204, None


async def get_command_permissions(ctx: Ctx) -> Reply:
    _check_app(ctx)
    return 200, []


ROUTES: RouteTable = [
    ("GET", "/users/@me", get_me),
    ("GET", "/users/{user_id}", get_user),
    ("GET", "/oauth2/applications/@me", get_application),
    ("GET", "/applications/@me", get_application),
    ("GET", "/gateway", get_gateway),
    ("GET", "/gateway/bot", get_gateway_bot),
]
for _base in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
    ROUTES += [
        ("GET", f"{_base}/commands", get_commands),
        ("PUT", f"{_base}/commands", put_commands),
        ("POST", f"{_base}/commands", post_command),
        ("GET", f"{_base}/commands/{{command_id}}", get_command),
        ("DELETE", f"{_base}/commands/{{command_id}}", delete_command),
    ]
ROUTES.append(
    (
        "GET",
        "/applications/{application_id}/guilds/{guild_id}/commands/permissions",
        get_command_permissions,
    )
)
