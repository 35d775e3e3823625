"""Interaction callbacks, followups and the @original response, recorded on SimInteraction."""

from __future__ import annotations

import time
from typing import Any

from .interactions import ALLOWED_RESPONSES, APPLICATION_COMMAND, SimInteraction
from .messages import apply_body, check_choices, check_modal
from .models import EPHEMERAL, LOADING, SimMessage
from .rest import Ctx, Reply, RouteTable
from .state import ApiError, SimState


def _response_message(state: SimState, ix: SimInteraction, *, followup: bool) -> SimMessage:
    msg = state.new_message(ix.channel, state.bot_user)
    msg.webhook_id = state.app_id
    msg.application_id = state.app_id
    msg.type = 20 if ix.type == APPLICATION_COMMAND and not followup else 0
    msg.interaction_metadata = {
        "id": str(ix.id),
        "type": ix.type,
        "user": ix.user.payload(),
        "authorizing_integration_owners": ix.payload["authorizing_integration_owners"],
    }
    return msg


async def _publish(state: SimState, msg: SimMessage) -> None:
    # Ephemeral messages exist only for the person; the bot gets no gateway event.
    if msg.ephemeral:
        state.register_message(msg)
        msg.touch()
    else:
        await state.publish_message(msg)


async def _update(state: SimState, msg: SimMessage) -> None:
    if msg.ephemeral:
        msg.touch()
    else:
        await state.publish_update(msg)


def _callback_body(
    state: SimState, ix: SimInteraction, kind: int, msg: SimMessage | None
) -> dict[str, Any]:
    """InteractionCallbackResponse, what discord.py reads with ?with_response=1."""
    inner: dict[str, Any] = {
        "id": str(ix.id),
        "type": ix.type,
        "response_message_loading": kind == 5,
        "response_message_ephemeral": bool(msg is not None and msg.ephemeral),
    }
    body: dict[str, Any] = {"interaction": inner}
    if msg is not None and kind in (4, 5, 7):
        inner["response_message_id"] = str(msg.id)
        body["resource"] = {"type": kind, "message": msg.payload(bot_id=state.bot_user.id)}
    return body


async def callback(ctx: Ctx) -> Reply:
    state = ctx.state
    ix = state.interactions.get(ctx.id("interaction_id"))
    if ix is None or ix.token != ctx.params["interaction_token"]:
        raise ApiError(404, 10062, "Unknown interaction")
    try:
        return await _answer(ctx, ix)
    except ApiError as exc:
        ix.errors.append(exc.body)
        state.notify()
        raise


async def _answer(ctx: Ctx, ix: SimInteraction) -> Reply:
    state = ctx.state
    if ix.response is not None:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    if time.monotonic() - ix.created_at > state.interaction_deadline:
        ix.late = True  # Discord forgets interactions not answered within 3 s
        raise ApiError(404, 10062, "Unknown interaction")
    body = ctx.json
    kind = int(body.get("type", 0))
    data = dict(body.get("data") or {})
    if kind not in ALLOWED_RESPONSES.get(ix.type, set()) or (kind in (6, 7) and ix.message is None):
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE"}]}},
        )
    msg: SimMessage | None = None
    if kind == 4:
        msg = _response_message(state, ix, followup=False)
        apply_body(state, msg, data, ctx.uploads, new=True)
        await _publish(state, msg)
    elif kind == 5:
        msg = _response_message(state, ix, followup=False)
        msg.flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
        await _publish(state, msg)
    elif kind in (6, 7):
        msg = ix.message
        if kind == 7 and msg is not None:
            apply_body(state, msg, data, ctx.uploads, new=False)
            await _update(state, msg)
    elif kind == 8:
        check_choices(data)
    elif kind == 9:
        check_modal(data)
    ix.original = msg
    ix.response = body
    ix.responded_at = time.monotonic()
    ix.files += [(u.filename, u.data) for u in ctx.uploads.values()]
    ix.record_version()
    state.notify()
    if ctx.query.get("with_response") in ("1", "true", "True"):
        return 200, _callback_body(state, ix, kind, msg if kind != 6 else None)
    return 204, None


def _by_token(ctx: Ctx) -> SimInteraction:
    state = ctx.state
    token = ctx.params["interaction_token"]
    ix = state.interaction_tokens.get(token)
    # Discord has no webhook for an interaction until it has been acknowledged.
    if (
        ctx.id("application_id") != state.app_id
        or ix is None
        or ix.response is None
        or ix.response_type == 8
    ):
        raise ApiError(404, 10015, "Unknown Webhook")
    return ix


def _target(ctx: Ctx, ix: SimInteraction) -> SimMessage:
    wanted = ctx.params.get("message_id", "@original")
    if wanted == "@original":
        found = ix.original
    else:
        found = next(
            (m for m in [ix.original, *ix.followups] if m is not None and str(m.id) == wanted), None
        )
    if found is None or found.deleted:
        raise ApiError(404, 10008, "Unknown Message")
    return found


async def create_followup(ctx: Ctx) -> Reply:
    state = ctx.state
    ix = _by_token(ctx)
    original = ix.original
    if ix.response_type == 5 and original is not None and original.flags & LOADING:
        # The first followup after a "thinking" deferral replaces the thinking message,
        # and keeps the deferral's ephemerality whatever the followup asked for.
        flags = original.flags & EPHEMERAL
        apply_body(state, original, {**ctx.json, "flags": None}, ctx.uploads, new=True)
        original.flags = flags | (int(ctx.json.get("flags") or 0) & ~EPHEMERAL)
        await _update(state, original)
        msg = original
        ix.record_version()
    else:
        msg = _response_message(state, ix, followup=True)
        if "thread_id" in ctx.query:
            msg.channel_id = state.channel(int(ctx.query["thread_id"])).id
        apply_body(state, msg, ctx.json, ctx.uploads, new=True)
        await _publish(state, msg)
    ix.followups.append(msg)
    ix.files += [(u.filename, u.data) for u in ctx.uploads.values()]
    state.notify()
    if ctx.query.get("wait") in ("0", "false", "False"):
        return 204, None
    return 200, msg.payload(bot_id=state.bot_user.id)


async def get_response_message(ctx: Ctx) -> Reply:
    return 200, _target(ctx, _by_token(ctx)).payload(bot_id=ctx.state.bot_user.id)


async def edit_response_message(ctx: Ctx) -> Reply:
    state = ctx.state
    ix = _by_token(ctx)
    msg = _target(ctx, ix)
    msg.flags &= ~LOADING
    apply_body(state, msg, ctx.json, ctx.uploads, new=False)
    await _update(state, msg)
    ix.files += [(u.filename, u.data) for u in ctx.uploads.values()]
    if msg is ix.original:
        ix.record_version()
    state.notify()
    return 200, msg.payload(bot_id=state.bot_user.id)


async def delete_response_message(ctx: Ctx) -> Reply:
    state = ctx.state
    msg = _target(ctx, _by_token(ctx))
    if msg.ephemeral:
        msg.deleted = True
        state.notify()
    else:
        await state.publish_delete(msg)
    return 204, None


_HOOK = "/webhooks/{application_id}/{interaction_token}"
ROUTES: RouteTable = [
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", callback),
    ("POST", _HOOK, create_followup),
]
for _path in (_HOOK + "/messages/@original", _HOOK + "/messages/{message_id}"):
    ROUTES += [
        ("GET", _path, get_response_message),
        ("PATCH", _path, edit_response_message),
        ("DELETE", _path, delete_response_message),
    ]
