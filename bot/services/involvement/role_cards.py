"""Role cards: what an activity asks of people, written before they sign up (the HRA
role-description checklist and the NIHR guidance: role, time including reading, support,
skills, how people are chosen, contact, the difference it makes, payment and expenses).

An activity without a card still works: it is first come, first served and unpaid.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput
from bot.services.involvement.common import activity_row, clean, pounds
from bot.services.involvement.settings import HOURLY, PaymentSettings, Rate
from db.models import RoleCard
from db.models.involvement import COORDINATORS, FIRST_COME

CHOOSE = (FIRST_COME, COORDINATORS)
MAX_TEXT = 1000
MAX_CONTACT = 200
MOST_MINUTES = 24 * 60 * 7  # a week of someone's time is the most one card asks


@dataclass(frozen=True, slots=True)
class Card:
    """A role card. Blank answers are None; `payment_rate` is a key in payments.toml or None
    (unpaid); `choose` is first_come or coordinators."""

    what_you_do: str | None = None
    time_minutes: int | None = None
    reading_minutes: int = 0
    support: str | None = None
    skills: str | None = None
    how_chosen: str | None = None
    contact: str | None = None
    difference: str | None = None
    hear_back: str | None = None
    payment_rate: str | None = None
    choose: str = FIRST_COME

    @property
    def chosen_by_coordinators(self) -> bool:
        return self.choose == COORDINATORS


NO_CARD = Card()
_TEXTS = {
    "what_you_do": ("What you will do", MAX_TEXT),
    "support": ("Support offered", MAX_TEXT),
    "skills": ("Skills or experience wanted", MAX_TEXT),
    "how_chosen": ("How people are chosen", MAX_TEXT),
    "contact": ("Who to contact", MAX_CONTACT),
    "difference": ("What difference it makes", MAX_TEXT),
    "hear_back": ("How people will hear about it", MAX_TEXT),
}
_FIELDS = [field.name for field in fields(Card)]


@dataclass(frozen=True, slots=True)
class KeyLines:
    """The lines shown before someone confirms a sign-up."""

    time: str
    payment: str
    expenses: str
    contact: str | None
    benefits: str | None  # the benefits words, only for a paid role

    def lines(self) -> list[str]:
        found = [self.time, self.payment, self.expenses]
        if self.contact:
            found.append(self.contact)
        if self.benefits:
            found.append(self.benefits)
        return found


def check_card(card: Card, settings: PaymentSettings) -> Card:
    """The card with its text cleaned; refuses unknown rates, odd times or long answers."""
    cleaned = {
        name: clean(getattr(card, name), label, most) for name, (label, most) in _TEXTS.items()
    }
    if card.time_minutes is not None and not 0 < card.time_minutes <= MOST_MINUTES:
        raise InvalidInput(
            "The time needed must be between 1 minute and a week. Please type it in minutes."
        )
    if not 0 <= card.reading_minutes <= MOST_MINUTES:
        raise InvalidInput("The reading time must be between 0 minutes and a week, in minutes.")
    if card.payment_rate is not None and settings.rate(card.payment_rate) is None:
        names = ", ".join(rate.key for rate in settings.rates) or "none are set up"
        raise InvalidInput(
            f"There is no payment rate called {card.payment_rate!r}. Pick one of: {names}."
        )
    if card.choose not in CHOOSE:
        raise InvalidInput("Choose must be first come or coordinators choose.")
    return Card(**{**{name: getattr(card, name) for name in _FIELDS}, **cleaned})


async def set_card(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    card: Card,
    settings: PaymentSettings,
    now: datetime,
) -> Card:
    """Store (or replace) the activity's card; returns it as stored."""
    await activity_row(session, guild_id, activity_id, lock=True)
    checked = check_card(card, settings)
    values = {name: getattr(checked, name) for name in _FIELDS}
    row = await session.get(RoleCard, activity_id)
    if row is None:
        session.add(RoleCard(activity_id=activity_id, updated_at=now, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
    await session.flush()
    return checked


async def get_card(session: AsyncSession, activity_id: int) -> Card:
    """The activity's card, or `NO_CARD` (first come, unpaid) when it has none."""
    row = await session.scalar(select(RoleCard).where(RoleCard.activity_id == activity_id))
    if row is None:
        return NO_CARD
    return Card(**{name: getattr(row, name) for name in _FIELDS})


def rate_words(rate: Rate) -> str:
    if rate.kind == HOURLY:
        return f"{pounds(rate.pence)} an hour ({rate.name})"
    return f"{pounds(rate.pence)} ({rate.name})"


def key_lines(card: Card, duration_minutes: int, settings: PaymentSettings) -> KeyLines:
    """Time, payment, expenses and contact in plain words, for the sign-up confirmation."""
    minutes = card.time_minutes or duration_minutes + card.reading_minutes
    time = f"Time needed: {_duration(minutes)}"
    if card.reading_minutes:
        time += f", including {_duration(card.reading_minutes)} of reading or preparation"
    rate = settings.rate(card.payment_rate)
    payment = (
        f"Payment: {rate_words(rate)}. You can take money, a voucher, or say no thanks."
        if rate
        else "Payment: this role is not paid."
    )
    covered = ", ".join(kind.value for kind in settings.expenses_covered)
    expenses = (
        f"Expenses: we pay back {covered}. Claim with `/claim` within "
        f"{settings.claim_within_days} days."
    )
    contact = f"Questions? Contact {card.contact}." if card.contact else None
    return KeyLines(time + ".", payment, expenses, contact, settings.benefits if rate else None)


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if rest or not hours:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " and ".join(parts)
