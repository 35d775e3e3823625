"""The gateway websocket: HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME and dispatch.

Frames are sent as plain JSON text: discord.py only inflates binary frames,
so the ``compress=zlib-stream`` it asks for can be ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import traceback
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from .state import SimState

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
CHUNK_SIZE = 1000
BUFFERED_EVENTS = 5000

# Intent bits (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
GUILD_PRESENCES = 1 << 8
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

# event -> (intent needed in guilds, intent needed in DMs); 0 means always sent.
_EVENT_INTENTS: dict[str, tuple[int, int]] = {
    "MESSAGE_CREATE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_UPDATE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_DELETE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_REACTION_ADD": (GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS),
    "MESSAGE_REACTION_REMOVE": (GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS),
    "GUILD_MEMBER_ADD": (GUILD_MEMBERS, 0),
    "GUILD_MEMBER_UPDATE": (GUILD_MEMBERS, 0),
    "GUILD_MEMBER_REMOVE": (GUILD_MEMBERS, 0),
    "GUILD_SCHEDULED_EVENT_CREATE": (GUILD_SCHEDULED_EVENTS, 0),
    "GUILD_SCHEDULED_EVENT_UPDATE": (GUILD_SCHEDULED_EVENTS, 0),
    "GUILD_SCHEDULED_EVENT_DELETE": (GUILD_SCHEDULED_EVENTS, 0),
    "GUILD_SCHEDULED_EVENT_USER_ADD": (GUILD_SCHEDULED_EVENTS, 0),
    "GUILD_SCHEDULED_EVENT_USER_REMOVE": (GUILD_SCHEDULED_EVENTS, 0),
}
for _name in (
    "CHANNEL_CREATE",
    "CHANNEL_UPDATE",
    "CHANNEL_DELETE",
    "THREAD_CREATE",
    "THREAD_UPDATE",
    "THREAD_DELETE",
    "THREAD_MEMBERS_UPDATE",
    "GUILD_ROLE_CREATE",
    "GUILD_ROLE_UPDATE",
):
    _EVENT_INTENTS[_name] = (GUILDS, 0)


def _event_guild(event: str, data: dict[str, Any]) -> int | None:
    """The guild an event belongs to (GUILD_CREATE/UPDATE/DELETE name it by ``id``)."""
    if data.get("guild_id"):
        return int(data["guild_id"])
    if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE") and data.get("id"):
        return int(data["id"])
    return None


@dataclass(eq=False)
class Session:
    id: str
    intents: int
    large_threshold: int
    ws: web.WebSocketResponse | None
    seq: int = 0
    ready: bool = False
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=BUFFERED_EVENTS))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    shard_id: int = 0
    shard_count: int = 1

    def serves(self, guild_id: int | None) -> bool:
        """Discord's rule: guild events go to shard (guild_id >> 22) % count; DMs to shard 0."""
        if guild_id is None:
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed


