"""Showing text from people in Discord: the one way to do it, everywhere.

- `shown(value, limit=None)`: in message content, embed descriptions, field values and anything
  else Discord renders as markdown. Never pings, never becomes a link, never formats; keeps
  newlines; fits in `limit` characters when given ("…" when cut, never half an escape).
- `shown_line(value, limit=None)`: the same on one line, for embed titles and field names.
- `plain(value, limit)`: one line where Discord shows text as it is, without markdown (button
  and select labels, placeholders, footers, author names, modal titles and default values,
  thread, event and channel names). A backslash would show there, so nothing is escaped; mention
  and link syntax is still broken with invisible spaces.

How and why the escaping works is in `bot.services.text` (services quote bad input with
`excerpt`, which uses the same escaping). Messages that carry people's text should also be sent
with `allowed_mentions=discord.AllowedMentions.none()` where nobody is meant to be pinged: two
locks are better than one.
"""

from __future__ import annotations

from bot.services import text as _text


def shown(value: str, limit: int | None = None) -> str:
    """`value` safe to render as markdown, newlines kept, at most `limit` characters."""
    return _fitted(_text.tidy(value, multiline=True), limit)


def shown_line(value: str, limit: int | None = None) -> str:
    """`value` safe to render as markdown on one line (embed titles, field names, inline)."""
    return _fitted(_text.tidy(value), limit)


def plain(value: str, limit: int) -> str:
    """`value` on one line, without escapes, for places Discord does not render markdown."""
    return _text.shorten(_text.defuse(_text.tidy(value)), limit)


def _fitted(source: str, limit: int | None) -> str:
    """The escaped source, cut before escaping so the reader sees whole words and escapes;
    escaping at most doubles a character, so half the limit always fits."""
    out = _text.escape(source)
    if limit is None or len(out) <= limit:
        return out
    best = _text.escape(_text.shorten(source, limit // 2))
    low, high = limit // 2 + 1, min(limit, len(source))
    while low <= high:
        middle = (low + high) // 2
        candidate = _text.escape(_text.shorten(source, middle))
        if len(candidate) <= limit:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best
