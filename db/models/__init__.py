"""Every table, imported so `Base.metadata` knows them all (Alembic, the erasure scan)."""

from db.base import Base
from db.models.activities import Activity
from db.models.buddies import BuddyEnrolment, BuddyPair
from db.models.checklist import ChecklistTick
from db.models.community import BotState, Community
from db.models.feedback import (
    FeedbackComment,
    FeedbackGiver,
    FeedbackPost,
    FeedbackQuickRating,
    FeedbackResponse,
)
from db.models.membership import Member
from db.models.outbox import OutboxMessage
from db.models.signups import Signup

__all__ = [
    "Activity",
    "Base",
    "BotState",
    "BuddyEnrolment",
    "BuddyPair",
    "ChecklistTick",
    "Community",
    "FeedbackComment",
    "FeedbackGiver",
    "FeedbackPost",
    "FeedbackQuickRating",
    "FeedbackResponse",
    "Member",
    "OutboxMessage",
    "Signup",
]
