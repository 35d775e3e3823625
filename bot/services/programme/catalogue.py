"""The training modules people can hold, read from config/training.toml. A file that cannot
be used raises `TrainingFileError` naming the line and the problem, so the bot refuses to
start with a catalogue nobody meant."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from bot.errors import InvalidInput
from bot.services.toml_file import Table, read_toml, table_starts
from bot.settings import config_dir

FILE_NAME = "training.toml"
FOREVER = "forever"
MAX_NAME = 100
MAX_DESCRIPTION = 500
MAX_VALID_MONTHS = 600
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_FIELDS = ("key", "name", "description", "valid_months")


class TrainingFileError(Exception):
    """config/training.toml cannot be used; the message names the line and the problem."""


@dataclass(frozen=True, slots=True)
class TrainingModule:
    key: str
    name: str
    description: str
    valid_months: int | None  # None: it never runs out

    def expires_on(self, completed_on: date) -> date | None:
        """The day it runs out: the same day of the month N calendar months later (the last
        day of that month when it is shorter), or None when it never does."""
        if self.valid_months is None:
            return None
        return completed_on + relativedelta(months=self.valid_months)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The modules in the order the file lists them."""

    modules: tuple[TrainingModule, ...]

    def __iter__(self) -> Iterator[TrainingModule]:
        return iter(self.modules)

    def find(self, key: str) -> TrainingModule | None:
        return next((module for module in self.modules if module.key == key), None)

    def get(self, key: str) -> TrainingModule:
        """The module with this key, or a plain refusal (for a key typed or picked)."""
        found = self.find(key) or self.by_name(key)
        if found is None:
            names = ", ".join(module.name for module in self.modules)
            raise InvalidInput(
                f"There is no training called {key!r}. Pick one from the list: {names}."
            )
        return found

    def by_name(self, typed: str) -> TrainingModule | None:
        wanted = typed.strip().lower()
        return next((module for module in self.modules if module.name.lower() == wanted), None)

    def name_of(self, key: str) -> str:
        """The module's name; a key no longer in the file is shown as it is."""
        found = self.find(key)
        return found.name if found else key


def load_modules(directory: Path) -> Catalogue:
    path = directory / FILE_NAME
    text, data = read_toml(path, TrainingFileError)
    unknown_tables = sorted(set(data) - {"modules"})
    if unknown_tables:
        raise TrainingFileError(
            f"{path} line {_line_of(text, unknown_tables[0])}: unknown table or field "
            f"{unknown_tables[0]!r}; the file holds only [[modules]] blocks."
        )
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, list) or not raw_modules:
        raise TrainingFileError(f"{path} line 1: there are no [[modules]]; add at least one.")
    starts = table_starts(text, "[[modules]]")
    modules: list[TrainingModule] = []
    for index, raw in enumerate(raw_modules):
        block = Table(path, text, starts[index] if index < len(starts) else 1, TrainingFileError)
        module = _parse_module(raw, block)
        if any(seen.key == module.key for seen in modules):
            raise block.error("key", f"the key {module.key!r} is used twice; keys must differ.")
        if any(seen.name.lower() == module.name.lower() for seen in modules):
            raise block.error("name", f"the name {module.name!r} is used twice; names must differ.")
        modules.append(module)
    return Catalogue(tuple(modules))


@functools.cache
def _cached(directory: Path) -> Catalogue:
    return load_modules(directory)


def default_catalogue() -> Catalogue:
    """The catalogue in the bot's config directory, read once (for callers handed no catalogue,
    such as the sign-up check)."""
    return _cached(config_dir())


def _line_of(text: str, field: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if re.match(rf"^\[*{re.escape(field)}\]*\s*(=|$)", stripped):
            return number
    return 1


def _parse_module(raw: dict[str, Any], block: Table[TrainingFileError]) -> TrainingModule:
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise block.error(unknown[0], f"unknown field {unknown[0]!r}; use {', '.join(_FIELDS)}.")
    for field in _FIELDS:
        if field not in raw:
            raise block.error(field, f"this module has no {field!r}.")
    key, name, description, valid = (raw[field] for field in _FIELDS)
    if not isinstance(key, str) or not _KEY.match(key):
        raise block.error("key", "the key must be lowercase letters, digits and _ (up to 40).")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise block.error("name", f"the name must be 1 to {MAX_NAME} characters.")
    if not isinstance(description, str) or not description.strip():
        raise block.error("description", "the description must not be empty.")
    if len(description.strip()) > MAX_DESCRIPTION:
        raise block.error("description", f"the description must be {MAX_DESCRIPTION} or fewer.")
    if valid == FOREVER:
        months = None
    elif isinstance(valid, int) and not isinstance(valid, bool) and 1 <= valid <= MAX_VALID_MONTHS:
        months = valid
    else:
        raise block.error(
            "valid_months",
            f"valid_months must be a whole number of months from 1 to {MAX_VALID_MONTHS}, "
            f'or "{FOREVER}".',
        )
    return TrainingModule(key, name.strip(), description.strip(), months)
