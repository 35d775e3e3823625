"""Building a MODAL_SUBMIT's components from the modal the bot showed.

The submitted tree mirrors the modal: action rows stay action rows holding
text inputs, and Labels (type 18) keep wrapping their single component, which
is how discord.py's Modal._refresh walks it back to the items.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .commands import Resolver
from .models import SimRole

TEXT_INPUT, STRING_SELECT, FILE_UPLOAD, RADIO_GROUP, CHECKBOX_GROUP, CHECKBOX = 4, 3, 19, 21, 22, 23
ENTITY_SELECTS = (5, 6, 7, 8)  # user, role, mentionable, channel


class _Ids:
    """Discord numbers components that have no id, skipping ids already taken."""

    def __init__(self, modal: dict[str, Any]) -> None:
        self.taken = {
            c["id"] for c in _walk(modal.get("components") or []) if c.get("id") is not None
        }
        self.counter = 0

    def of(self, comp: dict[str, Any]) -> int:
        if comp.get("id") is not None:
            return int(comp["id"])
        self.counter += 1
        while self.counter in self.taken:
            self.counter += 1
        return self.counter


def _walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for comp in components:
        yield comp
        yield from _walk(comp.get("components") or [])
        if isinstance(comp.get("component"), dict):
            yield from _walk([comp["component"]])


def _options(comp: dict[str, Any]) -> list[str]:
    return [str(o["value"]) for o in comp.get("options") or []]


def _defaults(comp: dict[str, Any]) -> list[str]:
    """What a person submits without touching the field: the options shown as picked."""
    return [str(o["value"]) for o in comp.get("options") or [] if o.get("default")]


def _check_count(comp: dict[str, Any], picked: list[Any], cid: str) -> None:
    low = int(comp.get("min_values", 1 if comp.get("required", True) else 0))
    high = int(comp.get("max_values", 1))
    if not low <= len(picked) <= high:
        raise AssertionError(
            f"modal field {cid!r}: pick between {low} and {high} values, got {picked!r}"
        )


def _submit_field(
    comp: dict[str, Any], values: dict[str, Any], ids: _Ids, res: Resolver
) -> dict[str, Any]:
    kind, cid = comp["type"], str(comp.get("custom_id"))
    out: dict[str, Any] = {"type": kind, "id": ids.of(comp), "custom_id": cid}
    given = values.pop(cid, None)
    required = bool(comp.get("required", True))
    if kind == TEXT_INPUT:
        text = str(comp.get("value") or "") if given is None else given
        if not isinstance(text, str):
            raise AssertionError(f"modal field {cid!r} is a text input; pass a str, not {text!r}")
        if required and not text:
            raise AssertionError(f"modal field {cid!r} is required")
        if text and not int(comp.get("min_length", 0)) <= len(text) <= int(
            comp.get("max_length", 4000)
        ):
            raise AssertionError(
                f"modal field {cid!r}: length {len(text)} is outside the allowed range"
            )
        out["value"] = text
    elif kind in (STRING_SELECT, CHECKBOX_GROUP):
        picked = (
            _defaults(comp) if given is None else [given] if isinstance(given, str) else list(given)
        )
        unknown = [v for v in picked if str(v) not in _options(comp)]
        if unknown:
            raise AssertionError(
                f"modal field {cid!r}: {unknown!r} not among options {_options(comp)}"
            )
        if kind == STRING_SELECT or required or picked:
            _check_count(comp, picked, cid)
        out["values"] = [str(v) for v in picked]
    elif kind in ENTITY_SELECTS or kind == FILE_UPLOAD:
        items: list[Any]
        if given is None:  # entity selects may come pre-filled with default_values
            items = [int(d["id"]) for d in comp.get("default_values") or []]
        elif kind == FILE_UPLOAD:  # one (filename, bytes) pair or a list of them
            items = [given] if isinstance(given, tuple) else list(given)
        else:
            items = list(given) if isinstance(given, (list, tuple)) else [given]
        _check_count(comp, items, cid)
        out["values"] = [_entity(kind, comp, item, res) for item in items]
    elif kind == RADIO_GROUP:
        given = next(iter(_defaults(comp)), None) if given is None else given
        if given is not None and str(given) not in _options(comp):
            raise AssertionError(
                f"modal field {cid!r}: {given!r} not among options {_options(comp)}"
            )
        if required and given is None:
            raise AssertionError(f"modal field {cid!r} is required")
        out["value"] = None if given is None else str(given)
    elif kind == CHECKBOX:
        checked = bool(comp.get("default", False)) if given is None else given
        if not isinstance(checked, bool):
            raise AssertionError(f"modal field {cid!r} is a checkbox; pass a bool, not {checked!r}")
        out["value"] = checked
    else:
        raise AssertionError(f"modal field {cid!r}: component type {kind} cannot be submitted")
    return out


def _entity(kind: int, comp: dict[str, Any], value: Any, res: Resolver) -> str:
    if kind == FILE_UPLOAD:
        return res.attachment(value)
    if kind == 6 or (kind == 7 and isinstance(value, SimRole)):
        return res.role(value)
    if kind == 8:
        return res.channel_value(value, comp.get("channel_types"))
    return res.user(value)


def build_modal_submit(
    modal: dict[str, Any], values: dict[str, Any], res: Resolver
) -> list[dict[str, Any]]:
    """The ``data.components`` of a MODAL_SUBMIT; ``res`` collects data.resolved."""
    remaining = dict(values)
    ids = _Ids(modal)
    submitted: list[dict[str, Any]] = []
    for top in modal.get("components") or []:
        kind = top.get("type")
        if kind == 1:
            row_id = ids.of(top)
            fields = [_submit_field(c, remaining, ids, res) for c in top.get("components") or []]
            submitted.append({"type": 1, "id": row_id, "components": fields})
        elif kind == 18:
            label_id = ids.of(top)
            submitted.append(
                {
                    "type": 18,
                    "id": label_id,
                    "component": _submit_field(top["component"], remaining, ids, res),
                }
            )
        elif kind == 10:
            submitted.append({"type": 10, "id": ids.of(top), "content": top.get("content", "")})
    if remaining:
        known = [
            c.get("custom_id") for c in _walk(modal.get("components") or []) if c.get("custom_id")
        ]
        raise AssertionError(
            f"modal {modal.get('custom_id')!r} has no fields {sorted(remaining)}; it has {known}"
        )
    return submitted


def _option_value(comp: dict[str, Any], label: Any, field: str) -> str:
    for option in comp.get("options") or []:
        if label in (option.get("label"), option.get("value")):
            return str(option["value"])
    shown = [o.get("label") for o in comp.get("options") or []]
    raise AssertionError(f"modal field {field!r} has no option {label!r}; it has {shown}")


def answers_by_label(modal: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Turn answers keyed by what a person reads (field labels; option labels for choices)
    into the custom_id -> value form that ``build_modal_submit`` takes."""
    fields: dict[str, dict[str, Any]] = {}
    for top in modal.get("components") or []:
        if top.get("type") == 18 and isinstance(top.get("component"), dict):
            fields[str(top.get("label"))] = top["component"]
        for comp in top.get("components") or []:
            if comp.get("label"):
                fields[str(comp["label"])] = comp
    out: dict[str, Any] = {}
    for label, value in answers.items():
        comp = fields.get(label)
        if comp is None:
            raise AssertionError(
                f"modal {modal.get('custom_id')!r} has no field labelled {label!r}; "
                f"it has {sorted(fields)}"
            )
        if comp.get("type") in (STRING_SELECT, RADIO_GROUP, CHECKBOX_GROUP):
            if isinstance(value, (list, tuple)):
                value = [_option_value(comp, v, label) for v in value]
            else:
                value = _option_value(comp, value, label)
        out[str(comp["custom_id"])] = value
    return out
