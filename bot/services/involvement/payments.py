"""Money owed to people: fees for attended paid activities and approved expense claims.

Amounts are integer pence throughout. An hourly fee is rate * minutes / 60, rounded half up to
the penny with integer arithmetic. The person chooses payment, voucher or no thanks, and can
change it until it is paid. Coordinators see what is due (oldest first), mark a selection paid
and export it for finance. No bank details are held anywhere.

A paid row moves the person's id from `user_id` to `paid_user_id`, so erasure keeps the amount
for the accounts and clears the person (see db/models/involvement.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.involvement import sheet
from bot.services.involvement.common import pounds, year_start
from bot.services.involvement.settings import HOURLY, Rate
from db.models import Activity, ExpenseClaim, Member, Payment

FEE, EXPENSE = "fee", "expense"
PAYMENT, VOUCHER, NO_THANKS = "payment", "voucher", "no_thanks"
CHOICES = (PAYMENT, VOUCHER, NO_THANKS)
_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")


def fee_pence(rate: Rate, minutes: int) -> int:
    """What `minutes` of work earn at `rate`: the fixed fee, or the hourly rate pro rata,
    rounded half up to the penny (integers only)."""
    if rate.kind == HOURLY:
        return (rate.pence * minutes + 30) // 60
    return rate.pence


@dataclass(frozen=True, slots=True)
class Owed:
    """One payment as its person sees it."""

    payment_id: int
    source: str  # fee | expense
    for_title: str
    for_date: datetime
    amount_pence: int
    choice: str | None  # payment | voucher | no_thanks | None (not chosen yet)
    owed_since: datetime
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class MoneySummary:
    """For `/mine`: what is owed now, and what was paid this year and in total."""

    owed: tuple[Owed, ...]
    owed_pence: int
    paid_this_year_pence: int
    paid_total_pence: int


@dataclass(frozen=True, slots=True)
class DueLine:
    payment_id: int
    user_id: int
    display_name: str | None
    source: str  # fee | expense
    what: str  # the rate's key for a fee, the expense kind for a claim
    for_title: str
    for_date: datetime
    amount_pence: int
    choice: str | None
    owed_since: datetime
    days_waited: int


@dataclass(frozen=True, slots=True)
class PaidNotice:
    """Someone to tell that their payment was made."""

    user_id: int
    payment_id: int
    amount_pence: int
    for_title: str
    choice: str | None

    @property
    def message(self) -> str:
        how = "as a voucher" if self.choice == VOUCHER else "as money"
        return (
            f"Good news: your payment of {pounds(self.amount_pence)} for {self.for_title} has "
            f"been made {how}. Thank you for taking part. Use `/mine` to see your record."
        )


@dataclass(frozen=True, slots=True)
class LateSummary:
    """Payments waiting longer than `prompt_after_days`, for the coordinators' prompt."""

    count: int
    total_pence: int
    oldest_days: int


@dataclass(frozen=True, slots=True)
class StillOwed:
    """Before an erasure: money the person would stop being told about."""

    payments: int
    owed_pence: int
    claims_waiting: int

    @property
    def anything(self) -> bool:
        return bool(self.payments or self.claims_waiting)


@dataclass(frozen=True, slots=True)
class ExportRow:
    payment_id: int
    user_id: int | None  # None once the person erased their data
    display_name: str | None
    source: str
    what: str
    for_title: str
    for_date: datetime
    minutes: int | None
    amount_pence: int
    choice: str | None
    owed_since: datetime
    paid_at: datetime | None


EXPORT_HEADINGS = (
    "reference",
    "discord_id",
    "name",
    "type",
    "what",
    "activity",
    "activity_date",
    "hours",
    "amount_gbp",
    "choice",
    "owed_since",
    "paid_on",
)


