from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.services.ids import MAX_ID, parse_id


def test_a_typed_id_is_read() -> None:
    assert parse_id(" 42 ") == 42


def test_the_largest_64_bit_id_is_read() -> None:
    assert parse_id(str(MAX_ID)) == MAX_ID


@pytest.mark.parametrize(
    "typed", ["0", "-3", "12345678901234567890", str(MAX_ID + 1), "4.5", "١٢", "", "abc"]
)
def test_anything_but_a_positive_64_bit_number_is_refused_plainly(typed: str) -> None:
    with pytest.raises(InvalidInput, match="is not a number I can use"):
        parse_id(typed)
