"""Shared set-up for the involvement service tests: activities (past ones too), people with
places, and payment settings with known rates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.involvement import role_cards
from bot.services.involvement.role_cards import Card
from bot.services.involvement.settings import ExpenseKind, PaymentSettings, Rate
from db.engine import Database
from db.models import Activity, Member, Signup

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GUILD = 1
LEAD, COORDINATOR = 900, 901
HOURLY = Rate(key="hourly", name="Hourly rate", kind="hourly", pence=2500)
ODD_HOURLY = Rate(key="odd", name="Odd hourly rate", kind="hourly", pence=1999)
FIXED = Rate(key="fixed", name="Fixed fee", kind="fixed", pence=7500)
SETTINGS = PaymentSettings(
    rates=(HOURLY, ODD_HOURLY, FIXED),
    prompt_after_days=21,
    claim_within_days=90,
    max_claim=50000,
    expenses_covered=tuple(ExpenseKind),
    benefits="Payment can affect benefits. Talk to the benefits advice service first.",
)


async def new_activity(
    db: Database,
    *,
    starts_at: datetime = NOW - timedelta(days=1),
    duration: int = 60,
    capacity: int = 5,
    lead: int | None = LEAD,
    status: str = "open",
    title: str = "Research panel",
    guild: int = GUILD,
) -> int:
    async with db.sessions() as session, session.begin():
        row = Activity(
            guild_id=guild,
            title=title,
            kind="research",
            starts_at=starts_at,
            duration_minutes=duration,
            capacity=capacity,
            lead_user_id=lead,
            status=status,
        )
        session.add(row)
        await session.flush()
        return row.id


async def add_card(db: Database, activity_id: int, card: Card) -> None:
    async with db.sessions() as session, session.begin():
        await role_cards.set_card(session, GUILD, activity_id, card, SETTINGS, NOW)


async def member(db: Database, user_id: int, name: str | None = None) -> None:
    async with db.sessions() as session, session.begin():
        session.add(
            Member(
                guild_id=GUILD,
                user_id=user_id,
                consent_version="test",
                consented_at=NOW,
                display_name=name or f"person {user_id}",
            )
        )


async def confirm(db: Database, activity_id: int, *user_ids: int) -> None:
    async with db.sessions() as session, session.begin():
        for user_id in user_ids:
            session.add(Signup(activity_id=activity_id, user_id=user_id, status="confirmed"))
