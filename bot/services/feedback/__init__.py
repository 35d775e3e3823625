"""Feedback on activities: asking after they end, the form, quick ratings, thread comments,
summaries and "you said, we did".

A form always writes two rows that share nothing but the activity (db/models/feedback.py):
a `FeedbackGiver` (refuses a second form, reaches the person with "you said, we did") and a
`FeedbackResponse` with a random id and no timestamp, naming the person only when they chose to
be named. So an anonymous answer cannot be traced back, yet its giver is still thanked.
Quick ratings (buttons, reactions) and thread replies are public acts and keep who made them.
"""

from bot.services.activity_lookup import ActivityInfo
from bot.services.feedback.asking import (
    PostState,
    plan_requests,
    post_state,
    remember_post,
    still_wanted,
)
from bot.services.feedback.common import (
    CATCH_UP,
    MAX_TEXT,
    MAX_UPDATE,
    POST_KIND,
    QUICK_RATINGS,
    REQUEST_KIND,
    UPDATE_KIND,
    UPDATE_POST_KIND,
    UpdatePayload,
)
from bot.services.feedback.giving import (
    FormAnswers,
    add_comment,
    check_can_give,
    rate_quickly,
    react,
    submit_form,
    unreact,
)
from bot.services.feedback.results import (
    FeedbackItem,
    FeedbackSummary,
    contributions,
    send_update,
    summarise,
    summary_csv,
)

__all__ = [
    "CATCH_UP",
    "MAX_TEXT",
    "MAX_UPDATE",
    "POST_KIND",
    "QUICK_RATINGS",
    "REQUEST_KIND",
    "UPDATE_KIND",
    "UPDATE_POST_KIND",
    "ActivityInfo",
    "FeedbackItem",
    "FeedbackSummary",
    "FormAnswers",
    "PostState",
    "UpdatePayload",
    "add_comment",
    "check_can_give",
    "contributions",
    "plan_requests",
    "post_state",
    "rate_quickly",
    "react",
    "remember_post",
    "send_update",
    "still_wanted",
    "submit_form",
    "summarise",
    "summary_csv",
    "unreact",
]
