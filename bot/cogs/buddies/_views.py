"""Buttons and prompts of the buddy programme.

The buttons are DynamicItems carrying the pair id, so a check-in or proposal from weeks ago
still works after a restart; an old one gets a kind answer and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.errors import NotAllowed
from bot.permissions import is_coordinator
from bot.services import buddies
from bot.services.buddies import Answer, EndReason, Plan
from bot.services.vocabulary import AVAILABILITY, INTEREST_KINDS, kind_words
from bot.settings import BuddySettings
from bot.ui.base import GuardedButton, GuardedView
from bot.ui.custom_ids import CustomId

if TYPE_CHECKING:
    from bot.client import HealthBot

CHECKIN_ANSWERS: dict[str, tuple[str, str]] = {
    "yes": ("Yes", "Lovely, thank you for letting us know. Enjoy getting to know each other."),
    "notyet": (
        "Not yet",
        "That is fine. There is no rush: a short hello in your buddy thread is a good start.",
    ),
    "help": (
        "I'd like help",
        "Thank you for telling us. A coordinator will get in touch with you soon.",
    ),
}
END_CHOICES: dict[str, tuple[str, str]] = {
    "ended": (
        "End this pairing",
        "Your pairing has ended. We have let the other person know kindly. Thank you for taking part.",
    ),
    "new_buddy": (
        "Ask for a new buddy",
        "Your pairing has ended and you are back on the list. We will find you a new buddy soon.",
    ),
}
INTEREST_WORDS = {kind: kind_words(kind) for kind in INTEREST_KINDS}
AVAILABILITY_WORDS = AVAILABILITY

ProfileSaved = Callable[[discord.Interaction["HealthBot"], list[str], list[str]], Awaitable[None]]


def plan_of(settings: BuddySettings) -> Plan:
    return Plan(
        approve_first=settings.approval_mode == "approve",
        checkin_days=tuple(settings.checkin_days),
        pair_weeks=settings.pair_weeks,
    )


def checkin_view(pair_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer in CHECKIN_ANSWERS:
        view.add_item(CheckinButton(pair_id, cast("Answer", answer)))
    return view


def proposal_view(pair_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ProposalButton(pair_id, approve=True))
    view.add_item(ProposalButton(pair_id, approve=False))
    return view


def end_pair_view(pairs: tuple[buddies.Pair, ...], user_id: int) -> discord.ui.View | None:
    view = discord.ui.View(timeout=None)
    for pair in pairs:
        if pair.status != "active":
            continue
        view.add_item(EndPairButton(pair.id, "ended"))
        if pair.newcomer_user_id == user_id:
            view.add_item(EndPairButton(pair.id, "new_buddy"))
    return view if view.children else None


class CheckinButton(
    GuardedButton,
    prefix=CustomId.BUDDY_CHECKIN,
    fields=r"(?P<pair>[0-9]+):(?P<answer>yes|notyet|help)",
):
    def __init__(self, pair_id: int, answer: Answer) -> None:
        label = CHECKIN_ANSWERS[answer][0]
        style = discord.ButtonStyle.primary if answer == "help" else discord.ButtonStyle.secondary
        super().__init__(pair_id, answer, label=label, style=style)
        self.pair_id, self.answer = pair_id, answer

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> CheckinButton:
        return cls(int(match["pair"]), cast("Answer", match["answer"]))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            await buddies.answer_checkin(
                session, self.pair_id, interaction.user.id, self.answer, bot.clock.now()
            )
        bot.outbox.wake()
        await interaction.response.send_message(CHECKIN_ANSWERS[self.answer][1], ephemeral=True)


class ProposalButton(
    GuardedButton,
    prefix=CustomId.BUDDY_PROPOSAL,
    fields=r"(?P<pair>[0-9]+):(?P<decision>approve|skip)",
):
    def __init__(self, pair_id: int, *, approve: bool) -> None:
        super().__init__(
            pair_id,
            "approve" if approve else "skip",
            label="Approve" if approve else "Skip",
            style=discord.ButtonStyle.success if approve else discord.ButtonStyle.secondary,
        )
        self.pair_id, self.approve = pair_id, approve

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> ProposalButton:
        return cls(int(match["pair"]), approve=match["decision"] == "approve")

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        if not await is_coordinator(interaction):
            raise NotAllowed("Only coordinators can approve or skip buddy proposals.")
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            pair = await buddies.decide_proposal(
                session, self.pair_id, self.approve, bot.clock.now(), plan_of(bot.settings.buddies)
            )
        bot.outbox.wake()
        decision = (
            "Approved: they are being introduced now."
            if pair.status == "active"
            else "Skipped: the newcomer stays on the list and these two will not be suggested again."
        )
        await interaction.response.edit_message(
            content=f"{decision} (decided by {interaction.user.mention})", view=None
        )


class EndPairButton(
    GuardedButton,
    prefix=CustomId.BUDDY_END,
    fields=r"(?P<pair>[0-9]+):(?P<reason>ended|new_buddy)",
):
    def __init__(self, pair_id: int, reason: EndReason) -> None:
        super().__init__(
            pair_id, reason, label=END_CHOICES[reason][0], style=discord.ButtonStyle.secondary
        )
        self.pair_id, self.reason = pair_id, reason

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> EndPairButton:
        return cls(int(match["pair"]), cast("EndReason", match["reason"]))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            await buddies.end_pair(
                session, self.pair_id, interaction.user.id, self.reason, bot.clock.now()
            )
        bot.outbox.wake()
        await interaction.response.edit_message(content=END_CHOICES[self.reason][1], view=None)


def _options(words: dict[str, str]) -> list[discord.SelectOption]:
    return [discord.SelectOption(label=label, value=value) for value, label in words.items()]


class ProfilePrompt(GuardedView):
    """Asks what someone is interested in and when they are free, once, before they join.
    Short-lived on purpose: if it times out they simply run `/buddy join` again."""

    def __init__(self, owner_id: int, on_save: ProfileSaved) -> None:
        super().__init__(timeout=600)
        self.owner_id, self.on_save = owner_id, on_save
        self.interests: list[str] = []
        self.availability: list[str] = []

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.select(
        custom_id="buddy:profile:interests",
        placeholder="What interests you?",
        max_values=len(INTEREST_WORDS),
        options=_options(INTEREST_WORDS),
    )
    async def pick_interests(
        self, interaction: discord.Interaction[HealthBot], select: discord.ui.Select[ProfilePrompt]
    ) -> None:
        self.interests = list(select.values)
        await interaction.response.defer()

    @discord.ui.select(
        custom_id="buddy:profile:times",
        placeholder="When are you usually free?",
        max_values=len(AVAILABILITY_WORDS),
        options=_options(AVAILABILITY_WORDS),
    )
    async def pick_times(
        self, interaction: discord.Interaction[HealthBot], select: discord.ui.Select[ProfilePrompt]
    ) -> None:
        self.availability = list(select.values)
        await interaction.response.defer()

    @discord.ui.button(
        label="Save and join", style=discord.ButtonStyle.success, custom_id="buddy:profile:save"
    )
    async def save(
        self, interaction: discord.Interaction[HealthBot], button: discord.ui.Button[ProfilePrompt]
    ) -> None:
        await self.on_save(interaction, self.interests, self.availability)
        self.stop()


PROFILE_QUESTION = (
    "To find you a good match, please tell us what interests you and when you are usually "
    "free. Pick from both lists, then press **Save and join**."
)
