"""What every part of the buddy programme needs: how pairs run, what callers get back, and
turning rows into those results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.services.outbox import OutboxPayload
from db.models import BuddyEnrolment, BuddyPair

OPEN = ("proposed", "active")  # pairs that hold a buddy's place and a newcomer's turn

Answer = Literal["yes", "notyet", "help"]
EndReason = Literal["ended", "new_buddy", "left", "finished"]


@dataclass(frozen=True, slots=True)
class Plan:
    """How pairs run, from `settings.buddies`."""

    approve_first: bool
    checkin_days: tuple[int, ...]
    pair_weeks: int


@dataclass(frozen=True, slots=True)
class Pair:
    id: int
    buddy_user_id: int
    newcomer_user_id: int
    status: str
    reason: str
    started_at: datetime | None
    ends_at: datetime | None
    thread_id: int | None
    talked: bool
    help_requested: bool

    def other(self, user_id: int) -> int:
        return self.newcomer_user_id if user_id == self.buddy_user_id else self.buddy_user_id


@dataclass(frozen=True, slots=True)
class Enrolment:
    user_id: int
    role: str
    capacity: int
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Status:
    enrolment: Enrolment
    pairs: tuple[Pair, ...]
    next_checkin: datetime | None


@dataclass(frozen=True, slots=True)
class RunResult:
    pairs: tuple[Pair, ...]
    waiting: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Overview:
    active: tuple[Pair, ...]
    proposed: tuple[Pair, ...]
    waiting: tuple[Enrolment, ...]
    free_places: tuple[tuple[int, int], ...]  # (buddy user id, places free)


def enrolment_view(row: BuddyEnrolment) -> Enrolment:
    return Enrolment(row.user_id, row.role, row.capacity, row.joined_at)


def pair_view(pair: BuddyPair) -> Pair:
    return Pair(
        id=pair.id,
        buddy_user_id=pair.buddy_user_id,
        newcomer_user_id=pair.newcomer_user_id,
        status=pair.status,
        reason=pair.reason,
        started_at=pair.started_at,
        ends_at=pair.ends_at,
        thread_id=pair.thread_id,
        talked=pair.talked_at is not None,
        help_requested=pair.help_requested_at is not None,
    )


@dataclass(frozen=True, slots=True)
class PairPayload(OutboxPayload):
    """The payload of a buddy pair's messages (proposal, intro, check-in, help, thanks)."""

    pair_id: int


@dataclass(frozen=True, slots=True)
class EndedPayload(OutboxPayload):
    """The payload of "your pair has ended": whether the person is back on the waiting list."""

    back_on_list: bool
