"""Buddy matching, phase 3b: local improvement (swap buddies, or move to a free place)."""

from __future__ import annotations

from bot.services.matching.model import _N_PROFILES
from bot.services.matching.scoring import (
    _SCORE_OF_SHARED,
    _buddy_profiles_by_score,
    _profile_score,
    _score_groups,
)
from bot.services.matching.state import Matcher


def improve(state: Matcher, max_rounds: int = 10) -> None:
    """Swap buddies between two pairs, or move to a free place, while it pays."""
    for _ in range(max_rounds):
        changed = False
        for key in list(state.classes):
            p, q = divmod(key, _N_PROFILES)
            current = _profile_score(p, q)
            if current == _score_groups(p)[0][0]:
                continue  # already the best this profile can get
            while key in state.classes and _improve_class(state, p, q, current):
                changed = True
        if not changed:
            return


def _improve_class(state: Matcher, p: int, q: int, current: int) -> bool:
    group = state.classes[p * _N_PROFILES + q]
    score = _SCORE_OF_SHARED
    for better, q2 in _buddy_profiles_by_score(p):
        if better <= current:
            return False
        if q2 == q or q2 not in state.prof_buddies:
            continue
        gain_here = better - current
        for n in group:
            b = state.free_buddy_in(q2, n)
            if b >= 0:
                state.unassign(n)
                state.assign(n, b)
                return True
        for p2 in state.by_buddy_prof.get(q2, {}):
            if score[p2 & q] - score[p2 & q2] + gain_here <= 0:
                continue
            if _swap_any(state, group, state.classes[p2 * _N_PROFILES + q2]):
                return True
    return False


def _swap_any(state: Matcher, group: dict[int, None], others: dict[int, None]) -> bool:
    for n in group:
        b = state.assigned[n]
        for m in others:
            b2 = state.assigned[m]
            if state.allowed(n, b2) and state.allowed(m, b):
                state.unassign(n)
                state.unassign(m)
                state.assign(n, b2)
                state.assign(m, b)
                return True
    return False