@dataclass(frozen=True, slots=True)
class FinanceExport:
    start: datetime
    end: datetime
    rows: tuple[ExportRow, ...]

    @property
    def total_pence(self) -> int:
        return sum(row.amount_pence for row in self.rows)

    def table(self) -> list[list[str]]:
        """The headings and one line per payment; money as pounds with two decimals."""
        lines: list[list[str]] = [list(EXPORT_HEADINGS)]
        lines.extend(
            [
                f"P{row.payment_id}",
                str(row.user_id) if row.user_id is not None else "erased",
                row.display_name or "",
                row.source,
                row.what,
                row.for_title,
                row.for_date.date().isoformat(),
                _hours(row.minutes),
                _decimal_pounds(row.amount_pence),
                row.choice or "not chosen",
                row.owed_since.date().isoformat(),
                row.paid_at.date().isoformat() if row.paid_at else "not paid",
            ]
            for row in self.rows
        )
        return lines

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows([safe_cell(cell) for cell in line] for line in self.table())
        return buffer.getvalue()

    def xlsx(self) -> bytes:
        """The same table as one sheet; amounts are numbers (exact, two decimals shown) so
        finance can add them up, and every other cell is text made safe like the CSV's."""
        headings, *lines = self.table()
        return sheet.xlsx(
            "payments",
            headings,
            lines,
            amount_columns=(EXPORT_HEADINGS.index("amount_gbp"),),
            clean=safe_cell,
        )


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula: risky first characters get a quote."""
    return f"'{text}" if text.startswith(_CSV_RISKY) else text


def _decimal_pounds(pence: int) -> str:
    """2500 -> "25.00", -5 -> "-0.05": exact, no float."""
    whole, part = divmod(abs(pence), 100)
    return f"{'-' if pence < 0 else ''}{whole}.{part:02d}"


def _hours(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    return f"{hours}.{rest * 100 // 60:02d}"


# -- fees, kept in step with attendance ------------------------------------------------------


async def sync_fee(
    session: AsyncSession,
    activity: Activity,
    user_id: int,
    *,
    attended: bool,
    minutes: int,
    rate: Rate | None,
    now: datetime,
) -> int | None:
    """Make the person's fee for `activity` match their attendance; returns what is owed (None
    when nothing is). A paid fee is never changed: marking it differently is refused."""
    existing = await session.scalar(
        select(Payment)
        .where(
            Payment.activity_id == activity.id,
            Payment.source == FEE,
            or_(Payment.user_id == user_id, Payment.paid_user_id == user_id),
        )
        .with_for_update()
    )
    amount = fee_pence(rate, minutes) if rate and attended else None
    if existing is not None and existing.paid_at is not None:
        if amount != existing.amount_pence:
            raise Conflict(
                "This person's fee for this activity is already paid, so their attendance "
                "and hours cannot change now. Please talk to finance if it was wrong."
            )
        return amount
    if amount is None or rate is None:
        if existing is not None:
            await session.delete(existing)
        return None
    if existing is None:
        session.add(
            Payment(
                guild_id=activity.guild_id,
                activity_id=activity.id,
                user_id=user_id,
                source=FEE,
                rate_key=rate.key,
                minutes=minutes,
                amount_pence=amount,
                owed_since=now,
                for_title=activity.title,
                for_date=activity.starts_at,
            )
        )
    else:
        existing.rate_key, existing.minutes, existing.amount_pence = rate.key, minutes, amount
    return amount


# -- the person's side -----------------------------------------------------------------------


async def choose_how_paid(
    session: AsyncSession, guild_id: int, user_id: int, payment_id: int, choice: str
) -> Owed:
    """Payment, voucher or no thanks; changeable until the payment is made."""
    if choice not in CHOICES:
        raise InvalidInput("Please pick payment, voucher or no thanks.")
    row = await session.scalar(
        select(Payment)
        .where(
            Payment.id == payment_id,
            Payment.guild_id == guild_id,
            or_(Payment.user_id == user_id, Payment.paid_user_id == user_id),
        )
        .with_for_update()
    )
    if row is None:
        raise NotFound("I could not find that payment. Use `/mine` to see what you are owed.")
    if row.paid_at is not None:
        raise Conflict(
            f"Your payment for {row.for_title} has already been made, so it cannot change now."
        )
    row.choice = choice
    await session.flush()
    return _owed(row)


async def money_of(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime, zone: tzinfo = UTC
) -> MoneySummary:
    """What the person is owed now, and what they were paid this year and in total."""
    owed = [
        _owed(row)
        for row in await session.scalars(
            select(Payment)
            .where(Payment.guild_id == guild_id, Payment.user_id == user_id)
            .order_by(Payment.owed_since, Payment.id)
        )
    ]
    since = year_start(now, zone)
    paid = Payment.paid_user_id == user_id
    total, this_year = (
        await session.execute(
            select(
                func.coalesce(func.sum(Payment.amount_pence), 0),
                func.coalesce(func.sum(Payment.amount_pence).filter(Payment.paid_at >= since), 0),
            ).where(Payment.guild_id == guild_id, paid)
        )
    ).one()
    due = [item for item in owed if item.choice != NO_THANKS]
    return MoneySummary(
        owed=tuple(owed),
        owed_pence=sum(item.amount_pence for item in due),
        paid_this_year_pence=int(this_year),
        paid_total_pence=int(total),
    )


async def still_owed(session: AsyncSession, guild_id: int, user_id: int) -> StillOwed:
    """Before confirming an erasure: unpaid money and claims not decided yet. Erasing removes
    them, so the person is told and coordinators get a note."""
    count, total = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Payment.amount_pence), 0)).where(
                Payment.guild_id == guild_id,
                Payment.user_id == user_id,
                Payment.paid_at.is_(None),
                or_(Payment.choice.is_(None), Payment.choice != NO_THANKS),
            )
        )
    ).one()
    claims = await session.scalar(
        select(func.count()).where(
            ExpenseClaim.guild_id == guild_id,
            ExpenseClaim.user_id == user_id,
            ExpenseClaim.status == "claimed",
        )
    )
    return StillOwed(int(count), int(total), int(claims or 0))


# -- the coordinators' side ------------------------------------------------------------------


async def payments_due(
    session: AsyncSession, guild_id: int, now: datetime, *, limit: int | None = None
) -> list[DueLine]:
    """What is owed, to whom, for what and how long it has waited, oldest first. People who
    said no thanks are left out."""
    statement = (
        select(Payment, Member.display_name)
        .outerjoin(
            Member, (Member.guild_id == Payment.guild_id) & (Member.user_id == Payment.user_id)
        )
        .where(
            Payment.guild_id == guild_id,
            Payment.paid_at.is_(None),
            Payment.user_id.is_not(None),
            or_(Payment.choice.is_(None), Payment.choice != NO_THANKS),
        )
        .order_by(Payment.owed_since, Payment.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    lines = []
    for row, name in await session.execute(statement):
        assert row.user_id is not None
        lines.append(
            DueLine(
                payment_id=row.id,
                user_id=row.user_id,
                display_name=name,
                source=row.source,
                what=row.what or row.rate_key or "",
                for_title=row.for_title,
                for_date=row.for_date,
                amount_pence=row.amount_pence,
                choice=row.choice,
                owed_since=row.owed_since,
                days_waited=(now - row.owed_since).days,
            )
        )
    return lines


async def late_summary(
    session: AsyncSession, guild_id: int, now: datetime, prompt_after_days: int
) -> LateSummary:
    """How many payments have waited longer than `prompt_after_days`, their total and the
    oldest wait, for the coordinators' prompt."""
    cutoff = now - timedelta(days=prompt_after_days)
    count, total, oldest = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(Payment.amount_pence), 0),
                func.min(Payment.owed_since),
            ).where(
                Payment.guild_id == guild_id,
                Payment.paid_at.is_(None),
                Payment.user_id.is_not(None),
                or_(Payment.choice.is_(None), Payment.choice != NO_THANKS),
                Payment.owed_since < cutoff,
            )
        )
    ).one()
    if not count:
        return LateSummary(0, 0, 0)
    oldest = oldest.replace(tzinfo=UTC) if oldest.tzinfo is None else oldest
    return LateSummary(int(count), int(total), (now - oldest).days)


