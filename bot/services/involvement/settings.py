"""The payment rules from config/payments.toml (rates, claim window, claim limit) and the
benefits words from config/payments.md, loaded into typed settings. A file that cannot be used
raises `PaymentsFileError` naming the line, so a mistake stops the bot at start-up."""

from __future__ import annotations

import enum
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "payments.toml"
BENEFITS_FILE_NAME = "payments.md"
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
HOURLY, FIXED = "hourly", "fixed"


class ExpenseKind(enum.StrEnum):
    """What an expense claim is for (the `/claim` command's `what`)."""

    TRAVEL = "travel"
    CARE_COVER = "care cover"
    ONLINE_COSTS = "online costs"
    OTHER = "other"


class PaymentsFileError(Exception):
    """config/payments.toml cannot be used; the message names the line and the problem."""


@dataclass(frozen=True, slots=True)
class Rate:
    key: str
    name: str
    kind: str  # hourly | fixed
    pence: int  # per hour, or the whole fee


@dataclass(frozen=True, slots=True)
class PaymentSettings:
    rates: tuple[Rate, ...]
    prompt_after_days: int
    claim_within_days: int
    max_claim: int  # pence
    expenses_covered: tuple[ExpenseKind, ...]
    benefits: str  # config/payments.md, shown with every paid role

    def rate(self, key: str | None) -> Rate | None:
        return next((rate for rate in self.rates if rate.key == key), None)


def load_payment_settings(directory: Path) -> PaymentSettings:
    path = directory / FILE_NAME
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise PaymentsFileError(f"{path}: cannot be read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise PaymentsFileError(f"{path}: this is not valid TOML: {error}") from error
    lines = text.splitlines()
    top = _Where(path, lines, 0, len(lines))
    settings = {
        name: top.positive_int(data, name)
        for name in ("prompt_after_days", "claim_within_days", "max_claim")
    }
    covered = _covered(data, top)
    starts = [n for n, line in enumerate(lines) if line.strip() == "[[rates]]"]
    raw_rates = data.get("rates", [])
    if not isinstance(raw_rates, list):
        raise top.error("rates", "rates must be a list of [[rates]] tables.")
    rates: list[Rate] = []
    for index, raw in enumerate(raw_rates):
        first = starts[index] if index < len(starts) else 0
        last = starts[index + 1] if index + 1 < len(starts) else len(lines)
        rate = _rate(raw, _Where(path, lines, first, last))
        if any(seen.key == rate.key for seen in rates):
            raise _Where(path, lines, first, last).error(
                "key", f"the key {rate.key!r} is used twice; keys must differ."
            )
        rates.append(rate)
    return PaymentSettings(
        rates=tuple(rates),
        prompt_after_days=settings["prompt_after_days"],
        claim_within_days=settings["claim_within_days"],
        max_claim=settings["max_claim"],
        expenses_covered=covered,
        benefits=_benefits(directory),
    )


def _covered(data: dict[str, Any], top: _Where) -> tuple[ExpenseKind, ...]:
    raw = data.get("expenses_covered", [kind.value for kind in ExpenseKind])
    known = [kind.value for kind in ExpenseKind]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise top.error("expenses_covered", f"expenses_covered must be a list of: {known}.")
    unknown = [item for item in raw if item not in known]
    if unknown:
        raise top.error("expenses_covered", f"{unknown[0]!r} is not one of {known}.")
    return tuple(ExpenseKind(item) for item in raw)


def _rate(raw: Any, where: _Where) -> Rate:
    if not isinstance(raw, dict):
        raise where.error("", "each [[rates]] must be a table.")
    for name in ("key", "name", "kind", "pence"):
        if name not in raw:
            raise where.error("", f"this rate has no {name}; add `{name} = ...`.")
    key, name, kind = raw["key"], raw["name"], raw["kind"]
    if not isinstance(key, str) or not _KEY.match(key):
        raise where.error("key", "a key is lower-case letters, digits and _, like `hourly`.")
    if not isinstance(name, str) or not name.strip():
        raise where.error("name", "a rate needs a name people can read.")
    if kind not in (HOURLY, FIXED):
        raise where.error("kind", f"kind must be {HOURLY!r} or {FIXED!r}.")
    return Rate(key=key, name=name.strip(), kind=kind, pence=where.positive_int(raw, "pence"))


def _benefits(directory: Path) -> str:
    path = directory / BENEFITS_FILE_NAME
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise PaymentsFileError(f"{path}: cannot be read: {error.strerror}") from error
    if not text:
        raise PaymentsFileError(f"{path} line 1: the benefits words are empty; write them here.")
    return text


@dataclass(frozen=True, slots=True)
class _Where:
    """Lines [first, last) of the file (a [[rates]] table, or the whole file), to name the
    line a problem is on."""

    path: Path
    lines: list[str]
    first: int
    last: int

    def error(self, field: str, problem: str) -> PaymentsFileError:
        line = self.first + 1
        if field:
            pattern = re.compile(rf"^\s*{re.escape(field)}\s*=")
            for number in range(self.first, self.last):
                if pattern.match(self.lines[number]):
                    line = number + 1
                    break
        return PaymentsFileError(f"{self.path} line {line}: {problem}")

    def positive_int(self, data: dict[str, Any], field: str) -> int:
        value = data.get(field)
        if value is None:
            raise self.error("", f"{field} is missing; add `{field} = ...` (a whole number).")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.error(field, f"{field} must be a whole number above 0, like 21.")
        return value
