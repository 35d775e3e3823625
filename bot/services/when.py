"""Read the `when` a coordinator types, in the community's time zone.

Accepted: `2026-12-03 14:00`, `3/12/2026 14:00` (day first, as in the UK), `3 Dec 14:00`,
`Dec 3 2pm`, `today 16:30`, `tomorrow 10:30`, `friday 2:15pm`. A day without a year means its
next occurrence. The answer is an aware UTC datetime, at most two years ahead.

`parse_day` reads a date on its own (`2026-12-03`, `3/12/2026`, `3 Dec 2026`, `3 Dec`, `today`,
`tomorrow`) for the other date options, between bounds the caller gives.

Everything typed is bounded before it is read: more than `MAX_TYPED` characters, a year far
away or a date out of range gets a short refusal that quotes only an excerpt of the input.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.services.text import excerpt, tidy

MAX_TYPED = 60  # "Wednesday 3rd December 2026 at 14:30" is 36
HORIZON_YEARS = 2  # `when` is at most this far ahead
EXAMPLES = "2026-12-03 14:00, 3 Dec 14:00 or tomorrow 10:30"

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
WEEKDAYS = {
    word: number
    for number, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
    for word in (name, name[:3])
}

_TIME = re.compile(r"(?:\s+at)?\s+(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$")
_ISO = re.compile(r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})$")
_DAY_FIRST = re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$")
_DAY_MONTH = re.compile(r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)(?:\s+(?P<y>\d{4}))?$")
_MONTH_DAY = re.compile(r"^(?P<month>[a-z]+)\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<y>\d{4}))?$")


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The moment `text` means, in UTC; refuses unreadable, impossible and past times, and
    times more than two years ahead."""
    text = _bounded(text, "time")
    cleaned = re.sub(r"(\d)t(\d)", r"\1 \2", text.lower())  # 2026-12-03T14:00
    cleaned = " " + " ".join(cleaned.replace(",", " ").split())
    match = _TIME.search(cleaned)
    if match is None:
        raise _unreadable(text)
    clock = _clock(match, text)
    day_words = cleaned[: match.start()].strip()
    local_now = now.astimezone(zone)
    moment = _moment(day_words, clock, zone, local_now, text)
    if moment <= now:
        raise InvalidInput(f"That time has already passed. Try a date like {_example(now, zone)}.")
    latest = years_later(local_now.date(), HORIZON_YEARS)
    if moment.astimezone(zone).date() > latest:
        raise _too_far(latest)
    return moment


def parse_day(
    text: str, zone: ZoneInfo, now: datetime, *, earliest: date, latest: date, field: str = "date"
) -> date:
    """The day `text` means in the community's time zone, from `earliest` to `latest`. A day
    without a year is taken in this year, else the next, else the last, whichever is in range."""
    text = _bounded(text, field)
    words = " ".join(text.lower().replace(",", " ").split())
    today = now.astimezone(zone).date()
    if words in ("today", "tomorrow"):
        day = today + timedelta(days=1 if words == "tomorrow" else 0)
    else:
        day = _explicit_day(words, today, earliest, latest, text, field)
    if day < earliest:
        raise InvalidInput(
            f"The {field} must be on or after {earliest:%Y-%m-%d}. Try a date like "
            f"{max(earliest, today):%Y-%m-%d}."
        )
    if day > latest:
        raise InvalidInput(
            f"The {field} must be on or before {latest:%Y-%m-%d}. Try a date like "
            f"{min(latest, today):%Y-%m-%d}."
        )
    return day


