"""What the programme's outbox rows say: the reminder before training runs out, the carry-on
prompt before a group term ends (with Carry on and Step down), the thank-you when a term
ends, and the answer to a request to join. Reminders and prompts wait for pauses and quiet
hours; an answer goes at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cogs.programme._views import term_view
from bot.delivery import Outgoing
from bot.services import programme
from bot.services.outbox import OutboxItem, OutboxKind

if TYPE_CHECKING:
    from bot.client import HealthBot


class ProgrammeMessages:
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    def register(self) -> None:
        register = self.bot.outbox.register
        register(OutboxKind.TRAINING_EXPIRING, self.training_expiring)
        register(OutboxKind.GROUP_TERM_ENDING, self.term_ending)
        register(OutboxKind.GROUP_TERM_ENDED, self.term_ended)
        register(OutboxKind.GROUP_REQUEST_ANSWERED, self.request_answered, held_back=False)

    async def training_expiring(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            held = await programme.expiry_reminder_to_send(
                session, item, self.bot.clock.now(), catalogue=self.bot.training
            )
        return None if held is None else Outgoing(content=programme.expiry_reminder_words(held))

    async def term_ending(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            membership = await programme.term_prompt_to_send(session, item, self.bot.clock.now())
        if membership is None:
            return None
        return Outgoing(
            content=programme.term_prompt_words(membership), view=term_view(membership.id)
        )

    async def term_ended(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            text = await programme.term_ended_to_send(session, item)
        return None if text is None else Outgoing(content=text)

    async def request_answered(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            text = await programme.request_answer_to_send(session, item)
        return None if text is None else Outgoing(content=text)
