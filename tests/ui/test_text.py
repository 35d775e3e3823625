from __future__ import annotations

from bot.ui.text import plain, shown, shown_line


def test_ordinary_words_are_shown_unchanged() -> None:
    assert shown("Room 4.12, second floor! Is it okay?") == "Room 4.12, second floor! Is it okay?"


def test_mentions_cannot_ping() -> None:
    assert shown("@everyone @here <@1> <@!2> <@&3> <#4> </signup:5> <t:6:F>") == (
        "@\u200beveryone @\u200bhere <\u200b@1> <\u200b@!2> <\u200b@&3> <\u200b#4> "
        "<\u200b/signup:5> <\u200bt:6:F>"
    )


def test_links_cannot_be_followed() -> None:
    assert shown("[free money](https://evil.example) or discord.gg/x") == (
        "\\[free money\\](https:\u200b//evil.example) or discord\u200b.gg/x"
    )


def test_markdown_is_shown_as_typed() -> None:
    assert shown("**loud** _slanted_ ||hidden|| `code`") == (
        "\\*\\*loud\\*\\* \\_slanted\\_ \\|\\|hidden\\|\\| \\`code\\`"
    )


def test_line_starts_do_not_become_headings_quotes_or_lists() -> None:
    assert shown("# Big\n> quote\n- item\n1. first") == "\\# Big\n\\> quote\n\\- item\n1\\. first"


def test_a_limit_cuts_before_escaping_so_no_escape_is_split() -> None:
    assert shown("*" * 10, limit=9) == "\\*\\*\\*\\*…"


def test_a_title_is_shown_on_one_line() -> None:
    assert shown_line("Set\nresearch\npriorities") == "Set research priorities"


def test_plain_labels_have_no_backslashes_but_still_cannot_ping() -> None:
    assert plain("**Tea** with @everyone", 80) == "**Tea** with @\u200beveryone"
