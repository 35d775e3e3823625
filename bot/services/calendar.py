"""An activity as an iCalendar file (RFC 5545), for "Add to calendar"."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.activities import ActivityView

PRODUCT = "-//Health Citizens//Community bot//EN"


def ics_for(activity: ActivityView, now: datetime) -> str:
    """One event, times in UTC so every calendar shows the reader's own local time."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:activity-{activity.id}-{activity.guild_id}@health-citizens",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(activity.starts_at)}",
        f"DTEND:{_stamp(activity.ends_at)}",
        f"SUMMARY:{_escape(activity.title)}",
        f"LOCATION:{_escape(activity.place or 'Online')}",
        f"STATUS:{'CANCELLED' if activity.cancelled else 'CONFIRMED'}",
    ]
    if activity.description:
        lines.append(f"DESCRIPTION:{_escape(activity.description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def file_name(activity: ActivityView) -> str:
    return f"activity-{activity.id}.ics"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str, limit: int = 75) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    parts: list[str] = []
    current = ""
    for char in line:
        room = limit if not parts else limit - 1
        if len((current + char).encode()) > room:
            parts.append(current)
            current = ""
        current += char
    parts.append(current)
    return "\r\n ".join(parts)
