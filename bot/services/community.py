"""The community's setup (`/setup`): channels, coordinator role, time zone and quiet hours."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput
from bot.services.text import excerpt
from db.models import Community

_QUIET_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window, in the community's local time, when prompts wait. It may cross midnight
    (21:00-08:00). Equal start and end means no quiet hours."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def next_allowed(self, when: datetime, zone: ZoneInfo) -> datetime:
        """`when` if it is outside quiet hours, else the moment they end (same zone as `when`)."""
        local = when.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return when
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(when.tzinfo)


def parse_quiet_hours(text: str) -> QuietHours:
    match = _QUIET_HOURS.match(text)
    if match:
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60:
            return QuietHours(time(h1, m1), time(h2, m2))
    raise InvalidInput(
        f"I could not read the quiet hours '{excerpt(text)}'. Use two times like 21:00-08:00 "
        "(from 9 in the evening to 8 in the morning)."
    )


def check_timezone(name: str) -> str:
    """Return the IANA name as written in the database of time zones, or refuse it."""
    cleaned = name.strip()
    by_lower = {zone.lower(): zone for zone in available_timezones()}
    canonical = by_lower.get(cleaned.lower())
    if canonical is None:
        raise InvalidInput(
            f"I do not know the time zone '{excerpt(name)}'. Pick one from the list, like Europe/London."
        )
    try:
        ZoneInfo(canonical)
    except ZoneInfoNotFoundError as error:  # listed but not loadable: treat as unknown
        raise InvalidInput(f"I do not know the time zone '{excerpt(name)}'.") from error
    return canonical


def matching_timezones(typed: str, limit: int = 25) -> list[str]:
    """Time zone names containing what was typed, best first (for autocomplete)."""
    needle = typed.strip().lower().replace(" ", "_")
    names = sorted(zone for zone in available_timezones() if "/" in zone and needle in zone.lower())
    names.sort(key=lambda zone: (not zone.lower().startswith(needle), len(zone)))
    return names[:limit]


@dataclass(frozen=True, slots=True)
class CommunitySetup:
    guild_id: int
    timezone: str
    quiet_hours: QuietHours
    announcements_channel_id: int | None = None
    coordinator_role_id: int | None = None
    buddies_channel_id: int | None = None
    feedback_channel_id: int | None = None
    welcome_channel_id: int | None = None
    saved: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def private_threads_channel_id(self) -> int | None:
        """Where each person's private thread lives: the welcome channel, else announcements."""
        return self.welcome_channel_id or self.announcements_channel_id


@dataclass(frozen=True, slots=True)
class SetupChanges:
    """Only the fields given are changed; None means 'leave as it is'."""

    announcements_channel_id: int | None = None
    coordinator_role_id: int | None = None
    buddies_channel_id: int | None = None
    feedback_channel_id: int | None = None
    welcome_channel_id: int | None = None
    timezone: str | None = None
    quiet_hours: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, field.name) is None for field in fields(self))


async def get_setup(
    session: AsyncSession, guild_id: int, default_timezone: str, default_quiet_hours: str
) -> CommunitySetup:
    row = await session.get(Community, guild_id)
    if row is None:
        return CommunitySetup(
            guild_id=guild_id,
            timezone=default_timezone,
            quiet_hours=parse_quiet_hours(default_quiet_hours),
        )
    return _to_setup(row)


async def update_setup(
    session: AsyncSession, current: CommunitySetup, changes: SetupChanges
) -> CommunitySetup:
    """Validate everything first, then write once: nothing is stored unless all of it is valid."""
    timezone = check_timezone(changes.timezone) if changes.timezone else current.timezone
    quiet = parse_quiet_hours(changes.quiet_hours) if changes.quiet_hours else current.quiet_hours
    updated = replace(
        current,
        timezone=timezone,
        quiet_hours=quiet,
        announcements_channel_id=changes.announcements_channel_id
        or current.announcements_channel_id,
        coordinator_role_id=changes.coordinator_role_id or current.coordinator_role_id,
        buddies_channel_id=changes.buddies_channel_id or current.buddies_channel_id,
        feedback_channel_id=changes.feedback_channel_id or current.feedback_channel_id,
        welcome_channel_id=changes.welcome_channel_id or current.welcome_channel_id,
        saved=True,
    )
    row = await session.get(Community, current.guild_id, with_for_update=True)
    if row is None:
        row = Community(guild_id=current.guild_id)
        session.add(row)
    row.timezone = updated.timezone
    row.quiet_hours = str(updated.quiet_hours)
    row.announcements_channel_id = updated.announcements_channel_id
    row.coordinator_role_id = updated.coordinator_role_id
    row.buddies_channel_id = updated.buddies_channel_id
    row.feedback_channel_id = updated.feedback_channel_id
    row.welcome_channel_id = updated.welcome_channel_id
    await session.flush()
    return updated


def _to_setup(row: Community) -> CommunitySetup:
    return CommunitySetup(
        guild_id=row.guild_id,
        timezone=row.timezone,
        quiet_hours=parse_quiet_hours(row.quiet_hours),
        announcements_channel_id=row.announcements_channel_id,
        coordinator_role_id=row.coordinator_role_id,
        buddies_channel_id=row.buddies_channel_id,
        feedback_channel_id=row.feedback_channel_id,
        welcome_channel_id=row.welcome_channel_id,
        saved=True,
    )
