"""Buddy matching, phases 1 and 2: the bucketed greedy over profiles, then alternating
paths for people the greedy could not place."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.matching.model import _INTEREST_BITS, _N_INTERESTS
from bot.services.matching.scoring import MAX_SCORE, _masks_with_overlap, _score_groups
from bot.services.matching.state import Matcher

# -- phase 1: bucketed greedy ------------------------------------------


def greedy(state: Matcher, admitted: Sequence[int]) -> None:
    """Place ``admitted`` newcomers, highest-scoring profile pairs first."""
    pending: dict[int, list[int]] = {}
    for n in admitted:
        pending.setdefault(state.nprof[n], []).append(n)
    buckets: list[list[int]] = [[] for _ in range(MAX_SCORE + 1)]
    step: dict[int, int] = {}
    for p in pending:
        step[p] = 0
        buckets[_score_groups(p)[0][0]].append(p)
    for score in range(MAX_SCORE, 0, -1):
        bucket = buckets[score]
        i = 0
        while i < len(bucket):  # the bucket may grow while we walk it
            p = bucket[i]
            i += 1
            groups = _score_groups(p)
            g = step[p]
            _, other_avail, shared = groups[g]
            left = pending[p]
            base = other_avail << _N_INTERESTS
            for other_interests in _masks_with_overlap(p & _INTEREST_BITS, shared):
                q = base | other_interests
                if state.prof_free.get(q, 0) <= 0:
                    continue
                still: list[int] = []
                for n in left:
                    b = state.free_buddy_in(q, n)
                    if b < 0:
                        still.append(n)
                    else:
                        state.assign(n, b)
                left = still
                if not left:
                    break
            pending[p] = left
            if left and g + 1 < len(groups):
                step[p] = g + 1
                buckets[groups[g + 1][0]].append(p)


# -- phase 2: alternating paths for people the greedy could not place --


def place(state: Matcher, root: int) -> bool:
    """Place unmatched ``root`` by shifting others along an alternating path.

    If no free place can be reached, ``root`` takes the place of the
    latest-waiting reachable newcomer who waited less than ``root``
    (indices are waiting ranks).  Returns whether ``root`` got a place.
    """
    via_buddy: dict[int, int] = {}  # buddy -> newcomer who would move to it
    seen: set[int] = {root}
    queue = [root]
    unvisited = list(range(len(state.bid)))
    evict = -1
    qi = 0
    while qi < len(queue):
        u = queue[qi]
        qi += 1
        still: list[int] = []
        for b in unvisited:
            if not state.allowed(u, b):
                still.append(b)
                continue
            via_buddy[b] = u
            if state.remaining[b] > 0:
                _shift(state, b, via_buddy)
                return True
            for m in state.members[b]:
                if m not in seen:
                    seen.add(m)
                    queue.append(m)
                    if m > root and m > evict:
                        evict = m
        unvisited = still
    if evict < 0:
        return False
    _shift(state, state.unassign(evict), via_buddy)
    return True


def _shift(state: Matcher, b: int, via_buddy: dict[int, int]) -> None:
    while True:
        u = via_buddy[b]
        old = state.assigned[u]
        if old >= 0:
            state.unassign(u)
        state.assign(u, b)
        if old < 0:
            return
        b = old
