"""Buddy matching, phase 3a: exact assignment for small weeks (Hungarian method)."""

from __future__ import annotations

from bot.services.matching.scoring import _SCORE_OF_SHARED, MAX_SCORE
from bot.services.matching.state import Matcher


def solve_exactly(state: Matcher, max_work: int) -> bool:
    """Re-pair the placed newcomers for the best total score (Hungarian method).

    Only the assignment changes, not who is placed.  Runs when the work
    (placed**2 * places) is at most ``max_work`` (``match`` passes
    ``EXACT_WORK``); returns whether it ran.
    """
    placed = [n for n, b in enumerate(state.assigned) if b >= 0]
    slots: list[int] = []
    for b in range(len(state.bid)):
        slots.extend([b] * min(state.remaining[b] + len(state.members[b]), len(placed)))
    rows, cols = len(placed), len(slots)
    if rows == 0 or rows * rows * cols > max_work:
        return False
    # Costs are negated scores; a past pair costs more than any gain could repay.
    forbidden_cost = (MAX_SCORE + 1) * (rows + 1)
    cost = [
        [
            -_SCORE_OF_SHARED[state.nprof[n] & state.bprof[b]]
            if state.allowed(n, b)
            else forbidden_cost
            for b in slots
        ]
        for n in placed
    ]
    owner = _hungarian(cost, cols)
    chosen = {placed[row]: slots[col] for col, row in enumerate(owner) if row >= 0}
    if any(not state.allowed(n, b) for n, b in chosen.items()):
        return True  # cannot happen (placed people can all be placed); keep what we have
    for n in placed:
        state.unassign(n)
    for n in placed:
        state.assign(n, chosen[n])
    return True


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
