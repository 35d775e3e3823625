"""Buttons and prompts of the buddy programme.

The buttons are DynamicItems carrying the pair id, so a check-in or proposal from weeks ago
still works after a restart; an old one gets a kind answer and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.errors import InvalidInput, NotAllowed
from bot.permissions import is_coordinator
from bot.services import buddies
from bot.services.buddies import Answer, EndReason, Plan
from bot.services.vocabulary import AVAILABILITY, INTEREST_KINDS, kind_words
from bot.settings import BuddySettings
from bot.ui.base import GuardedButton, GuardedMenu
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


# The buddy questions are stateless: each menu and the Save button carry in their custom ids
# the role asked for and what has been picked so far (a bit per option), and every pick redraws
# the message with the choices in the ids. So the questions survive a restart.
PROFILE_FIELDS = (
    r"(?P<role>buddy|newcomer)_(?P<places>[0-9]+):(?P<interests>[0-9]+):(?P<times>[0-9]+)"
)


def _bits(values: list[str], words: dict[str, str]) -> int:
    return sum(1 << index for index, value in enumerate(words) if value in values)


def _values(bits: int, words: dict[str, str]) -> list[str]:
    return [value for index, value in enumerate(words) if bits >> index & 1]


@dataclass(frozen=True, slots=True)
class Picks:
    """What someone has answered so far in the buddy questions."""

    role: str
    places: int
    interests: int = 0
    times: int = 0

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Picks:
        return cls(
            match["role"], int(match["places"]), int(match["interests"]), int(match["times"])
        )

    @property
    def fields(self) -> tuple[object, ...]:
        return (f"{self.role}_{self.places}", self.interests, self.times)


def profile_prompt(picks: Picks) -> discord.ui.View:
    """The two menus and **Save and join**, showing what is picked so far."""
    view = discord.ui.View(timeout=None)
    view.add_item(InterestsMenu(picks))
    view.add_item(TimesMenu(picks))
    view.add_item(SaveProfileButton(picks))
    return view


def _menu_options(words: dict[str, str], bits: int) -> list[discord.SelectOption]:
    chosen = _values(bits, words)
    return [
        discord.SelectOption(label=label, value=value, default=value in chosen)
        for value, label in words.items()
    ]


class InterestsMenu(GuardedMenu, prefix=CustomId.BUDDY_PROFILE_INTERESTS, fields=PROFILE_FIELDS):
    """The first buddy question; a pick redraws the prompt with it remembered."""

    def __init__(self, picks: Picks) -> None:
        super().__init__(
            *picks.fields,
            placeholder="What interests you?",
            options=_menu_options(INTEREST_WORDS, picks.interests),
            min_values=0,
            max_values=len(INTEREST_WORDS),
        )
        self.picks = picks

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Select[Any]) -> InterestsMenu:
        return cls(Picks.from_match(match))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        picks = replace(self.picks, interests=_bits(self.item.values, INTEREST_WORDS))
        await interaction.response.edit_message(view=profile_prompt(picks))


class TimesMenu(GuardedMenu, prefix=CustomId.BUDDY_PROFILE_TIMES, fields=PROFILE_FIELDS):
    """The second buddy question, like the first."""

    def __init__(self, picks: Picks) -> None:
        super().__init__(
            *picks.fields,
            placeholder="When are you usually free?",
            options=_menu_options(AVAILABILITY_WORDS, picks.times),
            min_values=0,
            max_values=len(AVAILABILITY_WORDS),
        )
        self.picks = picks

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Select[Any]) -> TimesMenu:
        return cls(Picks.from_match(match))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        picks = replace(self.picks, times=_bits(self.item.values, AVAILABILITY_WORDS))
        await interaction.response.edit_message(view=profile_prompt(picks))


class SaveProfileButton(GuardedButton, prefix=CustomId.BUDDY_PROFILE_SAVE, fields=PROFILE_FIELDS):
    def __init__(self, picks: Picks) -> None:
        super().__init__(*picks.fields, label="Save and join", style=discord.ButtonStyle.success)
        self.picks = picks

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> SaveProfileButton:
        return cls(Picks.from_match(match))

    async def run(self, interaction: discord.Interaction[HealthBot]) -> None:
        assert interaction.guild_id is not None
        interests = _values(self.picks.interests, INTEREST_WORDS)
        times = _values(self.picks.times, AVAILABILITY_WORDS)
        if not interests or not times:
            raise InvalidInput(
                "Please pick at least one interest and one time you are usually free."
            )
        async with interaction.client.db.sessions() as session, session.begin():
            await buddies.save_profile(
                session, interaction.guild_id, interaction.user.id, interests, times
            )
        text = await join_programme(interaction, self.picks.role, self.picks.places)
        await interaction.response.edit_message(content=text, view=None)


async def join_programme(
    interaction: discord.Interaction[HealthBot], role: str, places: int
) -> str:
    """Put the person on the programme; what to tell them."""
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.sessions() as session, session.begin():
        await buddies.join(
            session, interaction.guild_id, interaction.user.id, role, places, bot.clock.now()
        )
    if role == "buddy":
        return (
            f"Thank you for offering to be a buddy. You could be paired with up to {places} "
            "newcomers. We pair people every week and introduce you in a private thread."
        )
    return (
        "Welcome to the buddy programme. You are on the list for a buddy. We pair people "
        "every week and introduce you in a private thread. `/buddy status` shows where you are."
    )


PROFILE_QUESTION = (
    "To find you a good match, please tell us what interests you and when you are usually "
    "free. Pick from both lists, then press **Save and join**."
)
