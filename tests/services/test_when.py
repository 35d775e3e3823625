from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.services.when import parse_day, parse_when

LONDON = ZoneInfo("Europe/London")
# Tuesday 1 December 2026, 09:00 in London (GMT, so UTC too).
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-03 14:00", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
        ("2026-12-03T14:00", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
        ("3/12/2026 14:00", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
        ("3 Dec 14:00", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
        ("3rd December 2pm", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
        ("Dec 3, 2:30pm", datetime(2026, 12, 3, 14, 30, tzinfo=UTC)),
        ("3 Dec 2027 at 14.00", datetime(2027, 12, 3, 14, 0, tzinfo=UTC)),
        ("tomorrow 10:30", datetime(2026, 12, 2, 10, 30, tzinfo=UTC)),
        ("today 16:00", datetime(2026, 12, 1, 16, 0, tzinfo=UTC)),
        ("16:00", datetime(2026, 12, 1, 16, 0, tzinfo=UTC)),
        ("Friday 12am", datetime(2026, 12, 4, 0, 0, tzinfo=UTC)),
        ("tue 08:00", datetime(2026, 12, 8, 8, 0, tzinfo=UTC)),
    ],
)
def test_reads_the_ways_people_write_times(typed: str, expected: datetime) -> None:
    assert parse_when(typed, LONDON, NOW) == expected


def test_a_day_without_a_year_that_has_passed_means_next_year() -> None:
    assert parse_when("1 Nov 10:00", LONDON, NOW) == datetime(2027, 11, 1, 10, 0, tzinfo=UTC)


def test_summer_times_are_read_in_the_communitys_zone() -> None:
    # London is one hour ahead of UTC in June.
    assert parse_when("2027-06-10 14:00", LONDON, NOW) == datetime(2027, 6, 10, 13, 0, tzinfo=UTC)


def test_a_time_that_has_passed_is_refused_with_an_example() -> None:
    with pytest.raises(InvalidInput, match=r"already passed\. Try a date like 2026-12-08 14:00"):
        parse_when("2026-11-30 14:00", LONDON, NOW)


@pytest.mark.parametrize(
    "typed", ["next week sometime", "3 Dec", "2026-12-03", "3 Smarch 14:00", "25:00", "13pm"]
)
def test_unreadable_times_are_refused_with_examples(typed: str) -> None:
    with pytest.raises(InvalidInput, match="Try a date and time like 2026-12-03 14:00"):
        parse_when(typed, LONDON, NOW)


def test_an_impossible_date_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no day 31 in month 2"):
        parse_when("31/2/2027 10:00", LONDON, NOW)


def test_a_time_skipped_when_clocks_go_forward_is_refused() -> None:
    with pytest.raises(InvalidInput, match="clocks go forward"):
        parse_when("2027-03-28 01:30", LONDON, NOW)


def test_a_time_more_than_two_years_ahead_is_refused() -> None:
    with pytest.raises(
        InvalidInput, match=r"more than 2 years away\. Pick a time on or before 2028-12-01"
    ):
        parse_when("2028-12-02 10:00", LONDON, NOW)


def test_a_time_just_within_two_years_is_read() -> None:
    assert parse_when("2028-12-01 10:00", LONDON, NOW) == datetime(2028, 12, 1, 10, 0, tzinfo=UTC)


def test_the_year_9999_is_refused_plainly() -> None:
    with pytest.raises(InvalidInput, match="more than 2 years away"):
        parse_when("31/12/9999 23:00", LONDON, NOW)


def test_a_long_time_is_refused_quoting_only_a_short_excerpt() -> None:
    with pytest.raises(InvalidInput) as refusal:
        parse_when("tomorrow " * 500 + "10:00", LONDON, NOW)
    assert "too long to be a time" in refusal.value.message
    assert len(refusal.value.message) < 160


def test_an_unreadable_time_is_quoted_safely() -> None:
    with pytest.raises(InvalidInput, match="could not read the time '@\u200beveryone'"):
        parse_when("@everyone", LONDON, NOW)


def test_a_day_is_read_within_its_bounds() -> None:
    day = parse_day("3 Dec", LONDON, NOW, earliest=date(2026, 12, 1), latest=date(2027, 12, 1))
    assert day == date(2026, 12, 3)


def test_a_day_without_a_year_is_taken_in_the_year_that_fits_the_bounds() -> None:
    day = parse_day("3 Dec", LONDON, NOW, earliest=date(2020, 1, 1), latest=date(2026, 11, 30))
    assert day == date(2025, 12, 3)


def test_a_day_out_of_bounds_is_refused_with_the_bounds() -> None:
    with pytest.raises(InvalidInput, match="until must be on or before 2027-12-01"):
        parse_day(
            "2027-12-25", LONDON, NOW, earliest=NOW.date(), latest=date(2027, 12, 1), field="until"
        )


def test_a_far_year_for_a_day_is_refused_plainly() -> None:
    with pytest.raises(InvalidInput, match="The year 9999 is out of range"):
        parse_day("9999-01-01", LONDON, NOW, earliest=NOW.date(), latest=date(2028, 12, 1))
