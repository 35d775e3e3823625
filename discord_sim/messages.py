"""Turning the bot's message bodies into stored messages, with Discord's validation rules.

Discord rejects oversized or malformed messages with 400s; checking the same
limits here means a bot bug shows up in tests instead of in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .content import walk_components
from .ids import now_iso
from .models import EPHEMERAL, LOADING, SimMessage
from .state import ApiError, SimState

SUPPRESS_EMBEDS = 1 << 2
SUPPRESS_NOTIFICATIONS = 1 << 12
IS_COMPONENTS_V2 = 1 << 15
_SETTABLE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2 | EPHEMERAL


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str | None = None


class FormErrors:
    """Collects problems into Discord's nested ``errors`` object (50035 Invalid Form Body)."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: list[str | int], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_len(self, path: list[str | int], value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def required(self, path: list[str | int], value: Any) -> None:
        if value in (None, ""):
            self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def raise_if_any(self) -> None:
        if self.tree:
            raise ApiError(400, 50035, "Invalid Form Body", self.tree)


def check_embeds(errors: FormErrors, embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > 10:
        errors.add(["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        path: list[str | int] = ["embeds", i]
        errors.max_len([*path, "title"], embed.get("title"), 256)
        errors.max_len([*path, "description"], embed.get("description"), 4096)
        errors.max_len([*path, "footer", "text"], (embed.get("footer") or {}).get("text"), 2048)
        errors.max_len([*path, "author", "name"], (embed.get("author") or {}).get("name"), 256)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.add([*path, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                errors.required([*path, "fields", j, key], fld.get(key))
                errors.max_len([*path, "fields", j, key], fld.get(key), limit)
        for text in (
            embed.get("title"),
            embed.get("description"),
            (embed.get("footer") or {}).get("text"),
            (embed.get("author") or {}).get("name"),
        ):
            total += len(text or "")
        total += sum(len(f.get("name") or "") + len(f.get("value") or "") for f in fields)
    if total > 6000:
        errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def check_components(errors: FormErrors, components: list[dict[str, Any]], flags: int) -> None:
    seen: set[str] = set()
    for comp in walk_components(components):
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            errors.max_len(["components", "custom_id"], custom_id, 100)
            if custom_id in seen:
                errors.add(
                    ["components"],
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    f"duplicate custom_id {custom_id!r}",
                )
            seen.add(custom_id)
        if comp.get("type") == 2:
            errors.max_len(["components", "label"], comp.get("label"), 80)
            if comp.get("style") == 5 and not comp.get("url"):
                errors.add(["components", "url"], "BASE_TYPE_REQUIRED", "Link buttons need a url")
            elif comp.get("style") not in (5, 6) and not custom_id:
                errors.add(
                    ["components", "custom_id"], "BASE_TYPE_REQUIRED", "This field is required"
                )
        if comp.get("type") in (3, 5, 6, 7, 8):
            errors.max_len(["components", "placeholder"], comp.get("placeholder"), 150)
        if comp.get("type") == 3:
            options = comp.get("options") or []
            if not 1 <= len(options) <= 25:
                errors.add(
                    ["components", "options"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 25 in length.",
                )
            for j, option in enumerate(options):
                for key in ("label", "value", "description"):
                    errors.max_len(["components", "options", j, key], option.get(key), 100)
        if comp.get("type") == 4:  # text input (modals)
            errors.max_len(["components", "label"], comp.get("label"), 45)
            errors.max_len(["components", "placeholder"], comp.get("placeholder"), 100)
            errors.max_len(["components", "value"], comp.get("value"), 4000)
            for key in ("min_length", "max_length"):
                bound = comp.get(key)
                if bound is not None and not 0 <= int(bound) <= 4000:
                    errors.add(
                        ["components", key],
                        "NUMBER_TYPE_MAX",
                        "int value should be less than or equal to 4000.",
                    )
    if flags & IS_COMPONENTS_V2:
        return
    if len(components) > 5:
        errors.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    for i, row in enumerate(components):
        children = row.get("components") or []
        if row.get("type") != 1:
            errors.add(
                ["components", i],
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "top level must be action rows",
            )
        elif not 1 <= len(children) <= 5:
            errors.add(
                ["components", i, "components"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            )
        elif any(c.get("type") != 2 for c in children) and len(children) > 1:
            errors.add(
                ["components", i], "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "a select fills its row"
            )


MAX_FILES = 10


def check_attachments(errors: FormErrors, body: dict[str, Any], uploads: dict[int, Upload]) -> None:
    """File names must be present; at most 10 files; alt text (description) at most 1024."""
    if len(uploads) > MAX_FILES:
        errors.add(["files"], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_FILES} or fewer in length.")
    for index, upload in uploads.items():
        if not upload.filename.strip():
            errors.add([f"files[{index}]"], "BASE_TYPE_REQUIRED", "A file needs a name.")
    items = body.get("attachments") or []
    if len(items) > MAX_FILES:
        errors.add(
            ["attachments"], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_FILES} or fewer in length."
        )
    for i, item in enumerate(items):
        if "filename" in item:
            errors.required(["attachments", i, "filename"], item.get("filename"))
        errors.max_len(["attachments", i, "description"], item.get("description"), 1024)


def check_body(body: dict[str, Any], uploads: dict[int, Upload] | None = None) -> None:
    errors = FormErrors()
    errors.max_len(["content"], body.get("content"), 2000)
    check_embeds(errors, body.get("embeds") or [])
    check_components(errors, body.get("components") or [], int(body.get("flags") or 0))
    check_attachments(errors, body, uploads or {})
    errors.raise_if_any()


def _is_empty(msg: SimMessage) -> bool:
    return not (msg.content or msg.embeds or msg.uploads or msg.components or msg.poll)


def apply_body(
    state: SimState, msg: SimMessage, body: dict[str, Any], uploads: dict[int, Upload], *, new: bool
) -> None:
    """Validate ``body`` and write it into ``msg`` (a fresh message or an edit)."""
    check_body(body, uploads)
    if "content" in body:
        msg.content = str(body["content"] or "")
        state.set_mentions(msg)
    if "embeds" in body:
        msg.embeds = [{"type": "rich", **e} for e in body["embeds"] or []]
    if "components" in body:
        msg.components = list(body["components"] or [])
    if body.get("flags") is not None:
        requested = int(body["flags"]) & _SETTABLE_FLAGS
        # Ephemerality is fixed when a message is created.
        msg.flags = requested if new else (msg.flags & EPHEMERAL) | (requested & ~EPHEMERAL)
    _apply_attachments(state, msg, body, uploads, new=new)
    if new:
        msg.poll = body.get("poll")
        msg.message_reference = body.get("message_reference")
        state.set_pings(msg, body.get("allowed_mentions"))
    if _is_empty(msg) and not msg.flags & LOADING:
        raise ApiError(400, 50006, "Cannot send an empty message")
    if not new:
        msg.edit_count += 1
        msg.edited_timestamp = now_iso()


def _apply_attachments(
    state: SimState, msg: SimMessage, body: dict[str, Any], uploads: dict[int, Upload], *, new: bool
) -> None:
    if "attachments" not in body:
        # No attachment list: every uploaded file is added to what is there.
        for up in uploads.values():
            msg.uploads.append(state.add_attachment(up.filename, up.data, up.content_type))
        return
    kept = {a.id: a for a in msg.uploads}
    result = []
    for item in body["attachments"] or []:
        raw_id = int(item["id"])
        if raw_id in uploads:
            up = uploads[raw_id]
            att = state.add_attachment(
                item.get("filename") or up.filename, up.data, up.content_type
            )
            att.description = item.get("description")
            result.append(att)
        elif not new and raw_id in kept:
            result.append(kept[raw_id])
        else:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {"attachments": {"_errors": [{"code": "UNKNOWN_ATTACHMENT"}]}},
            )
    msg.uploads = result


def check_modal(data: dict[str, Any]) -> None:
    errors = FormErrors()
    errors.required(["title"], data.get("title"))
    errors.max_len(["title"], data.get("title"), 45)
    errors.required(["custom_id"], data.get("custom_id"))
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        errors.add(["components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    for i, top in enumerate(components):
        kind = top.get("type")
        if kind == 1:
            inner = top.get("components") or []
            if len(inner) != 1 or inner[0].get("type") != 4:
                errors.add(
                    ["components", i],
                    "COMPONENT_TYPE_INVALID",
                    "rows in modals hold one text input",
                )
        elif kind == 18:
            child = top.get("component") or {}
            errors.max_len(["components", i, "label"], top.get("label"), 45)
            if child.get("type") not in (3, 4, 5, 6, 7, 8, 19, 21, 22, 23):
                errors.add(
                    ["components", i, "component"],
                    "COMPONENT_TYPE_INVALID",
                    "not allowed in a label",
                )
        elif kind != 10:
            errors.add(
                ["components", i], "COMPONENT_TYPE_INVALID", f"type {kind} is not allowed in modals"
            )
    check_components(errors, components, IS_COMPONENTS_V2)
    errors.raise_if_any()


def check_choices(data: dict[str, Any]) -> None:
    errors = FormErrors()
    choices = data.get("choices") or []
    if len(choices) > 25:
        errors.add(["choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for i, choice in enumerate(choices):
        errors.required(["choices", i, "name"], choice.get("name"))
        errors.max_len(["choices", i, "name"], choice.get("name"), 100)
        errors.max_len(["choices", i, "value"], choice.get("value"), 100)
    errors.raise_if_any()
