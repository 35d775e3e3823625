"""Reading message content the way a person sees it: emoji keys, nested components, text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def emoji_payload(key: str) -> dict[str, Any]:
    """Reactions are keyed by "👍" or "name:id" (the form used in reaction URLs)."""
    name, sep, ident = key.rpartition(":")
    if sep and ident.isdigit():
        return {"id": ident, "name": name}
    return {"id": None, "name": key}


def normalize_emoji(value: str) -> str:
    """Turn "<:name:id>" / "<a:name:id>" into the "name:id" key; unicode stays as is."""
    if value.startswith("<") and value.endswith(">"):
        parts = value[1:-1].split(":")
        return f"{parts[-2]}:{parts[-1]}"
    return value


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component at any depth: action rows, labels, containers, section accessories."""
    for comp in components:
        yield comp
        yield from walk_components(comp.get("components", []))
        for key in ("component", "accessory"):
            child = comp.get(key)
            if isinstance(child, dict):
                yield from walk_components([child])


def embed_texts(embed: dict[str, Any]) -> list[str]:
    parts = [embed.get("title"), embed.get("description")]
    parts.append((embed.get("author") or {}).get("name"))
    for fld in embed.get("fields", []):
        parts += [fld.get("name"), fld.get("value")]
    parts.append((embed.get("footer") or {}).get("text"))
    return [p for p in parts if p]


def message_texts(
    content: str, embeds: list[dict[str, Any]], components: list[dict[str, Any]]
) -> list[str]:
    """Human-visible text, including components-v2 text displays."""
    parts = [content] if content else []
    for embed in embeds:
        parts += embed_texts(embed)
    parts += [
        c["content"]
        for c in walk_components(components)
        if c.get("type") == 10 and c.get("content")
    ]
    return parts
