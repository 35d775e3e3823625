"""Reading the bot's TOML config files (the checklist, the training catalogue) so that every
problem names the file and the line it is on."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar


def read_toml(path: Path, error: type[Exception]) -> tuple[str, dict[str, Any]]:
    """The file's text and its parsed tables; `error` (with the path) when it cannot be read or
    is not TOML."""
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except OSError as problem:
        raise error(f"{path}: cannot be read: {problem.strerror}") from problem
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: this is not valid TOML: {problem}") from problem


def table_starts(text: str, header: str) -> list[int]:
    """The line numbers (from 1) of each `header` line, such as `[[items]]`."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == header]


def field_line(text: str, first_line: int, field: str) -> int:
    """The line of `field = ...` in the table starting at `first_line`, else `first_line`."""
    lines = text.splitlines()
    for number in range(first_line, len(lines)):
        stripped = lines[number].strip()
        if stripped.startswith("["):
            break
        if re.match(rf"^{re.escape(field)}\s*=", stripped):
            return number + 1
    return first_line


E = TypeVar("E", bound=Exception)


@dataclass(frozen=True, slots=True)
class Table(Generic[E]):
    """One `[[...]]` table in a config file, to name the line a problem is on."""

    path: Path
    text: str
    first_line: int
    error_type: type[E]

    def error(self, field: str, problem: str) -> E:
        line = field_line(self.text, self.first_line, field)
        return self.error_type(f"{self.path} line {line}: {problem}")
