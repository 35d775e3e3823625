from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.services.involvement.settings import (
    ExpenseKind,
    PaymentsFileError,
    load_payment_settings,
)
from bot.settings import DEFAULT_CONFIG_DIR


def copy_config(tmp_path: Path, toml: str | None = None) -> Path:
    shutil.copy(DEFAULT_CONFIG_DIR / "payments.md", tmp_path / "payments.md")
    if toml is None:
        shutil.copy(DEFAULT_CONFIG_DIR / "payments.toml", tmp_path / "payments.toml")
    else:
        (tmp_path / "payments.toml").write_text(toml, encoding="utf-8")
    return tmp_path


GOOD = """prompt_after_days = 21
claim_within_days = 90
max_claim = 50000

[[rates]]
key = "hourly"
name = "Hourly"
kind = "hourly"
pence = 2500

[[rates]]
key = "fee"
name = "Fee"
kind = "fixed"
pence = 7500
"""


def test_the_shipped_file_loads_with_example_rates_and_the_benefits_words() -> None:
    settings = load_payment_settings(DEFAULT_CONFIG_DIR)
    assert (settings.prompt_after_days, settings.claim_within_days, settings.max_claim) == (
        21,
        90,
        50000,
    )
    assert settings.rates
    assert all("EXAMPLE" in rate.name for rate in settings.rates)
    assert settings.expenses_covered == tuple(ExpenseKind)
    assert "benefits" in settings.benefits


def test_rates_are_typed_and_found_by_key(tmp_path: Path) -> None:
    settings = load_payment_settings(copy_config(tmp_path, GOOD))
    fee = settings.rate("fee")
    assert fee is not None
    assert (fee.kind, fee.pence) == ("fixed", 7500)
    assert settings.rate("nothing") is None
    assert settings.rate(None) is None


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("pence = 7500", 'pence = "75.00"'), 15, "pence must be a whole number"),
        (('kind = "fixed"', 'kind = "daily"'), 14, "kind must be"),
        (("max_claim = 50000", "max_claim = 0"), 3, "max_claim must be"),
        (('key = "fee"', 'key = "hourly"'), 12, "used twice"),
        (('key = "fee"', 'key = "Big Fee"'), 12, "a key is lower-case"),
    ],
)
def test_a_bad_value_is_refused_naming_its_line(
    tmp_path: Path, change: tuple[str, str], line: int, words: str
) -> None:
    with pytest.raises(PaymentsFileError, match=rf"line {line}: .*{words}"):
        load_payment_settings(copy_config(tmp_path, GOOD.replace(*change)))


def test_a_missing_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PaymentsFileError, match="claim_within_days is missing"):
        load_payment_settings(copy_config(tmp_path, GOOD.replace("claim_within_days = 90", "")))


def test_an_unknown_expense_kind_is_refused_naming_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("max_claim = 50000", 'max_claim = 50000\nexpenses_covered = ["taxis"]')
    with pytest.raises(PaymentsFileError, match="line 4: 'taxis' is not one of"):
        load_payment_settings(copy_config(tmp_path, text))


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PaymentsFileError, match="not valid TOML"):
        load_payment_settings(copy_config(tmp_path, "prompt_after_days = = 3"))
