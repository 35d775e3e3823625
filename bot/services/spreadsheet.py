"""The one CSV writer for everything the bot exports (feedback, attendees, payments, audits).

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, so text people
typed ("=HYPERLINK(...)") could act on a coordinator's computer when they open the file. As
OWASP advises, every text cell that starts with one of those, a tab, a carriage return, a line
feed or a NUL (or their full-width forms, or any of them after leading spaces) gets a single
quote in front: spreadsheets then show it as text. Numbers are written as numbers.

Every export must build its rows with `csv_text` (or at least pass each cell through `cell`).
The attendees CSV (`bot.services.signups.attendees_csv`) must move to it too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

Cell = str | int | float | None

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")


def cell(value: Cell) -> str | int | float:
    """A value safe to put in a spreadsheet cell: text that a spreadsheet would run as a formula
    gets a leading `'`; None becomes an empty cell; numbers stay numbers."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_STARTS) or value.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A CSV file (as text, with a header row) in which every cell went through `cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()
