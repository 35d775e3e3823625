"""What the involvement outbox kinds look like: the lead's prompt to mark who came, the
once-only question of how to be paid, and notices about choices, claims and payments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.cogs.involvement._views import MarkAttendanceButton, how_paid_view
from bot.delivery import Outgoing
from bot.services.involvement import attendance, payments
from bot.services.involvement.common import NoticePayload, pounds
from bot.services.outbox import OutboxItem, OutboxKind
from bot.ui.announcement import when_words
from bot.ui.coordinators import coordinators_thread
from bot.ui.limits import CONTENT, fit

if TYPE_CHECKING:
    import discord

    from bot.client import HealthBot


class InvolvementMessages:
    def __init__(self, bot: HealthBot) -> None:
        self.bot = bot

    def register(self) -> None:
        self.bot.outbox.register(OutboxKind.ATTENDANCE_PROMPT, self.attendance_prompt)
        self.bot.outbox.register(OutboxKind.PAYMENT_CHOICE, self.payment_choice)
        self.bot.outbox.register(OutboxKind.INVOLVEMENT_NOTICE, self.notice, held_back=False)

    async def attendance_prompt(self, item: OutboxItem) -> Outgoing | None:
        async with self.bot.db.sessions() as session:
            prompt = await attendance.attendance_prompt_to_send(session, item)
        if prompt is None:
            return None
        view: discord.ui.View = _view(MarkAttendanceButton(item.guild_id, prompt.activity.id))
        return Outgoing(
            content=(
                f"**{prompt.activity.title}** ({when_words(prompt.activity)}) has ended. "
                f"Please mark who came: {prompt.unmarked} still to mark. "
                "Press the button, or use `/activity attendance`."
            ),
            view=view,
        )

    async def payment_choice(self, item: OutboxItem) -> Outgoing | None:
        if item.user_id is None or item.activity_id is None:
            return None
        async with self.bot.db.sessions() as session:
            owed = await payments.fee_for(session, item.activity_id, item.user_id)
        if owed is None or owed.paid_at is not None:
            return None
        benefits = self.bot.payment_settings.benefits
        return Outgoing(
            content=(
                f"Thank you for taking part in **{owed.for_title}**. You are owed "
                f"{pounds(owed.amount_pence)}. How would you like it?\n"
                "You can take a payment, a voucher, or say no thanks. Saying no thanks is fine.\n"
                f"{benefits}"
            )[:2000],
            view=how_paid_view(item.guild_id, owed.payment_id),
        )

    async def notice(self, item: OutboxItem) -> Outgoing | None:
        """A message to one person, or (`coordinators` in the payload) to the coordinators'
        private thread."""
        notice = item.payload_as(NoticePayload)
        if not notice.text:
            return None
        if notice.coordinators:
            thread = await coordinators_thread(self.bot, item.guild_id)
            return Outgoing(content=fit(notice.text, CONTENT), channel_id=thread.id)
        return Outgoing(content=fit(notice.text, CONTENT))


def _view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    import discord

    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view
