from __future__ import annotations

import discord
import pytest

from bot.ui.limits import EMBED_FIELDS, EMBED_TOTAL, file_name, fit, fit_embed, lines_within, pages


def test_fit_leaves_short_text_alone() -> None:
    assert fit("Tea and cake", 80) == "Tea and cake"


def test_fit_cuts_long_text_on_a_word_with_an_ellipsis() -> None:
    assert fit("Tea and cake in the garden room", 16) == "Tea and cake in…"


def test_lines_within_keeps_whole_lines_and_counts_the_rest() -> None:
    lines = [f"Person {n}" for n in range(1, 21)]
    assert lines_within(lines, 40) == "Person 1\nPerson 2\nPerson 3\n…and 17 more"


def test_lines_within_takes_a_custom_more_line() -> None:
    assert lines_within(["a" * 10, "b" * 10], 15, more=lambda n: f"+{n}") == "a" * 10 + "\n+1"


def test_pages_split_a_list_and_always_give_one_page() -> None:
    assert pages([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert pages([], 10) == [[]]


def test_pages_refuse_an_empty_page_size() -> None:
    with pytest.raises(ValueError, match="per_page"):
        pages([1], 0)


def test_fit_embed_cuts_every_part() -> None:
    embed = discord.Embed(title="t" * 300, description="d" * 5000)
    embed.add_field(name="n" * 300, value="v" * 2000)
    fitted = fit_embed(embed)
    assert (len(fitted.title or ""), len(fitted.description or "")) == (256, 4096)
    assert (len(fitted.fields[0].name or ""), len(fitted.fields[0].value or "")) == (256, 1024)


def test_fit_embed_folds_fields_past_25_into_one_more() -> None:
    embed = discord.Embed(title="Attendees")
    for n in range(30):
        embed.add_field(name=f"Person {n}", value="confirmed")
    fitted = fit_embed(embed)
    assert len(fitted.fields) == EMBED_FIELDS
    assert fitted.fields[-1].value == "…and 6 more"


def test_fit_embed_keeps_the_total_within_6000() -> None:
    embed = discord.Embed(title="t" * 256, description="d" * 4096)
    for _ in range(25):
        embed.add_field(name="n" * 256, value="v" * 1024)
    embed.set_footer(text="f" * 2048)
    assert len(fit_embed(embed)) <= EMBED_TOTAL


def test_fit_embed_gives_blank_fields_an_invisible_value() -> None:
    embed = discord.Embed().add_field(name="Place", value="   ")
    assert fit_embed(embed).fields[0].value == "\u200b"


def test_file_names_keep_only_safe_characters() -> None:
    assert file_name("Attendees: Café <night>/../", "CSV") == "Attendees-Cafe-night.csv"


def test_a_file_name_of_nothing_safe_is_still_a_name() -> None:
    assert file_name("\u200b…", "csv") == "file.csv"
