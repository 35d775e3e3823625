"""Activities as iCalendar files (RFC 5545, built with the `icalendar` library), for
"Add to calendar".

One activity is one VEVENT with times in UTC, so every calendar shows the reader's own time.
A series is one VEVENT with a rule, in the community's time zone (TZID and a VTIMEZONE), so
14:00 stays 14:00 across a clock change:
- weekly and fortnightly: FREQ=WEEKLY;INTERVAL=1 or 2;
- monthly on the same weekday of the month: FREQ=MONTHLY;BYDAY=2TU. A fifth weekday falls back
  to the last one in months without it, which is exactly "the last": BYDAY=-1FR. (BYDAY=5FR
  would skip those months.)
- UNTIL is the end of the last day, in UTC as RFC 5545 requires with a TZID start;
- a cancelled date is an EXDATE (a series cancelled from its first date is STATUS:CANCELLED);
- a date moved or changed on its own is an extra VEVENT with the same UID and a RECURRENCE-ID
  naming the date the rule gave it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import icalendar

from bot.services.activities import ActivityView
from bot.services.series import SeriesCalendar

PRODUCT = "-//Health Citizens//Community bot//EN"


def ics_for(activity: ActivityView, now: datetime) -> str:
    """One event, times in UTC so every calendar shows the reader's own local time."""
    calendar = _calendar()
    event = _event(f"activity-{activity.id}-{activity.guild_id}@health-citizens", now)
    _details(event, activity.title, activity.place, activity.description)
    event.add("dtstart", activity.starts_at.astimezone(UTC))
    event.add("dtend", activity.ends_at.astimezone(UTC))
    event.add("status", "CANCELLED" if activity.cancelled else "CONFIRMED")
    calendar.add_component(event)
    return _text(calendar)


def series_ics(series: SeriesCalendar, now: datetime) -> str:
    """The whole series: one event with its rule, cancelled dates and changed dates."""
    calendar = _calendar()
    uid = f"series-{series.id}-{series.guild_id}@health-citizens"
    event = _event(uid, now)
    _details(event, series.title, series.place, series.description)
    event.add("dtstart", series.first_start)
    event.add("dtend", series.first_start + timedelta(minutes=series.duration_minutes))
    rule: dict[str, object] = {
        "freq": series.frequency,
        "interval": series.interval,
        "until": datetime.combine(series.until, time(23, 59, 59), tzinfo=series.zone).astimezone(
            UTC
        ),
    }
    if series.by_day is not None:
        rule["byday"] = series.by_day
    event.add("rrule", rule)
    if series.exdates:
        event.add("exdate", list(series.exdates))
    event.add("status", "CANCELLED" if series.cancelled else "CONFIRMED")
    calendar.add_component(event)
    for override in series.overrides:
        changed = _event(uid, now)
        activity = override.activity
        _details(changed, activity.title, activity.place, activity.description)
        changed.add("recurrence-id", override.rule_start)
        changed.add("dtstart", activity.starts_at.astimezone(series.zone))
        changed.add("dtend", activity.ends_at.astimezone(series.zone))
        changed.add("status", "CONFIRMED")
        calendar.add_component(changed)
    calendar.add_missing_timezones()
    return _text(calendar)


def file_name(activity: ActivityView) -> str:
    return f"activity-{activity.id}.ics"


def series_file_name(series: SeriesCalendar) -> str:
    return f"series-{series.id}.ics"


def _calendar() -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODUCT)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def _event(uid: str, now: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    return event


def _details(
    event: icalendar.Event, title: str, place: str | None, description: str | None
) -> None:
    event.add("summary", title)
    event.add("location", place or "Online")
    if description:
        event.add("description", description)


def _text(calendar: icalendar.Calendar) -> str:
    ical: bytes = calendar.to_ical()
    return ical.decode()
