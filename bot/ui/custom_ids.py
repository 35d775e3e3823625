"""Every custom-id prefix the bot's buttons and modals use, declared once.

A button's custom id is its prefix, then its fields joined by ":" (for example
`activity:signup:12`); `bot.ui.base.GuardedButton` builds and matches them from these prefixes,
so two buttons can never answer to the same id. `tests/test_registries.py` fails when a value
is declared twice.
"""

from __future__ import annotations

from enum import StrEnum


class CustomId(StrEnum):
    # Buttons (DynamicItems, matched after restarts).
    CONSENT_AGREE = "consent:agree"
    CONSENT_NOT_NOW = "consent:no"
    ACTIVITY = "activity"
    ACTIVITIES_PAGE = "activities:page"
    SERIES_SIGNUP = "series:signup"
    SERIES_SIGNUP_ALL = "series:all"
    SERIES_WITHDRAW = "series:withdraw"
    SERIES_CALENDAR = "series:calendar"
    CHECKLIST_TICK = "checklist:tick"
    BUDDY_CHECKIN = "buddy:checkin"
    BUDDY_PROPOSAL = "buddy:proposal"
    BUDDY_END = "buddy:end"
    FEEDBACK_QUICK = "feedback:quick"
    FEEDBACK_MORE = "feedback:more"
    GET_STARTED = "membership:get_started"
    EDIT_PROFILE = "membership:edit_profile"
    CONFIRM_ERASE = "mydata:erase"
    # Modals.
    PROFILE_FORM = "membership:profile"
    FEEDBACK_FORM = "feedback:form"


def custom_id(prefix: CustomId, *fields: object) -> str:
    """`prefix:field:field...`: the id a button with these fields carries."""
    return ":".join([prefix.value, *(str(field) for field in fields)])
