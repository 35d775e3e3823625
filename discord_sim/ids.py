"""Snowflake ids and timestamps shaped like Discord's."""

from __future__ import annotations

import datetime
import time

DISCORD_EPOCH_MS = 1420070400000


class Snowflakes:
    """Hands out unique, increasing snowflakes.

    Real snowflakes embed a millisecond timestamp, so discord.py's
    ``created_at`` on simulated objects reads as "now" rather than 2015.
    """

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(stamp, self._last + 1)
        return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A new snowflake that Discord's rule ``(id >> 22) % count`` puts on ``shard_id``
        (its timestamp may lie a few milliseconds ahead)."""
        moment = self.next() >> 22
        while moment % shard_count != shard_id:
            moment += 1
        self._last = max(self._last, moment << 22)
        return self._last


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def now_iso() -> str:
    return iso(datetime.datetime.now(datetime.UTC))


def parse_iso(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed
