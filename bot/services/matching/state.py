"""Buddy matching: the mutable working state of one call of ``match`` and its bookkeeping."""

from __future__ import annotations

from collections.abc import Collection

from bot.services.matching.model import _N_PROFILES, Buddy, Newcomer
from bot.services.matching.scoring import _profile


class Matcher:
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