class Gateway:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self.sessions: dict[str, Session] = {}
        self.identify_count = 0
        self.resume_count = 0
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def url(self) -> str:
        return self.state.base_url.replace("http://", "ws://", 1) + "/gateway"

    def ready_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.ready and s.connected]

    def all_shards_ready(self) -> bool:
        """A connected, READY session for every shard the bot said it runs."""
        ready = self.ready_sessions()
        if not ready:
            return False
        count = max(s.shard_count for s in ready)
        return {s.shard_id for s in ready if s.shard_count == count} == set(range(count))

    # -- connection ----------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        await ws.send_str(
            json.dumps(
                {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None}
            )
        )
        session: Session | None = None
        client_close_code: int | None = None
        try:
            while True:
                msg = await ws.receive()
                if msg.type is aiohttp.WSMsgType.TEXT:
                    session = await self._on_frame(ws, session, json.loads(msg.data)) or session
                elif msg.type is aiohttp.WSMsgType.CLOSE:
                    client_close_code = int(msg.data)
                    break
                elif msg.type in (
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.ERROR,
                ):
                    break
                else:
                    self.state.errors.append(f"gateway: unexpected frame type {msg.type}")
        except Exception:
            # A simulator bug must fail the test (sim.errors), not kill the gateway silently.
            log.exception("gateway connection failed")
            self.state.errors.append("gateway: " + traceback.format_exc())
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                # A clean close (1000/1001) ends the session, like Discord; others may RESUME.
                if client_close_code in (1000, 1001):
                    self.sessions.pop(session.id, None)
            self.state.notify()
        return ws

    async def _on_frame(
        self, ws: web.WebSocketResponse, session: Session | None, frame: dict[str, Any]
    ) -> Session | None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
        elif op == 2:
            return await self._identify(ws, data or {})
        elif op == 6:
            return await self._resume(ws, data or {})
        elif op == 8 and session is not None:
            await self._request_members(session, data or {})
        elif op not in (3, 4):  # presence and voice updates need no answer
            self.state.errors.append(f"gateway: unhandled op {op}: {frame!r}")
        return None

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        if data.get("token") != self.state.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        if "intents" not in data:
            await ws.close(code=4013, message=b"Invalid intent(s).")
            return None
        if self.state.refuse_privileged_intents and int(data["intents"]) & PRIVILEGED:
            # What Discord does when the application's portal switch for an intent is off.
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = data.get("shard") or [0, 1]
        shard_id, shard_count = int(shard[0]), int(shard[1])
        if not 0 <= shard_id < shard_count:
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        session = Session(
            uuid.uuid4().hex,
            int(data["intents"]),
            int(data.get("large_threshold", 250)),
            ws,
            shard_id=shard_id,
            shard_count=shard_count,
        )
        self.sessions[session.id] = session
        self.identify_count += 1
        state = self.state
        guilds = [g for g in state.guilds.values() if session.serves(g.id)]
        async with session.lock:  # events raised meanwhile queue up behind GUILD_CREATE
            ready = {
                "v": 10,
                "user": {**state.bot_user.payload(), "verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "shard": [shard_id, shard_count],
                "session_id": session.id,
                "resume_gateway_url": self.url,
                "session_type": "normal",
                "application": {"id": str(state.app_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "geo_ordered_rtc_regions": [],
                "user_settings": {},
            }
            await self._emit(session, "READY", ready)
            for guild in guilds:
                large = len(guild.members) > session.large_threshold
                if session.intents & GUILD_MEMBERS and not large:
                    members = list(guild.members.values())
                else:  # like Discord: large guilds are chunked on request (op 8)
                    members = [guild.members[state.bot_user.id]]
                await self._emit(
                    session, "GUILD_CREATE", guild.create_payload(members, large=large)
                )
            session.ready = True
        state.notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        last_seq = int(data.get("seq") or 0)
        oldest = session.buffer[0][0] if session and session.buffer else last_seq + 1
        if session is None or data.get("token") != self.state.token or oldest > last_seq + 1:
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        old_ws, session.ws = session.ws, ws
        if old_ws is not None and not old_ws.closed:
            await old_ws.close(code=4000)
        async with session.lock:
            for seq, text in list(session.buffer):
                if seq > last_seq:
                    await ws.send_str(text)
            await self._emit(session, "RESUMED", {})
        self.resume_count += 1
        self.state.notify()
        return session

    async def _request_members(self, session: Session, data: dict[str, Any]) -> None:
        guild = self.state.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            found = [m for uid, m in guild.members.items() if uid in wanted]
            not_found = [str(u) for u in wanted - {m.user.id for m in found}]
        else:
            query = str(data.get("query") or "").lower()
            found = [
                m
                for m in guild.members.values()
                if m.user.name.lower().startswith(query) or (m.nick or "").lower().startswith(query)
            ]
            limit = int(data.get("limit") or 0)
            found = found[:limit] if limit else found
            not_found = []
        chunks = [found[i : i + CHUNK_SIZE] for i in range(0, len(found), CHUNK_SIZE)] or [[]]
        for index, chunk in enumerate(chunks):
            body: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in chunk],
                "chunk_index": index,
                "chunk_count": len(chunks),
                "not_found": not_found if index == 0 else [],
                "presences": [],
            }
            if data.get("nonce"):
                body["nonce"] = data["nonce"]
            async with session.lock:
                await self._emit(session, "GUILD_MEMBERS_CHUNK", body)

    # -- dispatch ------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to every session that asked for it (by intents)."""
        in_guild = "guild_id" in data
        needs = _EVENT_INTENTS.get(event, (0, 0))[0 if in_guild else 1]
        guild_id = _event_guild(event, data)
        for session in list(self.sessions.values()):
            if needs and not session.intents & needs:
                continue
            if not session.serves(guild_id):
                continue
            async with session.lock:
                await self._emit(session, event, self._filter(session, event, data, in_guild))

    def _filter(
        self, session: Session, event: str, data: dict[str, Any], in_guild: bool
    ) -> dict[str, Any]:
        """Blank message content without the MESSAGE_CONTENT intent, as Discord does."""
        if (
            event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE")
            or not in_guild
            or session.intents & MESSAGE_CONTENT
        ):
            return data
        bot_id = str(self.state.bot_user.id)
        author = (data.get("author") or {}).get("id")
        if author == bot_id or any(u.get("id") == bot_id for u in data.get("mentions", [])):
            return data
        blanked = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        blanked.pop("poll", None)
        return blanked

    async def _emit(self, session: Session, event: str, data: dict[str, Any]) -> None:
        """Number, buffer (for RESUME) and send one dispatch; the caller holds session.lock."""
        session.seq += 1
        text = json.dumps({"op": 0, "t": event, "s": session.seq, "d": data})
        session.buffer.append((session.seq, text))
        ws = session.ws
        if ws is not None and not ws.closed:
            # If the bot went away mid-send, it will RESUME from the buffer.
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await ws.send_str(text)

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every socket with a resumable code, so the bot reconnects and RESUMEs."""
        for ws in list(self._sockets):
            await ws.close(code=code)

    async def shutdown(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001)
        self.sessions.clear()
