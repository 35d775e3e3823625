"""Buddy matching: pair scores, profile bit masks and the reasons shown to a pair."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from bot.services.matching.model import (
    _AVAIL_BIT,
    _INTEREST_BIT,
    _INTEREST_BITS,
    _N_AVAIL,
    _N_INTERESTS,
    _N_PROFILES,
    _POP,
    AVAILABILITY_KINDS,
    BASE_SCORE,
    CAN_MEET_SCORE,
    EXTRA_SLOT_SCORE,
    INTEREST_KINDS,
    SHARED_INTEREST_SCORE,
    Buddy,
    Newcomer,
)

NO_SHARED_REASON = (
    "You were paired because you both want to take part; "
    "your buddy will help you find a time that suits you both."
)

_AVAIL_WORDS = {
    "weekday_daytime": "weekday daytime",
    "weekday_evenings": "weekday evenings",
    "weekends": "weekends",
}


def _availability_points(shared_slots: int) -> int:
    if shared_slots == 0:
        return 0
    return CAN_MEET_SCORE + EXTRA_SLOT_SCORE * (shared_slots - 1)


MAX_SCORE = BASE_SCORE + SHARED_INTEREST_SCORE * _N_INTERESTS + _availability_points(_N_AVAIL)


def _profile(interests: Iterable[str], availability: Iterable[str]) -> int:
    """Bit mask: interests in the low 7 bits, availability above.

    Kinds outside ``INTEREST_KINDS`` / ``AVAILABILITY_KINDS`` are ignored.
    """
    mask = 0
    for kind in interests:
        mask |= _INTEREST_BIT.get(kind, 0)
    for kind in availability:
        mask |= _AVAIL_BIT.get(kind, 0) << _N_INTERESTS
    return mask


# The score depends only on what two profiles share (p & q): precompute it.
_SCORE_OF_SHARED = tuple(
    BASE_SCORE
    + SHARED_INTEREST_SCORE * _POP[both & _INTEREST_BITS]
    + _availability_points(_POP[both >> _N_INTERESTS])
    for both in range(_N_PROFILES)
)


def _profile_score(p: int, q: int) -> int:
    return _SCORE_OF_SHARED[p & q]


def pair_score(buddy: Buddy, newcomer: Newcomer) -> int:
    """Score of pairing ``buddy`` with ``newcomer`` (ignores pauses, history, places)."""
    return _profile_score(
        _profile(buddy.interests, buddy.availability),
        _profile(newcomer.interests, newcomer.availability),
    )


def _join_words(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _reason(buddy: Buddy, newcomer: Newcomer) -> str:
    interests = [k for k in INTEREST_KINDS if k in buddy.interests and k in newcomer.interests]
    times = [
        _AVAIL_WORDS[k]
        for k in AVAILABILITY_KINDS
        if k in buddy.availability and k in newcomer.availability
    ]
    if interests and times:
        return f"You both care about {_join_words(interests)} and are free on {_join_words(times)}."
    if interests:
        return (
            f"You both care about {_join_words(interests)}; "
            "your buddy will help you find a time that suits you both."
        )
    if times:
        return f"You are both free on {_join_words(times)}."
    return NO_SHARED_REASON


@cache
def _masks_with_overlap(interests: int, shared: int) -> tuple[int, ...]:
    """Interest masks sharing exactly ``shared`` kinds with ``interests``, fewest extras first."""
    masks = [m for m in range(_INTEREST_BITS + 1) if _POP[interests & m] == shared]
    masks.sort(key=lambda m: (_POP[m], m))
    return tuple(masks)


@cache
def _score_groups(profile: int) -> tuple[tuple[int, int, int], ...]:
    """For a newcomer profile: (score, buddy availability mask, shared interests), best first.

    Ties prefer buddy availability masks with fewer slots (tightest fit).
    """
    interests = profile & _INTEREST_BITS
    avail = profile >> _N_INTERESTS
    groups = [
        (
            BASE_SCORE + SHARED_INTEREST_SCORE * shared + _availability_points(_POP[avail & other]),
            other,
            shared,
        )
        for other in range(1 << _N_AVAIL)
        for shared in range(_POP[interests] + 1)
    ]
    groups.sort(key=lambda g: (-g[0], _POP[g[1]], g[1], g[2]))
    return tuple(groups)


def _buddy_profiles_by_score(profile: int) -> Iterable[tuple[int, int]]:
    """Yield (score, buddy profile) for every possible buddy profile, best first."""
    interests = profile & _INTEREST_BITS
    for score, other_avail, shared in _score_groups(profile):
        base = other_avail << _N_INTERESTS
        for other_interests in _masks_with_overlap(interests, shared):
            yield score, base | other_interests
