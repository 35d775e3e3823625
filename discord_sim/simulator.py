"""DiscordSimulator: the public entry point tying state, REST server and gateway together."""

# The public API takes timeout= arguments by design (tests pass them per call).
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord.gateway
import discord.http
import yarl
from aiohttp import web

from . import permissions as perm
from . import routes_app, routes_channels, routes_guilds, routes_interactions, routes_threads
from .drivers import Drivers
from .gateway import Gateway
from .guild import SimGuild
from .interactions import SimInteraction
from .models import SimChannel, SimMember, SimMessage, SimRole, SimUser
from .rest import RestServer, Router
from .state import RecordedRequest, RejectedPayload, SimState

T = TypeVar("T")


class DiscordSimulator(Drivers):
    """A fake Discord (REST + gateway) on 127.0.0.1 for the real discord.py client."""

    def __init__(
        self,
        *,
        token: str = "sim-token",  # noqa: S107 - a fake token for a fake Discord
        settle: float = 0.05,
        interaction_deadline: float = 3.0,
        shard_count: int = 1,
    ) -> None:
        if shard_count < 1:
            raise ValueError("shard_count must be at least 1")
        state = SimState(token)
        state.interaction_deadline = interaction_deadline
        state.shard_count = shard_count
        gateway = Gateway(state)
        state.gateway = gateway
        router = Router()
        for table in (
            routes_app.ROUTES,
            routes_channels.ROUTES,
            routes_threads.ROUTES,
            routes_guilds.ROUTES,
            routes_interactions.ROUTES,
        ):
            router.add_all(table)
        super().__init__(state)
        self.gateway = gateway
        self.rest = RestServer(state, router)
        self.settle = settle
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._saved: tuple[str, yarl.URL] | None = None

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self.rest.serve_attachment)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.state.base_url = f"http://127.0.0.1:{self.port}"
        # Point discord.py at us; a non-sharded client never asks GET /gateway/bot.
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = f"{self.state.base_url}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway.url)

    async def stop(self) -> None:
        await self.gateway.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._saved is not None and f"{self.state.base_url}/api/v10" == discord.http.Route.BASE:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
        self._saved = None

    async def __aenter__(self) -> DiscordSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- state, as attributes tests read -----------------------------------------

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def api_url(self) -> str:
        """What a bot's REST calls must go to (settings.discord_api_url)."""
        return f"{self.state.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Where a bot's gateway connects (settings.discord_gateway_url)."""
        return self.gateway.url

    @property
    def bot_user(self) -> SimUser:
        return self.state.bot_user

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.state.requests

    @property
    def unknown_routes(self) -> list[str]:
        return self.state.unknown_routes

    @property
    def rejected_payloads(self) -> list[RejectedPayload]:
        """Every body the bot sent that Discord would refuse with 400 / 50035 Invalid Form
        Body (a limit broken, a field missing); fixtures assert it stays empty."""
        return self.state.rejected_payloads

    @property
    def shard_count(self) -> int:
        """What GET /gateway/bot recommends; IDENTIFY with shard [id, count] is honoured."""
        return self.state.shard_count

    @property
    def errors(self) -> list[str]:
        return self.state.errors

    @property
    def sync_count(self) -> int:
        return self.state.sync_count

    @property
    def rate_limited_count(self) -> int:
        return self.rest.rate_limited_count

    @property
    def guilds(self) -> list[SimGuild]:
        return list(self.state.guilds.values())

    @property
    def interactions(self) -> list[SimInteraction]:
        return list(self.state.interactions.values())

    @property
    def commands(self) -> dict[str, dict[str, Any]]:
        """Synced slash commands by name: global ones, overridden by guild ones."""
        found = {c["name"]: c for c in self.state.global_commands.values() if c["type"] == 1}
        for table in self.state.guild_commands.values():
            found.update({c["name"]: c for c in table.values() if c["type"] == 1})
        return found

    # -- setup -------------------------------------------------------------------

    def create_guild(
        self,
        name: str,
        *,
        owner: SimUser | None = None,
        everyone_permissions: int = perm.DEFAULT_EVERYONE,
        shard: int | None = None,
    ) -> SimGuild:
        """A new guild (a connected bot joins it); ``shard`` picks an id that Discord's rule
        puts on that shard of ``shard_count``."""
        return self.state.create_guild(
            name, owner=owner, everyone_permissions=everyone_permissions, shard=shard
        )

    def create_user(self, name: str, global_name: str | None = None) -> SimUser:
        return self.state.create_user(name, global_name)

    def dm_channel(self, user: SimUser) -> SimChannel:
        return self.state.dm_channel(user)

    def refuse_dms(self, user: SimUser, refuse: bool = True) -> None:
        """The bot's DMs to ``user`` fail with 403 / 50007, like closed DMs."""
        (self.state.refused_dms.add if refuse else self.state.refused_dms.discard)(user.id)

    def refuse_privileged_intents(self, refuse: bool = True) -> None:
        """Close the gateway with 4014 when a bot asks for a privileged intent, as Discord does
        when the switch for it in the Developer Portal is off."""
        self.state.refuse_privileged_intents = refuse

    def set_rate_limit(self, per_second: float | None = 50) -> None:
        """Global limit on the bot's REST calls (interaction responses exempt); None disables."""
        self.rest.set_rate_limit(per_second)

    async def delete_message(self, channel: SimChannel, message: SimMessage) -> None:
        """A moderator deletes ``message``: it leaves the channel, the bot gets MESSAGE_DELETE,
        and REST reads or edits of it answer 404 Unknown Message (10008) from then on."""
        if message.deleted or message.channel_id != channel.id:
            raise AssertionError(f"message {message.id} is not in #{channel.name}")
        await self.state.publish_delete(message)

    async def set_permissions(
        self,
        channel: SimChannel,
        target: SimUser | SimRole | SimGuild,
        *,
        allow: int = 0,
        deny: int = 0,
    ) -> None:
        """Set (replace) the overwrite for a member, a role or @everyone (the guild) on
        ``channel``, as a moderator would; the bot gets CHANNEL_UPDATE (THREAD_UPDATE for a
        thread's parent is not sent: threads take their parent's permissions). Removing the
        overwrite: allow=0, deny=0."""
        if channel.guild_id is None:
            raise AssertionError("DM channels have no permission overwrites")
        target_id, kind = (target.id, 1) if isinstance(target, SimUser) else (target.id, 0)
        kept = [o for o in channel.overwrites if int(o["id"]) != target_id]
        if allow or deny:
            kept.append(
                perm.normalize_overwrite(
                    {"id": target_id, "type": kind, "allow": allow, "deny": deny}
                )
            )
        channel.overwrites = kept
        await self.state.dispatch("CHANNEL_UPDATE", channel.payload())

    def visible_commands(self, guild: SimGuild, member: SimUser | SimMember) -> list[str]:
        """Names of the synced slash commands ``member`` sees in their "/" menu in ``guild``.

        Discord hides a command whose default_member_permissions the member lacks (guild-wide
        permissions; administrators and the owner see all); "0" hides it from all but them.
        Commands outside guild contexts are not offered there either.
        """
        user = member.user if isinstance(member, SimMember) else member
        if guild.get_member(user) is None:
            raise AssertionError(f"{user.name} is not a member of {guild.name!r}")
        held = guild.member_permissions(user)
        found = {c["name"]: c for c in self.state.global_commands.values() if c["type"] == 1}
        found.update(
            {
                c["name"]: c
                for c in self.state.guild_commands.get(guild.id, {}).values()
                if c["type"] == 1
            }
        )
        names = []
        for name, cmd in found.items():
            contexts = cmd.get("contexts")
            if contexts is not None and 0 not in contexts:
                continue
            needed = cmd.get("default_member_permissions")
            hidden = needed is not None and (int(needed) == 0 or not perm.has(held, int(needed)))
            if hidden and held != perm.ALL:
                continue
            names.append(name)
        return sorted(names)

    async def drop_connections(self) -> None:
        """Cut the gateway with a resumable close code; the bot reconnects and RESUMEs."""
        await self.gateway.drop_connections()

    # -- waiting -------------------------------------------------------------------

    async def wait_until_ready(self, timeout: float = 10) -> None:
        """A bot has IDENTIFYed and got READY plus a GUILD_CREATE for every guild (with
        shards: every shard it runs has)."""
        await self.state.wait_until(
            self.gateway.all_shards_ready, timeout, "a bot to connect and get READY"
        )

    async def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 5, what: str = "predicate"
    ) -> T:
        """Wait until `predicate()` is truthy and return that value (never None)."""
        return await self.state.wait_until(predicate, timeout, what)

    async def wait_for_request(
        self, route: str | Callable[[RecordedRequest], bool], timeout: float = 5, *, after: int = 0
    ) -> RecordedRequest:
        """First request (from index ``after`` of sim.requests) matching a route template,
        "METHOD /real/path", or a predicate."""

        def matches(req: RecordedRequest) -> bool:
            if isinstance(route, str):
                return route in (req.route, f"{req.method} {req.path}")
            return route(req)

        def find() -> RecordedRequest | None:
            return next((r for r in self.state.requests[after:] if matches(r)), None)

        found = await self.state.wait_until(find, timeout, f"a request matching {route!r}")
        assert found is not None
        return found

    # -- queries -------------------------------------------------------------------

    def channel_messages(self, channel: SimChannel) -> list[SimMessage]:
        return list(channel.messages)

    def dm_messages(self, user: SimUser) -> list[SimMessage]:
        dm = self.state.dm_channels.get(user.id)
        return [m for m in dm.messages if m.author.id == self.bot_user.id] if dm else []

    def find_message(
        self,
        channel: SimChannel | None = None,
        *,
        content: str | None = None,
        contains: str | None = None,
        footer: str | None = None,
    ) -> SimMessage | None:
        """The newest message matching exact content, a text fragment, or an embed footer."""
        pool = (
            channel.messages
            if channel
            else [m for c in self.state.channels.values() for m in c.messages]
        )
        for msg in sorted(pool, key=lambda m: m.id, reverse=True):
            if content is not None and msg.content != content:
                continue
            if contains is not None and contains not in msg.text:
                continue
            if footer is not None and msg.footer != footer:
                continue
            return msg
        return None

    def thread_members(self, thread: SimChannel) -> list[SimUser]:
        return [self.state.users[u] for u in thread.thread_members]

    def scheduled_events(self, guild: SimGuild) -> list[dict[str, Any]]:
        return list(guild.events.values())

    def requests_for(self, route: str) -> list[RecordedRequest]:
        return [r for r in self.state.requests if r.route == route]

    def assert_no_problems(self) -> None:
        """For fixtures: fail loudly if the bot hit unknown routes or the simulator crashed."""
        if self.state.unknown_routes or self.state.errors:
            raise AssertionError(
                f"unknown routes: {self.state.unknown_routes}\nerrors: {self.state.errors}"
            )

    def member(self, guild: SimGuild, user: SimUser) -> SimMember:
        member = guild.get_member(user)
        if member is None:
            raise AssertionError(f"{user.name} is not a member of {guild.name!r}")
        return member
