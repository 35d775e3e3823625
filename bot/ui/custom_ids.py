"""Every custom-id prefix the bot's buttons and modals use, declared once.

A button's custom id is its prefix, then its fields joined by ":" (for example
`activity:signup:12`); `bot.ui.base.GuardedButton` builds and matches them from these prefixes,
so two buttons can never answer to the same id. `tests/test_registries.py` fails when a value
is declared twice.
"""

from __future__ import annotations

from enum import StrEnum


class CustomId(StrEnum):
    # Buttons and menus (DynamicItems, matched after restarts).
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
    BUDDY_PROFILE_INTERESTS = "buddy:profile:interests"
    BUDDY_PROFILE_TIMES = "buddy:profile:times"
    BUDDY_PROFILE_SAVE = "buddy:profile:save"
    FEEDBACK_QUICK = "feedback:quick"
    FEEDBACK_MORE = "feedback:more"
    GET_STARTED = "membership:get_started"
    EDIT_PROFILE = "membership:edit_profile"
    CONFIRM_ERASE = "mydata:erase"
    GROUP_ASK = "group:ask"
    GROUP_ANSWER = "group:answer"
    GROUP_LEAVE = "group:leave"
    GROUP_TERM = "group:term"
    CLAIM_APPROVE = "involve:approve"
    CLAIM_DECLINE = "involve:decline"
    HOW_PAID = "involve:how_paid"
    MARK_ATTENDANCE = "involve:mark"
    ROLE_DETAILS = "involve:card"
    ADD_ROLE_DETAILS = "involve:add_card"
    READ_MORE = "privacy:more"
    STAY = "retention:stay"
    LEAVE_AND_DELETE = "retention:leave"
    # Modals.
    PROFILE_FORM = "membership:profile"
    FEEDBACK_FORM = "feedback:form"
    GROUP_WHY_FORM = "group:why"
    ROLE_CARD_FORM = "involve:card_form"
    DECLINE_FORM = "involve:decline_form"
    HOURS_FORM = "involve:hours_form"
    APPLY_FORM = "involve:apply_form"


def custom_id(prefix: CustomId, *fields: object) -> str:
    """`prefix:field:field...`: the id a button with these fields carries."""
    return ":".join([prefix.value, *(str(field) for field in fields)])
