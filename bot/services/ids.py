"""Numbers people type where the bot expects an id (an activity's number, a Discord id).

Discord ids and our row ids are positive and fit in a signed 64-bit integer (at most 19
digits); anything else would be an internal error in the database, so it is refused here in
plain words.
"""

from __future__ import annotations

import re

from bot.errors import InvalidInput
from bot.services.text import excerpt

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def is_id(value: str) -> bool:
    """Whether `value` (spaces around it allowed) is a positive whole number that fits."""
    text = value.strip()
    return _DIGITS.fullmatch(text) is not None and 0 < int(text) <= MAX_ID


def looks_numeric(value: str) -> bool:
    """Whether `value` is only digits (0-9), of any length: meant as a number, not a name."""
    return re.fullmatch(r"[0-9]+", value.strip()) is not None


def parse_id(value: str) -> int:
    """The positive whole number typed (spaces around it allowed), or a plain refusal."""
    if not is_id(value):
        raise InvalidInput(
            f"'{excerpt(value, 24)}' is not a number I can use. "
            "Pick from the list, or type a whole number like 42."
        )
    return int(value.strip())
