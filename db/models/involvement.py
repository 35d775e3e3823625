"""The involvement record: role cards, applications for activities coordinators choose for,
attendance and hours, money owed (fees and approved expenses) and expense claims.

A payment row keeps the person in one of two columns. While it is not paid the row names them
in `user_id` (erasure deletes the row); once paid the service moves the id to `paid_user_id`
(erasure clears it), so a paid amount stays in the university's accounts without the person.
An expense claim (the person's own words) is always deleted; its paid amount and kind stay on
the payment row, whose `claim_id` the database then clears.

Free text a person gives (an application's "why", a claim's note) and a decline reason written
about their claim are `EncryptedText`, so they are unreadable on disk and cannot be searched in
SQL; their lengths are limited by the services. Role-card text is the coordinators' and stays
plain, like activity titles (copied into `for_title`).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, PersonData
from db.types import EncryptedText

FIRST_COME, COORDINATORS = "first_come", "coordinators"


class RoleCard(Base):
    """What an activity asks of people (the HRA role-description checklist), how they are
    chosen and which payment rate applies. Free text here never holds Discord ids."""

    __tablename__ = "role_cards"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    what_you_do: Mapped[str | None] = mapped_column(Text)
    time_minutes: Mapped[int | None]  # the whole time asked, reading included
    reading_minutes: Mapped[int] = mapped_column(default=0)
    support: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[str | None] = mapped_column(Text)
    how_chosen: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    difference: Mapped[str | None] = mapped_column(Text)
    hear_back: Mapped[str | None] = mapped_column(Text)
    payment_rate: Mapped[str | None] = mapped_column(String(40))  # a key in payments.toml
    choose: Mapped[str] = mapped_column(String(12), default=FIRST_COME)
    updated_at: Mapped[datetime]


class Application(PersonData, Base):
    """A request for a place on an activity coordinators choose for. `status` is applied,
    chosen or not_chosen."""

    __tablename__ = "applications"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    why: Mapped[str | None] = mapped_column(EncryptedText)  # the person's words, up to 300
    status: Mapped[str] = mapped_column(String(12), default="applied")
    applied_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class Attendance(PersonData, Base):
    """Whether someone came (attended, no_show, late_cancel) and the minutes counted for it."""

    __tablename__ = "attendance"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete", "marked_by": "nullify"}
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(12))
    minutes: Mapped[int] = mapped_column(default=0)
    marked_by: Mapped[int | None] = mapped_column(BigInteger)
    marked_at: Mapped[datetime]


class ExpenseClaim(PersonData, Base):
    """Money someone spent to take part. `status` is claimed, approved, declined or paid; an
    approved claim has a payment row, which keeps the amount and kind after an erasure."""

    __tablename__ = "expense_claims"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete", "decided_by": "nullify"}
    __table_args__ = (Index("ix_expense_claims_guild_status", "guild_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL")
    )
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    what: Mapped[str] = mapped_column(String(20))
    amount_pence: Mapped[int]
    note: Mapped[str | None] = mapped_column(EncryptedText)  # the person's words, up to 500
    status: Mapped[str] = mapped_column(String(10), default="claimed")
    claimed_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(EncryptedText)  # about them, up to 500
    for_title: Mapped[str] = mapped_column(String(100))
    for_date: Mapped[datetime]


class Payment(PersonData, Base):
    """Money owed to someone: a fee for an attended paid activity (`source` fee) or an approved
    expense claim (`source` expense). `choice` is payment, voucher or no_thanks (None: not
    chosen yet). The activity's title and date are kept so the row still says what it was for."""

    __tablename__ = "payments"
    person_columns: ClassVar[dict[str, str]] = {
        "user_id": "delete",
        "paid_user_id": "nullify",
        "paid_by": "nullify",
    }
    __table_args__ = (
        Index("ix_payments_guild_paid_owed", "guild_id", "paid_at", "owed_since"),
        Index("ix_payments_activity_user", "activity_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL")
    )
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("expense_claims.id", ondelete="SET NULL"), unique=True
    )
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    paid_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(10))  # fee | expense
    rate_key: Mapped[str | None] = mapped_column(String(40))  # a fee's rate
    what: Mapped[str | None] = mapped_column(String(20))  # an expense's kind
    minutes: Mapped[int | None]
    amount_pence: Mapped[int]
    choice: Mapped[str | None] = mapped_column(String(10))
    owed_since: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    paid_by: Mapped[int | None] = mapped_column(BigInteger)
    for_title: Mapped[str] = mapped_column(String(100))
    for_date: Mapped[datetime]
