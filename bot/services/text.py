r"""Text people type: cleaning it before it is stored, and making it safe to show back.

Storing: `clean` (refuses blank or too long text in plain words) and `tidy` (the same cleaning,
never refusing) turn what was typed into what we keep: Unicode NFC, no invisible or control
characters, no zalgo stacks, whitespace collapsed (single-line) or tidied (multiline).

Showing: `escape` is the one function that makes text from people safe to render in Discord
(`bot.ui.text.shown` is how cogs call it): it never pings, never becomes a link, never formats.
`excerpt` is a short escaped quote of bad input for refusals raised by services.

How `escape` neutralises Discord's syntax, and why this way:
- Markdown (`* _ ~ | \`, the backtick, `[ ]`, and `> # - 1.` at the start of a line) gets a
  backslash. Discord renders `\x` as `x` for any `x` that is not a letter, digit or space, so the reader sees what
  was typed. This is `discord.utils.escape_markdown(text, ignore_links=False)` (a test checks
  they agree) plus every square bracket, written here because discord.py's version finds masked
  links with a regular expression that is cubic on text like `[](` repeated: 6,000 characters
  would stop the bot for seconds.
- Mentions and links get a ZERO WIDTH SPACE (U+200B) where Discord's parsers need characters to
  touch: after `<` (`<@1>`, `<@!1>`, `<@&1>`, `<#1>`, `</cmd:1>`, `<t:1>`, `<:emoji:1>`,
  `<https://...>`), after the `@` of `@everyone` and `@here`, after the `:` of `://`, and before
  the dot of `discord.gg` and `discordapp.com`. A backslash is not enough here: Discord's server
  looks for mentions and links in the raw text, and we cannot count on it honouring markdown
  escapes there, so `\<@1>` may still
  ping and `https\://x` may still be fetched for a preview. With the space in between there is
  no mention or address to find, in the client or on the server, and it is invisible, so the
  reader still sees `<@1>` or `https://example.org` as plain text. (discord.py's
  `escape_mentions` uses the same character.) Bare `www.example.org` is never made a link by
  Discord, so it is left alone.
All our inputs are cleaned first, so the only invisible characters in the output are ours.
"""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidInput

ZWSP = "\u200b"
ELLIPSIS = "…"
MAX_MARKS = 4  # combining marks kept on one letter (more is "zalgo" text spilling over lines)
_EXCERPT_INPUT = 2000  # an excerpt never looks further than this into what was typed

# Invisible letters and symbols that the Unicode categories below do not catch.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e\u17b4\u17b5")
_REMOVED = frozenset(("Cc", "Cf", "Cs", "Co"))
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_EMOJI_TAG = range(0xE0020, 0xE0080)  # tag letters that make 🏴 into the flags of England, Wales...
_BLACK_FLAG = "\U0001f3f4"


def tidy(value: str, *, multiline: bool = False) -> str:
    """What we keep of what was typed, never refusing: NFC, invisible and control characters
    removed (newlines kept only when `multiline`), whitespace collapsed (single-line) or each
    line stripped with at most one blank line between paragraphs (multiline), then stripped."""
    text = _LINE_BREAKS.sub("\n", value)
    text = unicodedata.normalize("NFC", _visible(text, multiline))
    text = _cap_marks(text)
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean(
    value: str, *, field: str, max_length: int, required: bool = True, multiline: bool = False
) -> str:
    """`tidy(value)`, or a plain refusal when it is blank (if `required`) or longer than
    `max_length`. `field` names it in the refusal ("title", "place"). Blank and not required
    gives "". The refusal never repeats the text."""
    text = tidy(value, multiline=multiline)
    if not text and required:
        article = "an" if field[:1].lower() in "aeiou" else "a"
        if value.strip():
            raise InvalidInput(
                f"The {field} is empty once invisible characters are removed. "
                f"Type {article} {field} with letters or numbers."
            )
        raise InvalidInput(f"The {field} is empty. Type {article} {field} with letters or numbers.")
    if len(text) > max_length:
        raise InvalidInput(
            f"The {field} is {len(text):,} characters long; the most is {max_length:,}. "
            "Make it shorter and try again."
        )
    return text


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut on a word boundary (when one is near)
    with "…" at the end; the result is never longer than `limit`."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    room = limit - len(ELLIPSIS)
    cut = text[:room]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if text[room : room + 1].isspace():
        space = room
    if space >= room // 2:
        cut = cut[:space]
    cut = cut.rstrip()
    if (len(cut) - len(cut.rstrip("\\"))) % 2:  # never leave half of an escape
        cut = cut[:-1]
    return cut + ELLIPSIS


