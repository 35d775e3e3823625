from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.services.text import clean, excerpt, shorten, tidy


def test_invisible_and_control_characters_are_removed() -> None:
    assert tidy("Ro\u200bom\u202e 4\x00.12\ufeff") == "Room 4.12"


def test_single_line_text_has_its_whitespace_collapsed() -> None:
    assert tidy("  Set \t research\n\npriorities\u00a0 ") == "Set research priorities"


def test_multiline_text_keeps_paragraphs_but_not_runs_of_blank_lines() -> None:
    assert tidy(" Large print \r\n\r\n\r\n\r\nBreaks  every hour ", multiline=True) == (
        "Large print\n\nBreaks every hour"
    )


def test_text_is_normalised_to_composed_form() -> None:
    assert tidy("cafe\u0301") == "café"


def test_zalgo_stacks_are_cut_down() -> None:
    assert tidy("x" + "\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308") == (
        "x\u0301\u0302\u0303\u0304"
    )


def test_emoji_made_of_several_characters_survive() -> None:
    family = "\U0001f469\u200d\U0001f467"
    wales = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
    assert tidy(f"{family} {wales}") == f"{family} {wales}"


def test_invisible_only_text_is_refused_in_plain_words() -> None:
    with pytest.raises(InvalidInput) as refusal:
        clean("\u200b\u3164\u2800", field="title", max_length=100)
    assert refusal.value.message == (
        "The title is empty once invisible characters are removed. "
        "Type a title with letters or numbers."
    )


def test_blank_text_is_refused_when_required() -> None:
    with pytest.raises(InvalidInput, match="The place is empty"):
        clean("   ", field="place", max_length=100)


def test_blank_text_is_empty_when_not_required() -> None:
    assert clean(" \u200b ", field="place", max_length=100, required=False) == ""


def test_too_long_text_is_refused_with_both_lengths_and_without_the_text() -> None:
    with pytest.raises(InvalidInput) as refusal:
        clean("secret " * 700, field="title", max_length=100)
    assert "4,899 characters long; the most is 100" in refusal.value.message
    assert "secret" not in refusal.value.message


def test_length_is_counted_after_cleaning() -> None:
    assert clean("a\u200b" * 100, field="title", max_length=100) == "a" * 100


def test_shorten_cuts_on_a_word_boundary() -> None:
    assert shorten("Set research priorities together", 20) == "Set research…"


def test_shorten_cuts_a_long_word_when_there_is_no_space() -> None:
    assert shorten("x" * 50, 10) == "x" * 9 + "…"


def test_an_excerpt_is_short_and_safe_to_show() -> None:
    assert excerpt("ping <@123> and @everyone at https://evil.example/now") == (
        "ping <\u200b@123> and @\u200beveryone at…"
    )


def test_an_excerpt_of_nothing_says_so() -> None:
    assert excerpt("\u200b") == "(nothing)"
