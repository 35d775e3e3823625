"""config/privacy.toml: the data controller, the data protection officer and how long data is
kept. Loaded once at start-up (`Settings.privacy`); a missing or malformed file stops start-up
with a message naming the line, and placeholders still in it give one warning in the log."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "privacy.toml"
PLACEHOLDER = "FILL IN"

_SECTIONS: dict[str, dict[str, type]] = {
    "controller": {"name": str, "contact": str},
    "data_protection_officer": {"contact": str},
    "retention": {"after_leaving_days": int, "inactive_months": int, "no_answer_days": int},
}


class PrivacyFileError(Exception):
    """config/privacy.toml cannot be used; the message names the line and the problem."""


@dataclass(frozen=True, slots=True)
class Retention:
    after_leaving_days: int
    inactive_months: int
    no_answer_days: int


@dataclass(frozen=True, slots=True)
class PrivacyConfig:
    controller_name: str
    controller_contact: str
    dpo_contact: str
    retention: Retention

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The settings still holding the file's "FILL IN" text."""
        fields = {
            "controller.name": self.controller_name,
            "controller.contact": self.controller_contact,
            "data_protection_officer.contact": self.dpo_contact,
        }
        return tuple(name for name, value in fields.items() if PLACEHOLDER in value)


def load_privacy(directory: Path) -> PrivacyConfig:
    path = directory / FILE_NAME
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise PrivacyFileError(f"{path}: cannot be read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise PrivacyFileError(f"{path}: this is not valid TOML: {error}") from error
    where = _Lines(path, text)
    for section in data:
        if section not in _SECTIONS:
            raise where.error(
                section, "", f"unknown section [{section}]; use {', '.join(_SECTIONS)}."
            )
    values: dict[str, dict[str, Any]] = {}
    for section, fields in _SECTIONS.items():
        raw = data.get(section)
        if not isinstance(raw, dict):
            raise where.error(section, "", f"there is no [{section}] section; add it.")
        for name in raw:
            if name not in fields:
                raise where.error(
                    section, name, f"unknown setting {name!r}; use {', '.join(fields)}."
                )
        for name, kind in fields.items():
            if name not in raw:
                raise where.error(section, "", f"[{section}] has no {name!r}; add it.")
            value = raw[name]
            if kind is str and (not isinstance(value, str) or not value.strip()):
                raise where.error(section, name, f"{name} must be some text in quotes.")
            if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise where.error(section, name, f"{name} must be a whole number, 1 or more.")
        values[section] = raw
    return PrivacyConfig(
        controller_name=values["controller"]["name"].strip(),
        controller_contact=values["controller"]["contact"].strip(),
        dpo_contact=values["data_protection_officer"]["contact"].strip(),
        retention=Retention(**values["retention"]),
    )


@dataclass(frozen=True, slots=True)
class _Lines:
    """Finds the line of a section, or of a setting inside one, to name it in a message."""

    path: Path
    text: str

    def error(self, section: str, name: str, problem: str) -> PrivacyFileError:
        return PrivacyFileError(f"{self.path} line {self._line(section, name)}: {problem}")

    def _line(self, section: str, name: str) -> int:
        current, section_line = "", 1
        for number, line in enumerate(self.text.splitlines(), 1):
            stripped = line.strip()
            header = re.match(r"^\[([^\]]+)\]", stripped)
            if header:
                current = header.group(1).strip()
                if current == section:
                    section_line = number
                continue
            if current == section and name and re.match(rf"^{re.escape(name)}\s*=", stripped):
                return number
        return section_line
