"""The buddy programme's rules: joining and leaving, weekly pairing, check-ins, ending pairs.

Messages owed to people go through the outbox in the same transaction as the change. Their
dedupe keys start with `buddy:<pair id>:` so a pair's pending messages can be withdrawn when it
ends, and no Discord id is ever written into a key or a payload.

- `common`: the plan, the results callers get back, and views of rows
- `enrolment`: the profile matching needs, join, leave, status
- `pairing`: weekly runs, matching, proposals and their approval, the coordinators' overview
- `pairs`: pairs over time: starting, check-ins, ending, the thank-you, erasure
"""

from bot.services.buddies.common import (
    OPEN,
    Answer,
    EndedPayload,
    EndReason,
    Enrolment,
    Overview,
    Pair,
    PairPayload,
    Plan,
    RunResult,
    Status,
)
from bot.services.buddies.enrolment import (
    MAX_CAPACITY,
    MIN_CAPACITY,
    NOT_IN_PROGRAMME,
    ROLES,
    check_capacity,
    has_profile,
    join,
    leave,
    save_profile,
    status,
)
from bot.services.buddies.pairing import (
    NO_PROFILE,
    WEEKDAYS,
    Profile,
    claim_weekly_run,
    coordinator_thread,
    decide_proposal,
    guilds_in_programme,
    latest_run,
    overview,
    remember_coordinator_thread,
    run_pairing,
)
from bot.services.buddies.pairs import (
    PAIR_OVER,
    answer_checkin,
    end_pair,
    erase_person,
    find_pair,
    finish_if_due,
    remember_thread,
)

__all__ = [
    "MAX_CAPACITY",
    "MIN_CAPACITY",
    "NOT_IN_PROGRAMME",
    "NO_PROFILE",
    "OPEN",
    "PAIR_OVER",
    "ROLES",
    "WEEKDAYS",
    "Answer",
    "EndReason",
    "EndedPayload",
    "Enrolment",
    "Overview",
    "Pair",
    "PairPayload",
    "Plan",
    "Profile",
    "RunResult",
    "Status",
    "answer_checkin",
    "check_capacity",
    "claim_weekly_run",
    "coordinator_thread",
    "decide_proposal",
    "end_pair",
    "erase_person",
    "find_pair",
    "finish_if_due",
    "guilds_in_programme",
    "has_profile",
    "join",
    "latest_run",
    "leave",
    "overview",
    "remember_coordinator_thread",
    "remember_thread",
    "run_pairing",
    "save_profile",
    "status",
]
