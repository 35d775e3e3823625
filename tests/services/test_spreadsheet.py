from __future__ import annotations

import pytest

from bot.services.spreadsheet import cell, csv_text


@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "  =1+1", "＝1"]
)
def test_text_a_spreadsheet_would_run_gets_a_quote_in_front(typed: str) -> None:
    assert cell(typed) == "'" + typed


def test_ordinary_text_and_numbers_are_left_alone() -> None:
    assert [cell("Room 4.12"), cell(-5), cell(2.5), cell(None)] == ["Room 4.12", -5, 2.5, ""]


def test_every_cell_of_the_csv_is_neutralised() -> None:
    assert csv_text(["name", "note"], [["=cmd|' /C calc'!A0", None]]) == (
        "name,note\r\n'=cmd|' /C calc'!A0,\r\n"
    )
