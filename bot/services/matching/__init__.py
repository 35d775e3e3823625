"""Weekly pairing of buddies (experienced members) with newcomers.

Pure logic: no Discord, no database, standard library only.

Scoring (see ``pair_score``): a pair earns ``BASE_SCORE`` just for being
allowed, ``CAN_MEET_SCORE`` if the two share at least one availability slot,
``EXTRA_SLOT_SCORE`` for each further shared slot and
``SHARED_INTEREST_SCORE`` for each shared interest.  ``CAN_MEET_SCORE`` (15)
is larger than all seven interests together (14), so a pair who can meet
always beats a pair who cannot: people never free at the same time cannot
meet at all, however much they have in common.  Scores run from 1 to 34.

Who gets a place: newcomers are ranked by ``waiting_since`` (then
``person_id``).  When places are scarce the longest-waiting newcomers, up to
the number of free places, are admitted; only then is the total score
maximised among them.  Someone admitted whom history blocks (every buddy
with a place is a past pair) may push out a later-waiting newcomer along an
alternating path; places still left go to the next people in the queue.

Algorithm: people with the same interests and availability ("profiles", at
most 2**7 * 2**3 = 1024) are interchangeable for the score, so a bucketed
greedy walks scores from high to low, giving each newcomer profile the
tightest-fitting buddy profiles at that score (fewest unused extras first);
alternating-path search places anyone it left out.  Small weeks (placed**2 *
places <= ``EXACT_WORK``) are then re-paired exactly with the Hungarian
method; larger ones get a local improvement pass (swap the buddies of two
pairs, or move to a free place, while the total rises).  Large weeks run in
roughly linear time and land within about 1% of the optimum on random data
(``bench/pairing.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from bot.services.matching.exact import solve_exactly
from bot.services.matching.greedy import greedy, place
from bot.services.matching.improve import improve
from bot.services.matching.model import (
    AVAILABILITY_KINDS,
    BASE_SCORE,
    CAN_MEET_SCORE,
    EXACT_WORK,
    EXTRA_SLOT_SCORE,
    INTEREST_KINDS,
    SHARED_INTEREST_SCORE,
    Buddy,
    MatchResult,
    Newcomer,
    Pairing,
)
from bot.services.matching.scoring import MAX_SCORE, _profile_score, _reason, pair_score
from bot.services.matching.state import Matcher

__all__ = [
    "AVAILABILITY_KINDS",
    "BASE_SCORE",
    "CAN_MEET_SCORE",
    "EXACT_WORK",
    "EXTRA_SLOT_SCORE",
    "INTEREST_KINDS",
    "MAX_SCORE",
    "SHARED_INTEREST_SCORE",
    "Buddy",
    "MatchResult",
    "Newcomer",
    "Pairing",
    "match",
    "pair_score",
]


def _check_unique(ids: Iterable[int], what: str) -> None:
    seen: set[int] = set()
    for person_id in ids:
        if person_id in seen:
            raise ValueError(f"duplicate {what} person_id {person_id}")
        seen.add(person_id)


def match(
    buddies: Sequence[Buddy],
    newcomers: Sequence[Newcomer],
    past_pairs: Collection[tuple[int, int]],
) -> MatchResult:
    """Pair newcomers with buddies for this week.

    ``past_pairs`` holds ``(buddy_id, newcomer_id)`` pairs that must not be
    repeated.  Paused people on either side are skipped.  The result does not
    depend on the order of the inputs.  Raises ``ValueError`` if a person_id
    appears twice on the same side.
    """
    _check_unique((b.person_id for b in buddies), "buddy")
    _check_unique((n.person_id for n in newcomers), "newcomer")
    active_buddies = sorted(
        (b for b in buddies if not b.paused and b.free_places > 0),
        key=lambda b: b.person_id,
    )
    queue = sorted(
        (n for n in newcomers if not n.paused),
        key=lambda n: (n.waiting_since, n.person_id),
    )
    state = Matcher(active_buddies, queue, past_pairs)

    # Admit by waiting order, as many as there are free places; repeat if
    # some could not be placed and places are left over.
    next_up = 0
    while next_up < len(queue) and state.free_total > 0:
        admitted = range(next_up, min(len(queue), next_up + state.free_total))
        next_up = admitted.stop
        greedy(state, admitted)
        for n in admitted:
            if state.assigned[n] < 0:
                place(state, n)
    if not solve_exactly(state, EXACT_WORK):
        improve(state)

    pairings = tuple(
        Pairing(
            buddy_id=state.bid[b],
            newcomer_id=state.nid[n],
            score=_profile_score(state.bprof[b], state.nprof[n]),
            reason=_reason(active_buddies[b], queue[n]),
        )
        for n, b in enumerate(state.assigned)
        if b >= 0
    )
    unmatched = tuple(state.nid[n] for n, b in enumerate(state.assigned) if b < 0)
    return MatchResult(pairings=pairings, unmatched=unmatched)
