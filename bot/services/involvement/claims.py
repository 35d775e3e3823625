"""Expense claims: someone who signed up for an activity (confirmed or attended) claims what it
cost them, within `claim_within_days` of it, up to `max_claim`. Coordinators approve (the claim
joins the payments due) or decline with a reason; either way the person is told. Receipts are
not stored: the cog shows one to coordinators only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.involvement.common import activity_row, clean, parse_pounds, pounds
from bot.services.involvement.payments import EXPENSE, PAYMENT
from bot.services.involvement.settings import ExpenseKind, PaymentSettings
from db.models import Attendance, ExpenseClaim, Member, Payment, Signup

CLAIMED, APPROVED, DECLINED, PAID = "claimed", "approved", "declined", "paid"
MAX_NOTE = 500
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Claim:
    claim_id: int
    user_id: int
    display_name: str | None
    activity_id: int | None
    for_title: str
    for_date: datetime
    what: ExpenseKind
    amount_pence: int
    note: str | None
    status: str  # claimed | approved | declined | paid
    claimed_at: datetime
    decline_reason: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    """A decided claim and the message for its person."""

    claim: Claim
    user_id: int
    payment_id: int | None  # the payment now due, when approved
    message: str


async def claim(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    user_id: int,
    *,
    amount: str,
    what: str,
    note: str | None,
    settings: PaymentSettings,
    now: datetime,
) -> Claim:
    """Record a claim. `amount` is what the person typed ("12.50", "£12.50", "12")."""
    row = await activity_row(session, guild_id, activity_id)
    kind = _kind(what, settings)
    pence = parse_pounds(amount)
    if pence <= 0:
        raise InvalidInput("The amount must be more than £0. Please type what you spent.")
    if pence > settings.max_claim:
        raise InvalidInput(
            f"One claim can be up to {pounds(settings.max_claim)}. For more, please talk to a "
            "coordinator first. Nothing was saved."
        )
    text = clean(note, "Your note", MAX_NOTE)
    if not await _took_part(session, activity_id, user_id):
        raise NotAllowed(
            f"You can only claim for an activity you had a place on, and {row.title} is not "
            "one of them. Use `/mine` to see yours."
        )
    ends = row.starts_at + timedelta(minutes=row.duration_minutes)
    if now > ends + timedelta(days=settings.claim_within_days):
        raise Conflict(
            f"Claims for {row.title} closed {settings.claim_within_days} days after it. "
            "If you could not claim in time, please talk to a coordinator."
        )
    found = ExpenseClaim(
        guild_id=guild_id,
        activity_id=activity_id,
        user_id=user_id,
        what=kind.value,
        amount_pence=pence,
        note=text,
        status=CLAIMED,
        claimed_at=now,
        for_title=row.title,
        for_date=row.starts_at,
    )
    session.add(found)
    await session.flush()
    return _claim(found, None)


async def waiting(session: AsyncSession, guild_id: int) -> list[Claim]:
    """Claims not decided yet, oldest first, for coordinators."""
    rows = await session.execute(
        select(ExpenseClaim, Member.display_name)
        .outerjoin(
            Member,
            (Member.guild_id == ExpenseClaim.guild_id) & (Member.user_id == ExpenseClaim.user_id),
        )
        .where(ExpenseClaim.guild_id == guild_id, ExpenseClaim.status == CLAIMED)
        .order_by(ExpenseClaim.claimed_at, ExpenseClaim.id)
    )
    return [_claim(found, name) for found, name in rows]


async def claims_of(session: AsyncSession, guild_id: int, user_id: int) -> list[Claim]:
    """The person's own claims, newest first."""
    rows = await session.scalars(
        select(ExpenseClaim)
        .where(
            ExpenseClaim.guild_id == guild_id,
            ExpenseClaim.user_id == user_id,
        )
        .order_by(ExpenseClaim.claimed_at.desc(), ExpenseClaim.id.desc())
    )
    return [_claim(found, None) for found in rows]


async def approve(
    session: AsyncSession, guild_id: int, claim_id: int, by_user_id: int, now: datetime
) -> Decision:
    """Approve a claim: it joins the payments due, owed from now."""
    found = await _undecided(session, guild_id, claim_id)
    found.status, found.decided_by, found.decided_at = APPROVED, by_user_id, now
    payment = Payment(
        guild_id=guild_id,
        activity_id=found.activity_id,
        claim_id=found.id,
        user_id=found.user_id,
        source=EXPENSE,
        what=found.what,
        amount_pence=found.amount_pence,
        choice=PAYMENT,
        owed_since=now,
        for_title=found.for_title,
        for_date=found.for_date,
    )
    session.add(payment)
    await session.flush()
    message = (
        f"Your expense claim of {pounds(found.amount_pence)} for {found.for_title} was "
        "approved. It will be paid soon; use `/mine` to see what you are owed."
    )
    return Decision(_claim(found, None), found.user_id, payment.id, message)


async def decline(
    session: AsyncSession,
    guild_id: int,
    claim_id: int,
    by_user_id: int,
    reason: str,
    now: datetime,
) -> Decision:
    """Decline a claim with a reason the person is told."""
    why = clean(reason, "The reason", MAX_REASON)
    if why is None:
        raise InvalidInput("Please say why the claim is declined. The person will be told.")
    found = await _undecided(session, guild_id, claim_id)
    found.status, found.decided_by, found.decided_at = DECLINED, by_user_id, now
    found.decline_reason = why
    await session.flush()
    message = (
        f"Your expense claim of {pounds(found.amount_pence)} for {found.for_title} was not "
        f"approved. The reason given: {why}\nIf you have questions, please ask a coordinator."
    )
    return Decision(_claim(found, None), found.user_id, None, message)


def _kind(what: str, settings: PaymentSettings) -> ExpenseKind:
    typed = what.strip().lower().replace("_", " ")
    covered = [kind.value for kind in settings.expenses_covered]
    if typed not in covered:
        raise InvalidInput(f"Please pick what it was for: {', '.join(covered)}.")
    return ExpenseKind(typed)


async def _took_part(session: AsyncSession, activity_id: int, user_id: int) -> bool:
    signed_up = await session.scalar(
        select(Signup.id).where(
            Signup.activity_id == activity_id,
            Signup.user_id == user_id,
            Signup.status == "confirmed",
        )
    )
    if signed_up is not None:
        return True
    came = await session.scalar(
        select(Attendance.id).where(
            Attendance.activity_id == activity_id,
            Attendance.user_id == user_id,
            Attendance.status == "attended",
        )
    )
    return came is not None


async def _undecided(session: AsyncSession, guild_id: int, claim_id: int) -> ExpenseClaim:
    found = await session.scalar(
        select(ExpenseClaim)
        .where(ExpenseClaim.id == claim_id, ExpenseClaim.guild_id == guild_id)
        .with_for_update()
    )
    if found is None:
        raise NotFound("I could not find that claim. Use the claims list to pick one.")
    if found.status != CLAIMED:
        raise Conflict(f"That claim was already {found.status}, so nothing was changed.")
    return found


def _claim(found: ExpenseClaim, name: str | None) -> Claim:
    return Claim(
        claim_id=found.id,
        user_id=found.user_id,
        display_name=name,
        activity_id=found.activity_id,
        for_title=found.for_title,
        for_date=found.for_date,
        what=ExpenseKind(found.what),
        amount_pence=found.amount_pence,
        note=found.note,
        status=found.status,
        claimed_at=found.claimed_at,
        decline_reason=found.decline_reason,
    )
