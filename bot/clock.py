"""The bot's idea of "now". Everything time-dependent asks `bot.clock.now()`, so tests can move
time forward (reminders, check-ins, feedback requests) without waiting."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)
