from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.services.when import parse_when

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