def years_later(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a year without it)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _explicit_day(
    words: str, today: date, earliest: date, latest: date, text: str, field: str
) -> date:
    for pattern in (_ISO, _DAY_FIRST, _DAY_MONTH, _MONTH_DAY):
        found = pattern.match(words)
        if found is None:
            continue
        groups = found.groupdict()
        month = int(groups["m"]) if groups.get("m") else MONTHS.get((groups.get("month") or "")[:3])
        if month is None:
            break
        day = int(groups["d"])
        if groups.get("y"):
            year = int(groups["y"])
            if not earliest.year <= year <= latest.year:
                raise InvalidInput(
                    f"The year {year} is out of range. Give a {field} from "
                    f"{earliest:%Y-%m-%d} to {latest:%Y-%m-%d}."
                )
            return _date(year, month, day)
        for offset in (0, 1, -1):
            candidate = _date_or_none(today.year + offset, month, day)
            if candidate is not None and earliest <= candidate <= latest:
                return candidate
        return _date(today.year, month, day)
    raise InvalidInput(
        f"I could not read the {field} '{excerpt(text)}'. Try a date like {today:%Y-%m-%d}."
    )


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _bounded(text: str, what: str) -> str:
    """`text` cleaned, or a short refusal when it is far too long to be a time or date."""
    cleaned = tidy(text)
    if len(cleaned) > MAX_TYPED:
        raise InvalidInput(
            f"That is too long to be a {what}: '{excerpt(cleaned, 20)}'. "
            f"Try a date and time like {EXAMPLES}."
        )
    return cleaned


def _too_far(latest: date) -> InvalidInput:
    return InvalidInput(
        f"That is more than {HORIZON_YEARS} years away. Pick a time on or before {latest:%Y-%m-%d}."
    )


def _clock(match: re.Match[str], text: str) -> time:
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = match["half"]
    if half is None and match["minute"] is None:
        raise _unreadable(text)  # a bare number is a day, not a time
    if half is not None:
        if not 1 <= hour <= 12:
            raise _unreadable(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _unreadable(text)
    return time(hour, minute)


def _moment(words: str, clock: time, zone: ZoneInfo, local_now: datetime, text: str) -> datetime:
    """Combine the day words with the time; a day given without a year is its next occurrence."""
    today = local_now.date()
    if words in ("", "today"):
        return _localise(today, clock, zone, text)
    if words == "tomorrow":
        return _localise(today + timedelta(days=1), clock, zone, text)
    if words in WEEKDAYS:
        ahead = (WEEKDAYS[words] - today.weekday()) % 7
        moment = _localise(today + timedelta(days=ahead), clock, zone, text)
        if moment > local_now:
            return moment
        return _localise(today + timedelta(days=ahead + 7), clock, zone, text)
    for pattern in (_ISO, _DAY_FIRST, _DAY_MONTH, _MONTH_DAY):
        found = pattern.match(words)
        if found is not None:
            return _dated(found, clock, zone, local_now, text)
    raise _unreadable(text)


def _dated(
    found: re.Match[str], clock: time, zone: ZoneInfo, local_now: datetime, text: str
) -> datetime:
    groups = found.groupdict()
    month = int(groups["m"]) if groups.get("m") else MONTHS.get((groups.get("month") or "")[:3])
    if month is None:
        raise _unreadable(text)
    day = int(groups["d"])
    if groups.get("y"):
        year = int(groups["y"])
        if year < local_now.year:
            raise InvalidInput(
                f"That time has already passed. Try a date like {_example(local_now, zone)}."
            )
        latest = years_later(local_now.date(), HORIZON_YEARS)
        if year > latest.year:
            raise _too_far(latest)
        return _localise(_date(year, month, day), clock, zone, text)
    moment = _localise(_date(local_now.year, month, day), clock, zone, text)
    if moment > local_now:
        return moment
    return _localise(_date(local_now.year + 1, month, day), clock, zone, text)


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise InvalidInput(
            f"There is no day {day} in month {month} of {year}. Check the date and try again."
        ) from error


def _localise(day: date, clock: time, zone: ZoneInfo, text: str) -> datetime:
    """The UTC moment of a wall-clock time; refuses a time skipped when the clocks go forward."""
    local = datetime.combine(day, clock, tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidInput(
            f"'{excerpt(text)}' does not exist: the clocks go forward that night. "
            "Try an hour later."
        )
    return moment


def _example(now: datetime, zone: ZoneInfo) -> str:
    return f"{(now.astimezone(zone) + timedelta(days=7)):%Y-%m-%d} 14:00"


def _unreadable(text: str) -> InvalidInput:
    return InvalidInput(
        f"I could not read the time '{excerpt(text)}'. Try a date and time like {EXAMPLES}."
    )
