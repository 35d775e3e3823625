"""Benchmark for the weekly buddy pairing (bot/services/matching.py).

Usage, from the repository root:

    .venv/bin/python bench/pairing.py [--seed N] [--people N]

Builds a random community (a quarter buddies with 1-3 free places, three
quarters newcomers, waiting times spread over six months, past pairs), times
``match`` (best of 3), then computes the optimum with SciPy's
``linear_sum_assignment`` on the capacity-expanded score matrix and prints
how close ``match`` comes.  Places are scarce, so both sides follow the
waiting-order rule: the optimum is taken over the longest-waiting newcomers,
as many as there are places.  If that matrix would be too big, the optimum
(and a second ``match`` run) use a smaller instance drawn the same way.

This is a report, not a test: it always exits 0 unless it crashes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Make `bot` importable when run as `python bench/pairing.py` from the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.services.matching import (
    AVAILABILITY_KINDS,
    INTEREST_KINDS,
    Buddy,
    MatchResult,
    Newcomer,
    match,
    pair_score,
)

TIME_GOAL_S = 1.0
RATIO_GOAL_PCT = 98.0
#: Largest score matrix (places x newcomers) the optimum is computed on.
MAX_CELLS = 30_000_000
SUB_INSTANCE_PEOPLE = 2_000
FORBIDDEN = -1_000_000.0
NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


Instance = tuple[list[Buddy], list[Newcomer], set[tuple[int, int]]]


def build_instance(seed: int, people: int) -> Instance:
    """A quarter buddies, three quarters newcomers, past pairs about half of people."""
    rng = random.Random(seed)
    n_buddies = people // 4
    n_newcomers = people - n_buddies

    def interests() -> frozenset[str]:
        return frozenset(rng.sample(INTEREST_KINDS, rng.randint(1, 4)))

    def availability() -> frozenset[str]:
        return frozenset(rng.sample(AVAILABILITY_KINDS, rng.randint(1, 3)))

    buddies = [
        Buddy(1 + i, interests(), availability(), free_places=rng.randint(1, 3))
        for i in range(n_buddies)
    ]
    newcomers = [
        Newcomer(
            1_000_000 + i,
            interests(),
            availability(),
            waiting_since=NOW - timedelta(minutes=rng.randint(0, 180 * 24 * 60)),
        )
        for i in range(n_newcomers)
    ]
    past: set[tuple[int, int]] = set()
    if buddies and newcomers:
        while len(past) < people // 2:
            past.add((rng.choice(buddies).person_id, rng.choice(newcomers).person_id))
    return buddies, newcomers, past


def admitted_newcomers(buddies: list[Buddy], newcomers: list[Newcomer]) -> list[Newcomer]:
    """The waiting-order rule: the longest-waiting newcomers, as many as there are places."""
    places = sum(b.free_places for b in buddies if not b.paused and b.free_places > 0)
    queue = sorted(
        (n for n in newcomers if not n.paused), key=lambda n: (n.waiting_since, n.person_id)
    )
    return queue[:places]


def optimum(instance: Instance) -> tuple[int, int, int, int]:
    """(optimal total score, places, newcomers considered, pairs forced onto past pairs)."""
    buddies, newcomers, past = instance
    slots = [b for b in buddies if not b.paused for _ in range(max(b.free_places, 0))]
    admitted = admitted_newcomers(buddies, newcomers)
    if not slots or not admitted:
        return 0, len(slots), len(admitted), 0

    # People with the same interests and availability score alike: score each pair of
    # profiles once with the public pair_score, then index the table.
    def key(p: Buddy | Newcomer) -> tuple[frozenset[str], frozenset[str]]:
        return p.interests, p.availability

    brep = {key(b): b for b in slots}
    nrep = {key(n): n for n in admitted}
    bkeys = {k: i for i, k in enumerate(brep)}
    nkeys = {k: i for i, k in enumerate(nrep)}
    table = np.empty((len(bkeys), len(nkeys)), dtype=np.float64)
    for bk, bi in bkeys.items():
        for nk, ni in nkeys.items():
            table[bi, ni] = pair_score(brep[bk], nrep[nk])
    rows = np.array([bkeys[key(b)] for b in slots])
    cols = np.array([nkeys[key(n)] for n in admitted])
    scores = table[rows[:, None], cols[None, :]]
    row_of: dict[int, list[int]] = {}
    for r, b in enumerate(slots):
        row_of.setdefault(b.person_id, []).append(r)
    col_of = {n.person_id: c for c, n in enumerate(admitted)}
    for buddy_id, newcomer_id in past:
        if newcomer_id in col_of:
            for r in row_of.get(buddy_id, []):
                scores[r, col_of[newcomer_id]] = FORBIDDEN
    r_idx, c_idx = linear_sum_assignment(scores, maximize=True)
    chosen = scores[r_idx, c_idx]
    allowed = chosen > FORBIDDEN / 2
    return int(chosen[allowed].sum()), len(slots), len(admitted), int((~allowed).sum())


def time_match(instance: Instance, repeats: int = 3) -> tuple[MatchResult, float]:
    buddies, newcomers, past = instance
    best = float("inf")
    result = match(buddies, newcomers, past)
    for _ in range(repeats):
        start = time.perf_counter()
        result = match(buddies, newcomers, past)
        best = min(best, time.perf_counter() - start)
    return result, best


def problems(instance: Instance, result: MatchResult) -> list[str]:
    """Rule violations in ``result`` (empty when all is well)."""
    buddies, _, past = instance
    found = []
    places = {b.person_id: b.free_places for b in buddies if not b.paused}
    used = Counter(p.buddy_id for p in result.pairings)
    if any(count > places.get(buddy_id, 0) for buddy_id, count in used.items()):
        found.append("a buddy got more newcomers than free places (or is paused)")
    if any((p.buddy_id, p.newcomer_id) in past for p in result.pairings):
        found.append("a past pair was repeated")
    placed = {p.newcomer_id for p in result.pairings}
    if len(placed) != len(result.pairings):
        found.append("a newcomer got two buddies")
    return found


def report(seed: int, people: int) -> None:
    instance = build_instance(seed, people)
    buddies, newcomers, past = instance
    places = sum(b.free_places for b in buddies)
    print(f"Buddy pairing benchmark, seed {seed}")
    print(
        f"people:            {len(buddies) + len(newcomers):,} ({len(buddies):,} buddies with "
        f"{places:,} free places, {len(newcomers):,} newcomers, {len(past):,} past pairs)"
    )
    result, seconds = time_match(instance)
    score = sum(p.score for p in result.pairings)
    print(f"time to match:     {seconds:.3f} s (best of 3, one core, pure Python)")
    print(f"pairs made:        {len(result.pairings):,} ({len(result.unmatched):,} left waiting)")
    print(f"total score:       {score:,}")
    issues = problems(instance, result)
    print(f"rule checks:       {'all pass' if not issues else '; '.join(issues)}")

    cells = places * min(len(newcomers), places)
    if cells <= MAX_CELLS:
        compared, compared_result, label = instance, result, "full instance"
    else:
        compared = build_instance(seed, SUB_INSTANCE_PEOPLE)
        compared_result, _ = time_match(compared, repeats=1)
        label = f"sub-instance of {SUB_INSTANCE_PEOPLE:,} people drawn the same way"
    compared_score = sum(p.score for p in compared_result.pairings)
    start = time.perf_counter()
    best, n_slots, n_admitted, forced = optimum(compared)
    lsa_seconds = time.perf_counter() - start
    if compared is not instance:
        print(f"match on {label}: total score {compared_score:,}")
    print(
        f"optimum:           {best:,} ({label}; linear_sum_assignment on {n_slots:,} places x "
        f"{n_admitted:,} longest-waiting newcomers, {lsa_seconds:.1f} s)"
    )
    if forced:
        print(f"note:              {forced} admitted newcomer(s) could only go to a past pair")
    ratio = 100.0 * compared_score / best if best else 100.0
    print(f"ratio:             {ratio:.2f} % of optimum")
    admitted = {n.person_id for n in admitted_newcomers(compared[0], compared[1])}
    placed = {p.newcomer_id for p in compared_result.pairings}
    same = "yes" if placed == admitted else "no (someone admitted could only have had a past pair)"
    print(f"placed = longest-waiting admitted: {same}")
    print(f"goal  time < {TIME_GOAL_S:g} s:  {'met' if seconds < TIME_GOAL_S else 'NOT met'}")
    print(f"goal  ratio >= {RATIO_GOAL_PCT:g} %: {'met' if ratio >= RATIO_GOAL_PCT else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--people", type=int, default=10_000, help="community size (default 10,000)"
    )
    args = parser.parse_args()
    report(args.seed, args.people)


if __name__ == "__main__":
    main()
