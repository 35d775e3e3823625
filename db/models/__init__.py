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
from db.models.involvement import Application, Attendance, ExpenseClaim, Payment, RoleCard
from db.models.membership import AdjustmentView, Member
from db.models.outbox import OutboxMessage
from db.models.programme import (
    Group,
    GroupDecision,
    GroupJoinRequest,
    GroupMembership,
    TrainingRecord,
)
from db.models.series import FREQUENCIES, ActivitySeries, SeriesOccurrence
from db.models.signups import Signup

__all__ = [
    "FREQUENCIES",
    "Activity",
    "ActivitySeries",
    "AdjustmentView",
    "Application",
    "Attendance",
    "Base",
    "BotState",
    "BuddyEnrolment",
    "BuddyPair",
    "ChecklistTick",
    "Community",
    "ExpenseClaim",
    "FeedbackComment",
    "FeedbackGiver",
    "FeedbackPost",
    "FeedbackQuickRating",
    "FeedbackResponse",
    "Group",
    "GroupDecision",
    "GroupJoinRequest",
    "GroupMembership",
    "Member",
    "OutboxMessage",
    "Payment",
    "RoleCard",
    "SeriesOccurrence",
    "Signup",
    "TrainingRecord",
]
