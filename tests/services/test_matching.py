"""Unit tests for the weekly buddy pairing (bot/services/matching.py)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.services import matching
from bot.services.matching import (
    AVAILABILITY_KINDS,
    INTEREST_KINDS,
    Buddy,
    MatchResult,
    Newcomer,
    match,
    pair_score,
)

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
NO_SHARED = (
    "You were paired because you both want to take part; "
    "your buddy will help you find a time that suits you both."
)


def buddy(
    person_id: int,
    interests: Sequence[str] = ("research",),
    availability: Sequence[str] = ("weekends",),
    free_places: int = 1,
    *,
    paused: bool = False,
) -> Buddy:
    return Buddy(person_id, frozenset(interests), frozenset(availability), free_places, paused)


def newcomer(
    person_id: int,
    days_waiting: int = 0,
    interests: Sequence[str] = ("research",),
    availability: Sequence[str] = ("weekends",),
    *,
    paused: bool = False,
) -> Newcomer:
    since = START - timedelta(days=days_waiting)
    return Newcomer(person_id, frozenset(interests), frozenset(availability), since, paused)


@pytest.fixture(params=["exact", "greedy"])
def solver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on both code paths: exact (small weeks) and greedy + improvement."""
    if request.param == "greedy":
        monkeypatch.setattr(matching, "EXACT_WORK", 0)
    return str(request.param)


def random_people(
    rng: random.Random, n_buddies: int, n_newcomers: int, max_places: int = 3
) -> tuple[list[Buddy], list[Newcomer]]:
    def pick(kinds: tuple[str, ...]) -> list[str]:
        return rng.sample(kinds, rng.randint(0, len(kinds)))

    buddies = [
        buddy(100 + i, pick(INTEREST_KINDS), pick(AVAILABILITY_KINDS), rng.randint(1, max_places))
        for i in range(n_buddies)
    ]
    newcomers = [
        newcomer(500 + i, rng.randint(0, 60), pick(INTEREST_KINDS), pick(AVAILABILITY_KINDS))
        for i in range(n_newcomers)
    ]
    return buddies, newcomers


def total(result: MatchResult) -> int:
    return sum(p.score for p in result.pairings)


def brute_force_optimum(
    buddies: Sequence[Buddy], newcomers: Sequence[Newcomer], past: set[tuple[int, int]]
) -> tuple[frozenset[int], int]:
    """(placed newcomer ids, total score) of the best result, trying every possibility.

    "Best" is the rule ``match`` promises: going down the queue (longest waiting
    first), everyone who can still be placed is placed, even if that costs score;
    among results placing those people, the total score is as high as possible.
    """
    active = [b for b in buddies if not b.paused and b.free_places > 0]
    queue = sorted(
        (n for n in newcomers if not n.paused), key=lambda n: (n.waiting_since, n.person_id)
    )
    places = [b.free_places for b in active]
    placed = [False] * len(queue)
    best: tuple[tuple[bool, ...], int] = ((), -1)

    def walk(i: int, score: int) -> None:
        nonlocal best
        if i == len(queue):
            best = max(best, (tuple(placed), score))
            return
        walk(i + 1, score)  # this newcomer gets no buddy
        n = queue[i]
        for j, b in enumerate(active):
            if places[j] > 0 and (b.person_id, n.person_id) not in past:
                places[j] -= 1
                placed[i] = True
                walk(i + 1, score + pair_score(b, n))
                placed[i] = False
                places[j] += 1

    walk(0, 0)
    flags, score = best
    return frozenset(n.person_id for n, f in zip(queue, flags, strict=True) if f), score


def test_capacity_is_respected(solver: str) -> None:
    buddies = [buddy(1, free_places=1), buddy(2, free_places=2), buddy(3, free_places=3)]
    newcomers = [newcomer(10 + i, days_waiting=i) for i in range(10)]

    result = match(buddies, newcomers, past_pairs=set())

    per_buddy = Counter(p.buddy_id for p in result.pairings)
    assert per_buddy == {1: 1, 2: 2, 3: 3}
    assert len(result.unmatched) == 4


def test_past_pairs_are_never_repeated(solver: str) -> None:
    # Buddy 1 is the perfect fit for newcomer 10, but they have been paired before.
    buddies = [
        buddy(1, ["research", "policy"], ["weekends"]),
        buddy(2, ["social"], ["weekday_daytime"]),
    ]
    newcomers = [newcomer(10, interests=["research", "policy"], availability=["weekends"])]

    result = match(buddies, newcomers, past_pairs={(1, 10)})

    assert [(p.buddy_id, p.newcomer_id) for p in result.pairings] == [(2, 10)]


def test_paused_buddies_are_skipped(solver: str) -> None:
    buddies = [buddy(1, free_places=3, paused=True), buddy(2, free_places=1)]
    newcomers = [newcomer(10, days_waiting=5), newcomer(11, days_waiting=1)]

    result = match(buddies, newcomers, past_pairs=set())

    assert [(p.buddy_id, p.newcomer_id) for p in result.pairings] == [(2, 10)]
    assert result.unmatched == (11,)


def test_paused_newcomers_are_skipped(solver: str) -> None:
    buddies = [buddy(1, free_places=3)]
    newcomers = [newcomer(10, days_waiting=30, paused=True), newcomer(11, days_waiting=1)]

    result = match(buddies, newcomers, past_pairs=set())

    assert [p.newcomer_id for p in result.pairings] == [11]
    assert result.unmatched == ()  # a paused newcomer is not waiting this week


