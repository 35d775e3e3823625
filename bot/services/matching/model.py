"""Buddy matching: the people, the result, the interest and availability kinds and the
score weights, plus the bit layout of interest/availability profiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.vocabulary import AVAILABILITY_KINDS, INTEREST_KINDS

__all__ = ["AVAILABILITY_KINDS", "INTEREST_KINDS"]

#: Any allowed pair beats leaving a place empty.
BASE_SCORE = 1
#: At least one shared availability slot: they can actually meet.  Larger than
#: all interests together, so being able to meet matters most.
CAN_MEET_SCORE = 15
#: Each shared slot beyond the first: more room to find a time.
EXTRA_SLOT_SCORE = 2
#: Each shared interest: something to talk about and do together.
SHARED_INTEREST_SCORE = 2

#: Weeks small enough (placed newcomers**2 * places <= this, about 0.3 s at
#: worst) are paired exactly with the Hungarian method instead of greedy +
#: local improvement.
EXACT_WORK = 4_000_000

_N_INTERESTS = len(INTEREST_KINDS)
_N_AVAIL = len(AVAILABILITY_KINDS)
_INTEREST_BITS = (1 << _N_INTERESTS) - 1
_N_PROFILES = 1 << (_N_INTERESTS + _N_AVAIL)
_INTEREST_BIT = {kind: 1 << i for i, kind in enumerate(INTEREST_KINDS)}
_AVAIL_BIT = {kind: 1 << i for i, kind in enumerate(AVAILABILITY_KINDS)}
_POP = tuple(bin(m).count("1") for m in range(1 << max(_N_INTERESTS, _N_AVAIL)))


@dataclass(frozen=True, slots=True)
class Buddy:
    person_id: int
    interests: frozenset[str]
    availability: frozenset[str]
    free_places: int
    paused: bool = False


@dataclass(frozen=True, slots=True)
class Newcomer:
    person_id: int
    interests: frozenset[str]
    availability: frozenset[str]
    waiting_since: datetime
    paused: bool = False


@dataclass(frozen=True, slots=True)
class Pairing:
    buddy_id: int
    newcomer_id: int
    score: int
    reason: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    pairings: tuple[Pairing, ...]
    #: Newcomer ids left without a buddy, longest waiting first (paused
    #: newcomers are not listed: they are not asking for a buddy this week).
    unmatched: tuple[int, ...]
