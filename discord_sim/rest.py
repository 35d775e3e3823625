"""The REST side: routing, auth, the global rate limit, body parsing and request recording.

Route handlers live in the ``routes_*`` modules; each is an async function
taking a :class:`Ctx` and returning ``(status, json_body_or_None)``.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from .messages import Upload
from .state import ApiError, RecordedRequest, RejectedPayload, SimState

Reply = tuple[int, Any]
Handler = Callable[["Ctx"], Awaitable[Reply]]
RouteTable = list[tuple[str, str, Handler]]

log = logging.getLogger(__name__)

INVALID_FORM_BODY = 50035

# Discord does not count interaction responses against the global limit.
_EXEMPT = re.compile(r"^/(interactions|webhooks)/")


@dataclass
class Ctx:
    state: SimState
    params: dict[str, str]
    body: Any
    uploads: dict[int, Upload]
    query: dict[str, str]

    def id(self, name: str) -> int:
        return int(self.params[name])

    @property
    def json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[str, str, re.Pattern[str], Handler]] = []

    def add_all(self, table: RouteTable) -> None:
        for method, template, handler in table:
            pattern = re.sub(
                r"\{(\w+)\}",
                r"(?P<\1>[^/]+)",
                re.escape(template).replace(r"\{", "{").replace(r"\}", "}"),
            )
            self._routes.append((method, template, re.compile(f"^{pattern}$"), handler))

    def match(self, method: str, path: str) -> tuple[str, Handler, dict[str, str]] | None:
        """The matching route with the fewest placeholders, so "@me" beats "{user_id}"."""
        best: tuple[str, Handler, dict[str, str]] | None = None
        for route_method, template, pattern, handler in self._routes:
            found = pattern.match(path) if route_method == method else None
            if found and (best is None or len(found.groupdict()) < len(best[2])):
                best = (template, handler, found.groupdict())
        return best


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only parses JSON when Content-Type is exactly "application/json".
    if body is None:
        return web.Response(status=204, headers=headers)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)


class RestServer:
    def __init__(self, state: SimState, router: Router) -> None:
        self.state = state
        self.router = router
        self.per_second: float | None = None
        self.rate_limited_count = 0
        self._window: deque[float] = deque()

    # -- global rate limit -----------------------------------------------------

    def set_rate_limit(self, per_second: float | None) -> None:
        self.per_second = per_second
        self._window.clear()

    def _retry_after(self) -> float | None:
        """Sliding one-second window; returns seconds to wait when over the limit."""
        if self.per_second is None:
            return None
        now = time.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= self.per_second:
            return self._window[0] + 1.0 - now + 0.01
        self._window.append(now)
        return None

    # -- request handling --------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        query = dict(request.query)
        body, uploads = await _read_body(request)
        files = [(u.filename, u.data) for u in uploads.values()]

        def record(route: str, status: int) -> None:
            self.state.requests.append(
                RecordedRequest(method, path, route, body, files, status, query)
            )
            self.state.notify()

        found = self.router.match(method, path)
        if found is None:
            self.state.unknown_routes.append(f"{method} {path}")
            record(f"{method} <unknown>", 404)
            return json_response(
                404, {"code": 0, "message": f"simulator has no route for {method} {path}"}
            )
        template, handler, params = found
        route = f"{method} {template}"
        exempt = bool(_EXEMPT.match(path))
        if not exempt and request.headers.get("Authorization") != f"Bot {self.state.token}":
            record(route, 401)
            return json_response(401, {"code": 0, "message": "401: Unauthorized"})
        retry_after = None if exempt else self._retry_after()
        if retry_after is not None:
            self.rate_limited_count += 1
            record(route, 429)
            headers = {
                "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Retry-After": str(math.ceil(retry_after)),
            }
            payload = {
                "message": "You are being rate limited.",
                "retry_after": round(retry_after, 3),
                "global": True,
            }
            return json_response(429, payload, headers)
        try:
            status, reply = await handler(Ctx(self.state, params, body, uploads, query))
        except ApiError as exc:
            if exc.body.get("code") == INVALID_FORM_BODY:
                self.state.rejected_payloads.append(
                    RejectedPayload(route, path, body, dict(exc.body.get("errors") or {}))
                )
            record(route, exc.status)
            return json_response(exc.status, exc.body)
        except Exception as exc:
            # A simulator bug: recorded so the test fails, answered with a 4xx, not a 5xx
            # (discord.py retries 5xx for ~25 s, hiding the bug).
            log.exception("simulator error in %s", route)
            self.state.errors.append(f"{method} {path}\n{traceback.format_exc()}")
            self.state.unknown_routes.append(f"{method} {path} -> simulator error: {exc!r}")
            record(route, 400)
            return json_response(
                400, {"code": 0, "message": f"simulator error in {route}: {exc!r}"}
            )
        record(route, status if reply is not None else 204)
        return json_response(status, reply)

    async def serve_attachment(self, request: web.Request) -> web.StreamResponse:
        att = self.state.attachments.get(int(request.match_info["attachment_id"]))
        if att is None:
            return web.Response(status=404)
        return web.Response(body=att.data, content_type=att.content_type)


async def _read_body(request: web.Request) -> tuple[Any, dict[int, Upload]]:
    """JSON bodies, or multipart ``payload_json`` + ``files[n]`` parts (uploads keyed by n)."""
    uploads: dict[int, Upload] = {}
    if request.content_type.startswith("multipart/"):
        body: Any = None
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, aiohttp.BodyPartReader):
                continue
            name = part.name or ""
            raw = await part.read()
            if name == "payload_json":
                body = json.loads(raw)
            elif name.startswith("files["):
                index = int(name[6:-1])
                content_type = part.headers.get("Content-Type")
                uploads[index] = Upload(part.filename or f"file{index}", bytes(raw), content_type)
        return body, uploads
    text = await request.text()
    if not text:
        return None, uploads
    try:
        return json.loads(text), uploads
    except ValueError:
        return text, uploads
