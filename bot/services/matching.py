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
from dataclasses import dataclass
from datetime import datetime
from functools import cache

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

INTEREST_KINDS: tuple[str, ...] = (
    "education",
    "research",
    "policy",
    "recruitment",
    "training",
    "governance",
    "social",
)
AVAILABILITY_KINDS: tuple[str, ...] = ("weekday_daytime", "weekday_evenings", "weekends")

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

NO_SHARED_REASON = (
    "You were paired because you both want to take part; "
    "your buddy will help you find a time that suits you both."
)

_N_INTERESTS = len(INTEREST_KINDS)
_N_AVAIL = len(AVAILABILITY_KINDS)
_INTEREST_BITS = (1 << _N_INTERESTS) - 1
_N_PROFILES = 1 << (_N_INTERESTS + _N_AVAIL)
_INTEREST_BIT = {kind: 1 << i for i, kind in enumerate(INTEREST_KINDS)}
_AVAIL_BIT = {kind: 1 << i for i, kind in enumerate(AVAILABILITY_KINDS)}
_POP = tuple(bin(m).count("1") for m in range(1 << max(_N_INTERESTS, _N_AVAIL)))
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


class _Matcher:
    """Mutable working state for one call of ``match`` (indices, not ids)."""

    def __init__(
        self,
        buddies: list[Buddy],
        newcomers: list[Newcomer],
        past_pairs: Collection[tuple[int, int]],
    ) -> None:
        self.bid = [b.person_id for b in buddies]
        self.nid = [n.person_id for n in newcomers]
        self.bprof = [_profile(b.interests, b.availability) for b in buddies]
        self.nprof = [_profile(n.interests, n.availability) for n in newcomers]
        self.remaining = [b.free_places for b in buddies]
        self.assigned = [-1] * len(newcomers)
        # Dicts used as insertion-ordered sets: O(1) removal, deterministic order.
        self.members: list[dict[int, None]] = [{} for _ in buddies]
        # Buddy ids each newcomer must not get: history, and never themselves.
        self.forbidden: dict[int, set[int]] = {}
        for buddy_id, newcomer_id in past_pairs:
            self.forbidden.setdefault(newcomer_id, set()).add(buddy_id)
        buddy_ids = set(self.bid)
        for newcomer_id in self.nid:
            if newcomer_id in buddy_ids:
                self.forbidden.setdefault(newcomer_id, set()).add(newcomer_id)
        self.prof_buddies: dict[int, list[int]] = {}
        self.prof_free: dict[int, int] = {}
        self.bpos: list[int] = []  # position of each buddy in its profile's list
        for b, q in enumerate(self.bprof):
            same = self.prof_buddies.setdefault(q, [])
            self.bpos.append(len(same))
            same.append(b)
            self.prof_free[q] = self.prof_free.get(q, 0) + self.remaining[b]
        # Buddies before this position in a profile's list have no free place.
        self.prof_start = dict.fromkeys(self.prof_buddies, 0)
        self.free_total = sum(self.remaining)
        # newcomer profile * _N_PROFILES + buddy profile -> newcomers so paired.
        self.classes: dict[int, dict[int, None]] = {}
        # buddy profile -> newcomer profiles currently paired with it.
        self.by_buddy_prof: dict[int, dict[int, None]] = {}

    # -- bookkeeping -------------------------------------------------------

    def allowed(self, n: int, b: int) -> bool:
        forb = self.forbidden.get(self.nid[n])
        return forb is None or self.bid[b] not in forb

    def assign(self, n: int, b: int) -> None:
        self.assigned[n] = b
        self.members[b][n] = None
        self.remaining[b] -= 1
        self.prof_free[self.bprof[b]] -= 1
        self.free_total -= 1
        p, q = self.nprof[n], self.bprof[b]
        self.classes.setdefault(p * _N_PROFILES + q, {})[n] = None
        self.by_buddy_prof.setdefault(q, {})[p] = None

    def unassign(self, n: int) -> int:
        b = self.assigned[n]
        self.assigned[n] = -1
        del self.members[b][n]
        self.remaining[b] += 1
        p, q = self.nprof[n], self.bprof[b]
        self.prof_free[q] += 1
        self.prof_start[q] = min(self.prof_start[q], self.bpos[b])
        self.free_total += 1
        key = p * _N_PROFILES + q
        group = self.classes[key]
        del group[n]
        if not group:
            del self.classes[key]
            del self.by_buddy_prof[q][p]
        return b

    def free_buddy_in(self, q: int, n: int) -> int:
        """Lowest-id buddy of profile ``q`` with a free place that ``n`` may have, or -1."""
        if self.prof_free.get(q, 0) <= 0:
            return -1
        same = self.prof_buddies[q]
        start = self.prof_start[q]
        while self.remaining[same[start]] <= 0:
            start += 1
        self.prof_start[q] = start
        for i in range(start, len(same)):
            b = same[i]
            if self.remaining[b] > 0 and self.allowed(n, b):
                return b
        return -1

    # -- phase 1: bucketed greedy ------------------------------------------

    def greedy(self, admitted: Sequence[int]) -> None:
        """Place ``admitted`` newcomers, highest-scoring profile pairs first."""
        pending: dict[int, list[int]] = {}
        for n in admitted:
            pending.setdefault(self.nprof[n], []).append(n)
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
                    if self.prof_free.get(q, 0) <= 0:
                        continue
                    still: list[int] = []
                    for n in left:
                        b = self.free_buddy_in(q, n)
                        if b < 0:
                            still.append(n)
                        else:
                            self.assign(n, b)
                    left = still
                    if not left:
                        break
                pending[p] = left
                if left and g + 1 < len(groups):
                    step[p] = g + 1
                    buckets[groups[g + 1][0]].append(p)

    # -- phase 2: alternating paths for people the greedy could not place --

    def place(self, root: int) -> bool:
        """Place unmatched ``root`` by shifting others along an alternating path.

        If no free place can be reached, ``root`` takes the place of the
        latest-waiting reachable newcomer who waited less than ``root``
        (indices are waiting ranks).  Returns whether ``root`` got a place.
        """
        via_buddy: dict[int, int] = {}  # buddy -> newcomer who would move to it
        seen: set[int] = {root}
        queue = [root]
        unvisited = list(range(len(self.bid)))
        evict = -1
        qi = 0
        while qi < len(queue):
            u = queue[qi]
            qi += 1
            still: list[int] = []
            for b in unvisited:
                if not self.allowed(u, b):
                    still.append(b)
                    continue
                via_buddy[b] = u
                if self.remaining[b] > 0:
                    self._shift(b, via_buddy)
                    return True
                for m in self.members[b]:
                    if m not in seen:
                        seen.add(m)
                        queue.append(m)
                        if m > root and m > evict:
                            evict = m
            unvisited = still
        if evict < 0:
            return False
        self._shift(self.unassign(evict), via_buddy)
        return True

    def _shift(self, b: int, via_buddy: dict[int, int]) -> None:
        while True:
            u = via_buddy[b]
            old = self.assigned[u]
            if old >= 0:
                self.unassign(u)
            self.assign(u, b)
            if old < 0:
                return
            b = old

    # -- phase 3a: exact assignment for small weeks --------------------------

    def solve_exactly(self) -> bool:
        """Re-pair the placed newcomers for the best total score (Hungarian method).

        Only the assignment changes, not who is placed.  Runs when the work
        (placed**2 * places) is at most ``EXACT_WORK``; returns whether it ran.
        """
        placed = [n for n, b in enumerate(self.assigned) if b >= 0]
        slots: list[int] = []
        for b in range(len(self.bid)):
            slots.extend([b] * min(self.remaining[b] + len(self.members[b]), len(placed)))
        rows, cols = len(placed), len(slots)
        if rows == 0 or rows * rows * cols > EXACT_WORK:
            return False
        # Costs are negated scores; a past pair costs more than any gain could repay.
        forbidden_cost = (MAX_SCORE + 1) * (rows + 1)
        cost = [
            [
                -_SCORE_OF_SHARED[self.nprof[n] & self.bprof[b]]
                if self.allowed(n, b)
                else forbidden_cost
                for b in slots
            ]
            for n in placed
        ]
        owner = _hungarian(cost, cols)
        chosen = {placed[row]: slots[col] for col, row in enumerate(owner) if row >= 0}
        if any(not self.allowed(n, b) for n, b in chosen.items()):
            return True  # cannot happen (placed people can all be placed); keep what we have
        for n in placed:
            self.unassign(n)
        for n in placed:
            self.assign(n, chosen[n])
        return True

    # -- phase 3b: local improvement ----------------------------------------

    def improve(self, max_rounds: int = 10) -> None:
        """Swap buddies between two pairs, or move to a free place, while it pays."""
        for _ in range(max_rounds):
            changed = False
            for key in list(self.classes):
                p, q = divmod(key, _N_PROFILES)
                current = _profile_score(p, q)
                if current == _score_groups(p)[0][0]:
                    continue  # already the best this profile can get
                while key in self.classes and self._improve_class(p, q, current):
                    changed = True
            if not changed:
                return

    def _improve_class(self, p: int, q: int, current: int) -> bool:
        group = self.classes[p * _N_PROFILES + q]
        score = _SCORE_OF_SHARED
        for better, q2 in _buddy_profiles_by_score(p):
            if better <= current:
                return False
            if q2 == q or q2 not in self.prof_buddies:
                continue
            gain_here = better - current
            for n in group:
                b = self.free_buddy_in(q2, n)
                if b >= 0:
                    self.unassign(n)
                    self.assign(n, b)
                    return True
            for p2 in self.by_buddy_prof.get(q2, {}):
                if score[p2 & q] - score[p2 & q2] + gain_here <= 0:
                    continue
                if self._swap_any(group, self.classes[p2 * _N_PROFILES + q2]):
                    return True
        return False

    def _swap_any(self, group: dict[int, None], others: dict[int, None]) -> bool:
        for n in group:
            b = self.assigned[n]
            for m in others:
                b2 = self.assigned[m]
                if self.allowed(n, b2) and self.allowed(m, b):
                    self.unassign(n)
                    self.unassign(m)
                    self.assign(n, b2)
                    self.assign(m, b)
                    return True
        return False


