"""The finance export's `.xlsx` writer, read back with openpyxl."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bot.services.involvement import sheet
from bot.services.involvement.payments import safe_cell


def read(data: bytes) -> list[tuple[object, ...]]:
    found = load_workbook(io.BytesIO(data)).active
    assert found is not None
    return list(found.iter_rows(values_only=True))


def test_text_that_xml_would_choke_on_reads_back_as_typed() -> None:
    data = sheet.xlsx("s", ["a"], [['<b>Tom & "Jerry"</b>'], ["  two spaces  "]])
    assert read(data)[1:] == [('<b>Tom & "Jerry"</b>',), ("  two spaces  ",)]


def test_characters_xml_cannot_hold_are_dropped() -> None:
    assert read(sheet.xlsx("s", ["a"], [["bell\x07 and nul\x00"]]))[1] == ("bell and nul",)


def test_amounts_are_exact_numbers() -> None:
    values = read(
        sheet.xlsx("s", ["x", "gbp"], [["a", "0.10"], ["b", "1234567.89"]], amount_columns=(1,))
    )
    assert [Decimal(str(row[1])) for row in values[1:]] == [Decimal("0.10"), Decimal("1234567.89")]


def test_an_amount_that_is_not_an_exact_decimal_is_refused() -> None:
    with pytest.raises(ValueError, match="not an exact amount"):
        sheet.xlsx("s", ["gbp"], [["1e3"]], amount_columns=(0,))


def test_the_guard_is_applied_to_every_text_cell() -> None:
    values = read(sheet.xlsx("s", ["=h"], [["=1+1"], ["@SUM(A1)"]], clean=safe_cell))
    assert values == [("'=h",), ("'=1+1",), ("'@SUM(A1)",)]


def test_empty_cells_leave_their_column_empty() -> None:
    assert read(sheet.xlsx("s", ["a", "b", "c"], [["", "", "z"]]))[1] == (None, None, "z")


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="row 2 has 1 cells"):
        sheet.xlsx("s", ["a", "b"], [["only one"]])
