"""Property-based tests: arbitrary hostile text through every helper that cleans, escapes, fits
or parses what people type. Nothing raises but our own UserFacingError, nothing shown can ping
or link, and everything fits Discord's limits."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import discord
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.errors import UserFacingError
from bot.services import spreadsheet, text
from bot.services.ids import MAX_ID, parse_id
from bot.services.when import MAX_TYPED, parse_day, parse_when, years_later
from bot.ui import limits
from bot.ui.text import plain, shown, shown_line
from tests.text_strategies import active_syntax, any_text, as_read, hostile, unescaped

REFUSAL = (
    r"The title is (empty|empty once invisible characters are removed)\. Type a title with "
    r"letters or numbers\.|The title is [\d,]+ characters long; the most is [\d,]+\. Make it "
    r"shorter and try again\."
)
FAST = settings(max_examples=200, deadline=None)
MARKUP = set("*_~|`[]\\")
ZONES = [ZoneInfo(name) for name in ("Europe/London", "Pacific/Kiritimati", "Pacific/Pago_Pago")]
# hypothesis takes naive bounds and attaches the zone itself.
nows = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
limits_ = st.integers(min_value=0, max_value=5000)
T = TypeVar("T")


def attempt(call: Callable[[], T]) -> T | UserFacingError:
    """The result, or the plain refusal; anything else fails the test."""
    try:
        return call()
    except UserFacingError as refusal:
        return refusal


@FAST
@given(any_text, st.integers(1, 5000), st.booleans(), st.booleans())
def test_clean_gives_tidy_text_or_a_plain_refusal(
    value: str, most: int, required: bool, multiline: bool
) -> None:
    cleaned = attempt(
        lambda: text.clean(
            value, field="title", max_length=most, required=required, multiline=multiline
        )
    )
    if isinstance(cleaned, UserFacingError):  # a refusal never quotes the text
        assert re.fullmatch(REFUSAL, cleaned.message)
        return
    assert len(cleaned) <= most
    assert cleaned == text.tidy(cleaned, multiline=multiline)  # cleaning twice changes nothing
    assert multiline or "\n" not in cleaned
    assert cleaned or not required


@FAST
@given(any_text, st.booleans())
def test_tidy_leaves_no_invisible_or_control_characters(value: str, multiline: bool) -> None:
    cleaned = text.tidy(value, multiline=multiline)
    assert not {"\u200b", "\u200e", "\u202e", "\ufeff", "\x00", "\r", "\t"} & set(cleaned)
    assert cleaned == cleaned.strip()
    cleaned.encode("utf-8")  # no lone surrogates: the database can store it


@FAST
@given(any_text, st.integers(1, 200))
def test_excerpt_is_short_single_line_and_safe(value: str, limit: int) -> None:
    quoted = text.excerpt(value, limit)
    assert "\n" not in quoted
    assert len(as_read(quoted)) <= max(limit, len("(nothing)"))
    assert active_syntax(quoted) == []
    assert not MARKUP & set(unescaped(quoted))


@FAST
@given(any_text)
def test_shown_never_pings_links_or_formats(value: str) -> None:
    rendered = shown(value)
    assert active_syntax(rendered) == []
    assert not MARKUP & set(unescaped(rendered))


@FAST
@given(any_text)
def test_shown_reads_as_what_was_typed(value: str) -> None:
    assert as_read(shown(value)) == text.tidy(value, multiline=True)


@FAST
@given(any_text, limits_)
def test_shown_fits_its_limit_and_stays_safe(value: str, limit: int) -> None:
    for rendered in (shown(value, limit), shown_line(value, limit)):
        assert len(rendered) <= limit
        assert active_syntax(rendered) == []
        assert not MARKUP & set(unescaped(rendered))
    assert "\n" not in shown_line(value, limit)


@FAST
@given(any_text, st.integers(1, 200))
def test_plain_is_one_line_without_links_within_its_limit(value: str, limit: int) -> None:
    label = plain(value, limit)
    assert len(label) <= limit
    assert "\n" not in label
    assert active_syntax(label) == []


@FAST
@given(hostile.map(text.tidy))
def test_markdown_escaping_matches_discord_py(line: str) -> None:
    assume("[" not in line and "]" not in line and not line[:1].isdigit())
    assert text.escape_markdown(line) == discord.utils.escape_markdown(line, ignore_links=False)


@FAST
@given(any_text, limits_)
def test_fit_stays_within_the_limit(value: str, limit: int) -> None:
    fitted = limits.fit(value, limit)
    assert len(fitted) <= limit
    if len(value) <= limit:
        assert fitted == value
    elif limit:
        assert fitted.endswith("…")


@FAST
@given(st.lists(any_text, max_size=60), st.integers(0, 3000))
def test_lines_within_stays_within_the_limit(lines: list[str], limit: int) -> None:
    one_line_each = [" ".join(line.split()) for line in lines]
    joined = limits.lines_within(one_line_each, limit)
    assert len(joined) <= limit
    if len("\n".join(one_line_each)) <= limit:
        assert joined == "\n".join(one_line_each)


@FAST
@given(st.lists(st.integers(), max_size=100), st.integers(1, 30))
def test_pages_hold_every_item_once_in_order(items: list[int], per_page: int) -> None:
    paged = limits.pages(items, per_page)
    assert [item for page in paged for item in page] == items
    assert all(0 < len(page) <= per_page for page in paged) or paged == [[]]


@settings(max_examples=80, deadline=None)
@given(
    any_text,
    any_text,
    st.lists(st.tuples(any_text, any_text), max_size=40),
    any_text,
    any_text,
)
def test_fit_embed_keeps_every_limit(
    title: str, description: str, fields: list[tuple[str, str]], footer: str, author: str
) -> None:
    embed = discord.Embed(title=title, description=description)
    for name, value in fields:
        embed.add_field(name=name, value=value)
    embed.set_footer(text=footer)
    embed.set_author(name=author)
    fitted = limits.fit_embed(embed)
    assert len(fitted) <= limits.EMBED_TOTAL
    assert len(fitted.title or "") <= limits.EMBED_TITLE
    assert len(fitted.description or "") <= limits.EMBED_DESCRIPTION
    assert len(fitted.fields) <= limits.EMBED_FIELDS
    for field in fitted.fields:
        assert 0 < len(field.name or "") <= limits.FIELD_NAME
        assert 0 < len(field.value or "") <= limits.FIELD_VALUE
    assert len(fitted.footer.text or "") <= limits.FOOTER
    assert len(fitted.author.name or "") <= limits.AUTHOR


@FAST
@given(any_text, st.sampled_from(["csv", "CSV", "p d f", "", "../../x"]))
def test_file_names_use_only_safe_characters(stem: str, ext: str) -> None:
    name = limits.file_name(stem, ext)
    assert 0 < len(name) <= limits.FILE_NAME
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    assert not name.startswith((".", "-"))


@FAST
@given(st.one_of(any_text, st.integers(), st.floats(allow_nan=False), st.none()))
def test_a_spreadsheet_cell_never_starts_a_formula(value: str | int | float | None) -> None:
    written = spreadsheet.cell(value)
    if isinstance(written, str):
        assert not written.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\n", "\0"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(hostile, min_size=2, max_size=2), max_size=10))
def test_the_csv_reads_back_with_every_cell_neutralised(rows: list[list[str]]) -> None:
    assume(all("\0" not in cell for row in rows for cell in row))
    read = list(csv.reader(io.StringIO(spreadsheet.csv_text(["a", "b"], rows), newline="")))
    assert read[1:] == [[spreadsheet.cell(cell) for cell in row] for row in rows]


@FAST
@given(any_text)
def test_parse_id_gives_a_positive_64_bit_integer_or_a_plain_refusal(value: str) -> None:
    try:
        number = parse_id(value)
    except UserFacingError:
        return
    assert 0 < number <= MAX_ID


@FAST
@given(st.integers())
def test_parse_id_accepts_exactly_the_ids_that_fit(number: int) -> None:
    try:
        assert parse_id(str(number)) == number
    except UserFacingError:
        assert not 0 < number <= MAX_ID


date_words = st.lists(
    st.sampled_from(
        [
            "2026",
            "2027",
            "9999",
            "0000",
            "1",
            "12",
            "29",
            "31",
            "-",
            "/",
            ":",
            ".",
            " ",
            "dec",
            "feb",
            "today",
            "tomorrow",
            "friday",
            "at",
            "pm",
            "am",
            "14:00",
            "29/2/2028",
            "2026-12-03",
            "99999999999999999999",
        ]
    ),
    max_size=10,
).map("".join)
typed_dates = st.one_of(date_words, any_text)


@FAST
@given(typed_dates, nows, st.sampled_from(ZONES))
def test_when_is_a_future_time_within_two_years_or_a_plain_refusal(
    typed: str, now: datetime, zone: ZoneInfo
) -> None:
    moment = attempt(lambda: parse_when(typed, zone, now))
    if isinstance(moment, UserFacingError):
        assert len(moment.message) < 300
        return
    assert now < moment
    assert moment.astimezone(zone).date() <= years_later(now.astimezone(zone).date(), 2)
    assert len(text.tidy(typed)) <= MAX_TYPED


@FAST
@given(typed_dates, nows, st.sampled_from(ZONES), st.integers(-3000, 3000), st.integers(0, 3000))
def test_a_day_is_within_its_bounds_or_a_plain_refusal(
    typed: str, now: datetime, zone: ZoneInfo, start: int, span: int
) -> None:
    earliest = now.date() + timedelta(days=start)
    latest = earliest + timedelta(days=span)
    day = attempt(lambda: parse_day(typed, zone, now, earliest=earliest, latest=latest))
    if isinstance(day, UserFacingError):
        assert len(day.message) < 300
        return
    assert isinstance(day, date)
    assert earliest <= day <= latest