async def mark_paid(
    session: AsyncSession,
    guild_id: int,
    payment_ids: Sequence[int],
    by_user_id: int,
    now: datetime,
) -> list[PaidNotice]:
    """Mark a selection paid; returns who to tell. All or nothing: refuses unknown payments,
    ones already paid, and ones the person said no thanks to."""
    wanted = sorted(set(payment_ids))
    if not wanted:
        raise InvalidInput("Pick at least one payment to mark as paid.")
    rows = list(
        await session.scalars(
            select(Payment)
            .where(Payment.guild_id == guild_id, Payment.id.in_(wanted))
            .order_by(Payment.id)
            .with_for_update()
        )
    )
    missing = sorted(set(wanted) - {row.id for row in rows})
    if missing:
        raise NotFound(f"I could not find payment {_refs(missing)}. Use `/payments due` to check.")
    paid = [row.id for row in rows if row.paid_at is not None]
    if paid:
        raise Conflict(
            f"Payment {_refs(paid)} is already marked as paid, so nothing was changed. "
            "Pick only payments that are still due."
        )
    declined = [row.id for row in rows if row.choice == NO_THANKS or row.user_id is None]
    if declined:
        raise Conflict(
            f"The person said no thanks to payment {_refs(declined)}, so nothing was changed."
        )
    notices = []
    for row in rows:
        assert row.user_id is not None
        notices.append(PaidNotice(row.user_id, row.id, row.amount_pence, row.for_title, row.choice))
        row.paid_user_id, row.user_id = row.user_id, None
        row.paid_at, row.paid_by = now, by_user_id
        if row.claim_id is not None:
            claim = await session.get(ExpenseClaim, row.claim_id, with_for_update=True)
            if claim is not None:
                claim.status = "paid"
    await session.flush()
    return notices


