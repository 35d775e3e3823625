"""Discord's size limits, declared once, and helpers that build messages within them.

Discord refuses a whole message (400, "Invalid Form Body") when one part is too long, so
anything built from people's text or from a list that grows goes through these helpers:
`fit` (one piece of text), `lines_within` (a list of lines), `pages` (a list split in pages),
`fit_embed` (a whole embed, the 6,000-character total included) and `file_name`.
Lengths are counted in characters, as Discord counts them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar, cast

import discord

from bot.services.text import ELLIPSIS, shorten

T = TypeVar("T")

# Messages
CONTENT: Final = 2000
EMBEDS_PER_MESSAGE: Final = 10
# Embeds
EMBED_TITLE: Final = 256
EMBED_DESCRIPTION: Final = 4096
EMBED_FIELDS: Final = 25
FIELD_NAME: Final = 256
FIELD_VALUE: Final = 1024
FOOTER: Final = 2048
AUTHOR: Final = 256
EMBED_TOTAL: Final = 6000  # title, description, field names and values, footer, author
# Components
ACTION_ROWS: Final = 5
BUTTONS_PER_ROW: Final = 5
BUTTON_LABEL: Final = 80
CUSTOM_ID: Final = 100
SELECT_OPTIONS: Final = 25
OPTION_LABEL: Final = 100
OPTION_VALUE: Final = 100
OPTION_DESCRIPTION: Final = 100
PLACEHOLDER: Final = 150
# Modals
MODAL_TITLE: Final = 45
TEXT_INPUTS: Final = 5
TEXT_INPUT_LABEL: Final = 45
TEXT_INPUT_PLACEHOLDER: Final = 100
TEXT_INPUT_VALUE: Final = 4000
# Autocomplete
CHOICES: Final = 25
CHOICE_NAME: Final = 100
CHOICE_VALUE: Final = 100
# Scheduled events, threads, attachments
EVENT_NAME: Final = 100
EVENT_DESCRIPTION: Final = 1000
EVENT_LOCATION: Final = 100
THREAD_NAME: Final = 100
FILE_NAME: Final = 100  # ours: Discord keeps longer names, but people's downloads may not

BLANK: Final = "\u200b"  # what Discord accepts as an empty-looking field name or value


def fit(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut on a word boundary with "…"."""
    return shorten(text, limit)


def more_text(hidden: int) -> str:
    return f"{ELLIPSIS}and {hidden} more"


def lines_within(lines: Sequence[str], limit: int, more: Callable[[int], str] = more_text) -> str:
    """As many whole lines as fit in `limit` characters (joined by newlines), then
    `more(n)` for the n left out. A first line too long on its own is cut with "…"."""
    joined = "\n".join(lines)
    if len(joined) <= limit:
        return joined
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        tail = more(len(lines) - index - 1) if index < len(lines) - 1 else ""
        cost = used + len(line) + (1 if kept else 0)
        if cost + (len(tail) + 1 if tail else 0) > limit:
            break
        kept.append(line)
        used = cost
    hidden = len(lines) - len(kept)
    if not kept and hidden:
        tail = more(hidden - 1) if hidden > 1 else ""
        room = limit - (len(tail) + 1 if tail else 0)
        first = fit(lines[0], room) if room > 0 else ""
        if first:
            return first + ("\n" + tail if tail else "")
        return fit(more(hidden), limit)
    return "\n".join([*kept, more(hidden)])


def pages(items: Sequence[T], per_page: int) -> list[list[T]]:
    """The items in pages of `per_page`; always at least one page (empty when there are none)."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    return [list(items[start : start + per_page]) for start in range(0, len(items), per_page)] or [
        []
    ]


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """A copy of `embed` within every limit: each part is cut with "…", fields past 25 are
    folded into a last "…and N more" field, then, while the total is over 6,000, the
    description is shortened, fields are folded from the end, and the footer is shortened."""
    data = cast("dict[str, Any]", embed.to_dict())
    if data.get("title"):
        data["title"] = fit(data["title"], EMBED_TITLE)
    if data.get("description"):
        data["description"] = fit(data["description"], EMBED_DESCRIPTION)
    if data.get("author", {}).get("name"):
        data["author"]["name"] = fit(data["author"]["name"], AUTHOR)
    if data.get("footer", {}).get("text"):
        data["footer"]["text"] = fit(data["footer"]["text"], FOOTER)
    fields: list[dict[str, Any]] = [
        {
            **field,
            "name": fit(str(field.get("name") or ""), FIELD_NAME).strip() or BLANK,
            "value": fit(str(field.get("value") or ""), FIELD_VALUE).strip() or BLANK,
        }
        for field in data.get("fields", [])
    ]
    folded = 0
    if len(fields) > EMBED_FIELDS:
        folded = len(fields) - EMBED_FIELDS + 1
        fields = fields[: EMBED_FIELDS - 1]
    data["fields"] = fields + _more_field(folded)
    over = _total(data) - EMBED_TOTAL
    if over > 0 and data.get("description"):
        data["description"] = fit(data["description"], max(len(data["description"]) - over, 0))
    while _total(data) > EMBED_TOTAL and fields:
        fields.pop()
        folded += 1
        data["fields"] = fields + _more_field(folded)
    over = _total(data) - EMBED_TOTAL
    if over > 0 and data.get("footer", {}).get("text"):
        data["footer"]["text"] = fit(
            data["footer"]["text"], max(len(data["footer"]["text"]) - over, 0)
        )
    if not data["fields"]:
        del data["fields"]
    return discord.Embed.from_dict(data)


def _more_field(folded: int) -> list[dict[str, Any]]:
    return [{"name": BLANK, "value": more_text(folded), "inline": False}] if folded else []


def _total(data: dict[str, Any]) -> int:
    return (
        len(data.get("title") or "")
        + len(data.get("description") or "")
        + sum(len(field["name"]) + len(field["value"]) for field in data.get("fields", []))
        + len(data.get("footer", {}).get("text") or "")
        + len(data.get("author", {}).get("name") or "")
    )


def file_name(stem: str, ext: str) -> str:
    """A safe attachment name: letters, digits, `.`, `_` and `-` only (accents dropped, other
    characters become `-`), no leading dot or dash, at most FILE_NAME characters."""
    suffix = re.sub(r"[^a-z0-9]", "", ext.lower())[:10]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem)
    safe = re.sub(r"-{2,}", "-", safe).strip(".-_")
    room = FILE_NAME - (len(suffix) + 1 if suffix else 0)
    safe = safe[:room].rstrip(".-_") or "file"
    return f"{safe}.{suffix}" if suffix else safe
