"""Hypothesis strategies for hostile text: mentions, links, markdown, invisible and control
characters, and very long strings; and checks of what Discord would make of a result."""

from __future__ import annotations

import re

from hypothesis import strategies as st

PIECES = [
    "@everyone",
    "@here",
    "@Everyone",
    "<@123456789012345678>",
    "<@!1>",
    "<@&2>",
    "<#3>",
    "</signup:4>",
    "<t:1700000000:F>",
    "<:blob:5>",
    "<a:dance:6>",
    "<https://example.org>",
    "[click here](https://evil.example/x)",
    "[x](<https://evil.example>)",
    "https://evil.example/a_b?c=*d*",
    "HTTP://SHOUT.example",
    "steam://run/1",
    "discord.gg/abcdef",
    "discordapp.com/invite/x",
    "www.example.org",
    "**",
    "__",
    "*",
    "_",
    "`",
    "```",
    "||",
    "~~",
    "> ",
    ">>> ",
    "# ",
    "## ",
    "-# ",
    "- ",
    "1. ",
    "\\",
    "\\\\",
    "<",
    ">",
    "@",
    ":",
    "//",
    "[",
    "]",
    "(",
    ")",
    "=",
    "+",
    "-",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u2066",
    "\u00ad",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\r\n",
    "\r",
    "\n",
    "\n\n\n",
    "\t",
    "\u2028",
    "\u00a0",
    "\u3000",
    "\u3164",
    "\u2800",
    "e\u0301\u0302\u0303\u0304\u0305\u0306\u0307",
    "\U0001f469\u200d\U0001f467",
    "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
    "\ud800",
    " ",
    "   ",
    "word",
    "Room 4.12",
    "café",
]

hostile = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=30).map(
    "".join
)
# Longer than anything Discord lets a person send (6,000 characters in an option).
huge = st.builds(lambda part, times: (part * times)[:8000], hostile, st.integers(1, 400))
any_text = st.one_of(st.text(), hostile, huge)

_ACTIVE = re.compile(
    r"@(?:everyone|here)"  # pings everyone
    r"|<[@#/:!&]|<a:|<t:|<id:|<https?:"  # mentions, commands, emoji, timestamps, autolinks
    r"|://"  # http://, https://, steam://
    r"|discord(?:app)?\.",  # invites
    re.IGNORECASE,
)


def active_syntax(rendered: str) -> list[str]:
    """What in `rendered` Discord would turn into a ping, a mention or a link."""
    return _ACTIVE.findall(rendered)


def unescaped(rendered: str) -> str:
    """The characters Discord would read as markup: those not after a backslash."""
    out: list[str] = []
    skip = False
    for char in rendered:
        if skip:
            skip = False
        elif char == "\\":
            skip = True
        else:
            out.append(char)
    return "".join(out)


def as_read(rendered: str) -> str:
    """What a person sees: escapes resolved, invisible spaces gone."""
    return re.sub(r"\\(.)", r"\1", rendered, flags=re.DOTALL).replace("\u200b", "")