async def finance_export(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> FinanceExport:
    """Every payment owed from `start` (inclusive) to `end` (exclusive), paid or not, one row
    each, for finance. Erased people show as "erased"; the amounts stay."""
    if end <= start:
        raise InvalidInput("The end date must be after the start date.")
    person = func.coalesce(Payment.user_id, Payment.paid_user_id)
    # Core rows, not ORM ones: tens of thousands of plain tuples, nothing to track.
    connection = await session.connection()
    rows = (
        await connection.execute(
            select(
                Payment.id,
                person,
                Payment.source,
                func.coalesce(Payment.what, Payment.rate_key, ""),
                Payment.for_title,
                Payment.for_date,
                Payment.minutes,
                Payment.amount_pence,
                Payment.choice,
                Payment.owed_since,
                Payment.paid_at,
            )
            .where(
                Payment.guild_id == guild_id,
                Payment.owed_since >= start,
                Payment.owed_since < end,
            )
            .order_by(Payment.owed_since, Payment.id)
        )
    ).all()
    names = await _names(session, guild_id, {row[1] for row in rows if row[1] is not None})
    found = tuple(
        ExportRow(
            payment_id=payment_id,
            user_id=user_id,
            display_name=names.get(user_id) if user_id is not None else None,
            source=source,
            what=what,
            for_title=for_title,
            for_date=for_date,
            minutes=minutes,
            amount_pence=amount,
            choice=choice,
            owed_since=owed_since,
            paid_at=paid_at,
        )
        for (
            payment_id,
            user_id,
            source,
            what,
            for_title,
            for_date,
            minutes,
            amount,
            choice,
            owed_since,
            paid_at,
        ) in rows
    )
    return FinanceExport(start, end, found)


async def _names(session: AsyncSession, guild_id: int, user_ids: set[int]) -> dict[int, str | None]:
    """Display names of these people, in one query per thousand (a join on either id column
    could not use an index)."""
    names: dict[int, str | None] = {}
    ordered = sorted(user_ids)
    for start in range(0, len(ordered), 1000):
        found = await session.execute(
            select(Member.user_id, Member.display_name).where(
                Member.guild_id == guild_id, Member.user_id.in_(ordered[start : start + 1000])
            )
        )
        names.update(found.all())
    return names


def _owed(row: Payment) -> Owed:
    return Owed(
        payment_id=row.id,
        source=row.source,
        for_title=row.for_title,
        for_date=row.for_date,
        amount_pence=row.amount_pence,
        choice=row.choice,
        owed_since=row.owed_since,
        paid_at=row.paid_at,
    )


def _refs(ids: Sequence[int]) -> str:
    return ", ".join(f"P{payment_id}" for payment_id in ids)


async def fee_for(session: AsyncSession, activity_id: int, user_id: int) -> Owed | None:
    """The person's fee for one activity, paid or not, or None."""
    row = await session.scalar(
        select(Payment).where(
            Payment.activity_id == activity_id,
            Payment.source == FEE,
            or_(Payment.user_id == user_id, Payment.paid_user_id == user_id),
        )
    )
    return _owed(row) if row is not None else None