def test_longest_waiting_get_the_places_when_scarce(solver: str) -> None:
    # Two places. The newest newcomers fit the buddy perfectly; the oldest share nothing.
    buddies = [buddy(1, ["research", "policy"], ["weekends"], free_places=2)]
    perfect = (["research", "policy"], ["weekends"])
    newcomers = [
        newcomer(20, 1, *perfect),
        newcomer(21, 2, *perfect),
        newcomer(12, days_waiting=40, interests=["social"], availability=[]),
        newcomer(11, days_waiting=30, interests=["training"], availability=["weekday_daytime"]),
        newcomer(13, days_waiting=30, interests=["governance"], availability=[]),
    ]

    result = match(buddies, newcomers, past_pairs=set())

    # 12 waited longest; 11 and 13 tie on waiting time and the lower id wins.
    assert sorted(p.newcomer_id for p in result.pairings) == [11, 12]
    assert result.unmatched == (13, 21, 20)


def test_longest_waiting_keep_priority_when_history_limits_options(solver: str) -> None:
    # Newcomer 10 (longest waiting) may only have buddy 1; 11 fits buddy 1 better
    # but must not push 10 out. 12 waited least and gets nobody.
    buddies = [buddy(1, ["research"], ["weekends"]), buddy(2, ["social"], ["weekends"])]
    newcomers = [
        newcomer(10, days_waiting=9, interests=["policy"], availability=["weekday_daytime"]),
        newcomer(11, days_waiting=8, interests=["research"], availability=["weekends"]),
        newcomer(12, days_waiting=1, interests=["social"], availability=["weekends"]),
    ]

    result = match(buddies, newcomers, past_pairs={(2, 10)})

    assert sorted((p.buddy_id, p.newcomer_id) for p in result.pairings) == [(1, 10), (2, 11)]
    assert result.unmatched == (12,)


def test_same_input_in_any_order_gives_the_same_result(solver: str) -> None:
    rng = random.Random(7)
    buddies, newcomers = random_people(rng, 30, 80)
    past = {(b.person_id, n.person_id) for b in buddies for n in newcomers if rng.random() < 0.1}
    expected = match(buddies, newcomers, past)

    for _ in range(5):
        rng.shuffle(buddies)
        rng.shuffle(newcomers)
        shuffled_past = list(past)
        rng.shuffle(shuffled_past)
        assert match(buddies, newcomers, shuffled_past) == expected


@pytest.mark.parametrize(
    ("buddies", "newcomers", "unmatched"),
    [
        pytest.param([], [newcomer(11, 1), newcomer(10, 5)], (10, 11), id="no-buddies"),
        pytest.param([buddy(1, free_places=2)], [], (), id="no-newcomers"),
        pytest.param(
            [buddy(1, free_places=0), buddy(2, free_places=0)],
            [newcomer(11, 1), newcomer(10, 5), newcomer(12, 5)],
            (10, 12, 11),
            id="all-buddies-full",
        ),
    ],
)
def test_nothing_to_pair_gives_an_empty_result(
    buddies: list[Buddy], newcomers: list[Newcomer], unmatched: tuple[int, ...], solver: str
) -> None:
    result = match(buddies, newcomers, past_pairs=set())

    assert result == MatchResult(pairings=(), unmatched=unmatched)


@pytest.mark.parametrize(
    ("buddy_side", "newcomer_side", "reason"),
    [
        pytest.param(
            (["policy", "research", "social"], ["weekday_evenings", "weekends"]),
            (["research", "policy"], ["weekday_evenings", "weekday_daytime"]),
            "You both care about research and policy and are free on weekday evenings.",
            id="interests-and-times",
        ),
        pytest.param(
            (["education", "training", "governance"], ["weekday_daytime", "weekends"]),
            (["governance", "education", "training"], ["weekends", "weekday_daytime"]),
            "You both care about education, training and governance"
            " and are free on weekday daytime and weekends.",
            id="three-interests-two-times",
        ),
        pytest.param(
            (["recruitment"], ["weekends"]),
            (["recruitment"], ["weekday_daytime"]),
            "You both care about recruitment; "
            "your buddy will help you find a time that suits you both.",
            id="interests-only",
        ),
        pytest.param(
            (["social"], ["weekday_evenings"]),
            (["policy"], ["weekday_evenings"]),
            "You are both free on weekday evenings.",
            id="times-only",
        ),
        pytest.param((["social"], ["weekends"]), (["policy"], []), NO_SHARED, id="nothing"),
    ],
)
def test_reason_names_what_the_pair_shares_in_words(
    buddy_side: tuple[list[str], list[str]],
    newcomer_side: tuple[list[str], list[str]],
    reason: str,
) -> None:
    buddies = [buddy(1, *buddy_side)]
    newcomers = [newcomer(10, 1, *newcomer_side)]

    result = match(buddies, newcomers, past_pairs=set())

    assert [p.reason for p in result.pairings] == [reason]


@pytest.mark.parametrize("seed", range(40))
def test_small_instances_place_whom_the_waiting_rule_picks(seed: int, solver: str) -> None:
    rng = random.Random(seed)
    buddies, newcomers = random_people(rng, 3, 6, max_places=2)
    past = {(b.person_id, n.person_id) for b in buddies for n in newcomers if rng.random() < 0.2}

    result = match(buddies, newcomers, past)

    placed = frozenset(p.newcomer_id for p in result.pairings)
    assert placed == brute_force_optimum(buddies, newcomers, past)[0]


@pytest.mark.parametrize("seed", range(40))
def test_small_instances_reach_the_brute_force_optimum(seed: int) -> None:
    rng = random.Random(seed)
    buddies, newcomers = random_people(rng, 3, 6, max_places=2)
    past = {(b.person_id, n.person_id) for b in buddies for n in newcomers if rng.random() < 0.2}

    result = match(buddies, newcomers, past)

    placed = frozenset(p.newcomer_id for p in result.pairings)
    assert (placed, total(result)) == brute_force_optimum(buddies, newcomers, past)