def excerpt(value: str, limit: int = 40) -> str:
    """A short, single-line, escaped quote of what was typed, for refusals: at most `limit`
    visible characters ("…" when cut), safe to show as it is. Wrap it in quotes yourself:
    f"I could not read the time '{excerpt(typed)}'." Blank input gives "(nothing)"."""
    text = shorten(tidy(value[:_EXCERPT_INPUT]), limit)
    return escape(text) if text else "(nothing)"


def escape(value: str) -> str:
    """Text from people, made safe to render in Discord (see the module's docstring): no
    markdown, mentions or links; invisible and control characters removed; newlines kept."""
    return defuse(escape_markdown(tidy(value, multiline=True)))


def escape_markdown(text: str) -> str:
    r"""A backslash before every markdown character: `* _ ~ | \ \``, square brackets, and `>`,
    `#`, `-` and `1.` at the start of a line. Linear time on any input."""
    text = _INLINE.sub(r"\\\g<0>", text)
    text = _LINE_START.sub(r"\\\g<0>", text)
    return _ORDERED.sub(r"\1\\.", text)


_INLINE = re.compile(r"[_\\~|*`\[\]]")
_LINE_START = re.compile(r"^(?:>(?:>>)?(?=\s)|#{1,3}|-)", re.MULTILINE)
_ORDERED = re.compile(r"^(\d+)\.", re.MULTILINE)
_STRUCTURE = re.compile(
    r"(?P<open><)(?=\S)"
    r"|(?P<at>@)(?=(?:everyone|here))"
    r"|(?P<colon>:)(?=//)"
    r"|(?P<site>discord(?:app)?)(?=\.)",
    re.IGNORECASE,
)


def defuse(text: str) -> str:
    """Break mention, link and invite syntax with invisible spaces (no markdown escaping)."""
    return _STRUCTURE.sub(lambda match: match[0] + ZWSP, text)


def _visible(text: str, multiline: bool) -> str:
    kept: list[str] = []
    for index, char in enumerate(text):
        if char == "\n":
            kept.append("\n" if multiline else " ")
        elif char == "\t":
            kept.append(" ")
        elif _keeps_emoji(text, index, kept):
            kept.append(char)
        elif char in _BLANKS or unicodedata.category(char) in _REMOVED:
            continue
        elif unicodedata.category(char) == "Zs":
            kept.append(" ")
        else:
            kept.append(char)
    return "".join(kept)


def _keeps_emoji(text: str, index: int, kept: list[str]) -> bool:
    """Invisible characters that are part of an emoji: a joiner between two (👩‍👧), and the tag
    letters after 🏴 that make the flags of England, Scotland and Wales."""
    char = text[index]
    if char == "\u200d":
        return _joins_emoji(text, index)
    return _is_tag(char) and bool(kept) and (kept[-1] == _BLACK_FLAG or _is_tag(kept[-1]))


def _is_tag(char: str) -> bool:
    return ord(char) in _EMOJI_TAG


def _joins_emoji(text: str, index: int) -> bool:
    """A zero width joiner between two emoji (👩‍👧) is part of the picture: keep it."""
    before, after = text[index - 1 : index], text[index + 1 : index + 2]
    return bool(before and after) and _emoji_like(before) and _emoji_like(after)


def _emoji_like(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or char == "\ufe0f"


def _cap_marks(text: str) -> str:
    kept: list[str] = []
    run = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me"):
            run += 1
            if run > MAX_MARKS:
                continue
        else:
            run = 0
        kept.append(char)
    return "".join(kept)
