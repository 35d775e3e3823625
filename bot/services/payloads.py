"""Which payload class each outbox kind carries, declared once.

A kind enqueued with a payload is listed here with its frozen dataclass (declared next to the
service that enqueues it); kinds that carry nothing beyond their columns are not listed.
tests/test_registries.py checks that every listed class round-trips through the row's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.services.activities import ChangedPayload
from bot.services.buddies import EndedPayload, PairPayload
from bot.services.feedback import UpdatePayload
from bot.services.involvement.attendance import AttendancePayload
from bot.services.involvement.common import NoticePayload
from bot.services.outbox import OutboxKind, OutboxPayload
from bot.services.programme.members import (
    RequestAnsweredPayload,
    TermEndedPayload,
    TermEndingPayload,
)
from bot.services.programme.training import ExpiringPayload
from bot.services.reminders import PromptPayload, ReminderPayload
from bot.services.retention import StayPayload
from bot.services.series import DatesPayload

PAYLOADS: Mapping[OutboxKind, type[OutboxPayload]] = {
    OutboxKind.ACTIVITY_CHANGED: ChangedPayload,
    OutboxKind.REMINDER: ReminderPayload,
    OutboxKind.EXPECT: PromptPayload,
    OutboxKind.CHECKLIST_PROMPT: PromptPayload,
    OutboxKind.BUDDY_PROPOSAL: PairPayload,
    OutboxKind.BUDDY_INTRO: PairPayload,
    OutboxKind.BUDDY_INTRO_PERSON: PairPayload,
    OutboxKind.BUDDY_HELP: PairPayload,
    OutboxKind.BUDDY_CHECKIN: PairPayload,
    OutboxKind.BUDDY_THANKS: PairPayload,
    OutboxKind.BUDDY_ENDED: EndedPayload,
    OutboxKind.FEEDBACK_UPDATE: UpdatePayload,
    OutboxKind.FEEDBACK_UPDATE_POST: UpdatePayload,
    OutboxKind.ATTENDANCE_PROMPT: AttendancePayload,
    OutboxKind.INVOLVEMENT_NOTICE: NoticePayload,
    OutboxKind.STAY_QUESTION: StayPayload,
    OutboxKind.SERIES_DATES: DatesPayload,
    OutboxKind.TRAINING_EXPIRING: ExpiringPayload,
    OutboxKind.GROUP_TERM_ENDING: TermEndingPayload,
    OutboxKind.GROUP_TERM_ENDED: TermEndedPayload,
    OutboxKind.GROUP_REQUEST_ANSWERED: RequestAnsweredPayload,
}