def _hungarian(cost: list[list[int]], cols: int) -> list[int]:
    """Minimum-cost assignment of every row to a distinct column (rows <= cols).

    Shortest augmenting paths with potentials, O(rows**2 * cols).  Returns, for
    each column, the row assigned to it or -1.
    """
    rows = len(cost)
    big = 1 << 62
    row_pot = [0] * (rows + 1)
    col_pot = [0] * (cols + 1)
    owner = [0] * (cols + 1)  # 1-based row owning each column; column 0 is a sentinel
    way = [0] * (cols + 1)
    for i in range(1, rows + 1):
        owner[0] = i
        j0 = 0
        min_slack = [big] * (cols + 1)
        used = [False] * (cols + 1)
        while True:
            used[j0] = True
            i0 = owner[j0]
            row = cost[i0 - 1]
            pot_i0 = row_pot[i0]
            delta = big
            j1 = 0
            for j in range(1, cols + 1):
                if not used[j]:
                    slack = row[j - 1] - pot_i0 - col_pot[j]
                    if slack < min_slack[j]:
                        min_slack[j] = slack
                        way[j] = j0
                    if min_slack[j] < delta:
                        delta = min_slack[j]
                        j1 = j
            for j in range(cols + 1):
                if used[j]:
                    row_pot[owner[j]] += delta
                    col_pot[j] -= delta
                else:
                    min_slack[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    return [r - 1 for r in owner[1:]]


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
    state = _Matcher(active_buddies, queue, past_pairs)

    # Admit by waiting order, as many as there are free places; repeat if
    # some could not be placed and places are left over.
    next_up = 0
    while next_up < len(queue) and state.free_total > 0:
        admitted = range(next_up, min(len(queue), next_up + state.free_total))
        next_up = admitted.stop
        state.greedy(admitted)
        for n in admitted:
            if state.assigned[n] < 0:
                state.place(n)
    if not state.solve_exactly():
        state.improve()

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
