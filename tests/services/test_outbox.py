from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.services import outbox
from db.engine import Database
from db.models import OutboxMessage

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STALE = timedelta(minutes=5)


async def queue(db: Database, key: str, due: datetime, **extra: object) -> bool:
    async with db.sessions() as session, session.begin():
        return await outbox.enqueue(
            session,
            guild_id=1,
            kind="test",
            dedupe_key=key,
            due_at=due,
            user_id=7,
            **extra,  # type: ignore[arg-type]
        )


async def claim(
    db: Database, worker: str, now: datetime = NOW, limit: int = 50
) -> list[outbox.OutboxItem]:
    async with db.sessions() as session, session.begin():
        return await outbox.claim_due(
            session, now=now, worker=worker, limit=limit, stale_after=STALE
        )


async def test_same_key_is_queued_once(db: Database) -> None:
    assert await queue(db, "reminder:1:7:24h", NOW) is True
    assert await queue(db, "reminder:1:7:24h", NOW) is False
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


async def test_only_due_rows_are_claimed_in_due_order(db: Database) -> None:
    await queue(db, "later", NOW + timedelta(hours=1))
    await queue(db, "second", NOW - timedelta(minutes=1))
    await queue(db, "first", NOW - timedelta(minutes=2))
    claimed = await claim(db, "a")
    assert [item.due_at for item in claimed] == [
        NOW - timedelta(minutes=2),
        NOW - timedelta(minutes=1),
    ]
    assert await claim(db, "b") == []


async def test_two_dispatchers_never_claim_the_same_row(db: Database) -> None:
    for number in range(40):
        await queue(db, f"k{number}", NOW)
    results = await asyncio.gather(*(claim(db, f"w{n}", limit=7) for n in range(8)))
    ids = [item.id for batch in results for item in batch]
    assert len(ids) == len(set(ids)) == 40


async def test_stale_claims_are_taken_back(db: Database) -> None:
    await queue(db, "k", NOW)
    assert len(await claim(db, "crashed")) == 1
    assert await claim(db, "other", now=NOW + timedelta(minutes=1)) == []
    assert len(await claim(db, "other", now=NOW + STALE + timedelta(seconds=1))) == 1


async def test_sent_rows_are_not_claimed_again(db: Database) -> None:
    await queue(db, "k", NOW)
    [item] = await claim(db, "a")
    async with db.sessions() as session, session.begin():
        await outbox.mark_sent(session, item.id, NOW)
    assert await claim(db, "a", now=NOW + STALE * 2) == []


async def test_failure_retries_later_then_gives_up(db: Database) -> None:
    await queue(db, "k", NOW)
    [item] = await claim(db, "a")
    async with db.sessions() as session, session.begin():
        await outbox.record_failure(
            session, item.id, error="boom", retry_at=NOW + timedelta(minutes=1), now=NOW
        )
    assert await claim(db, "a") == []
    [again] = await claim(db, "a", now=NOW + timedelta(minutes=1))
    assert again.attempts == 1
    async with db.sessions() as session, session.begin():
        await outbox.record_failure(session, item.id, error="boom", retry_at=None, now=NOW)
    assert await claim(db, "a", now=NOW + timedelta(days=1)) == []
    async with db.sessions() as session:
        [given_up] = await outbox.unreachable(session, guild_id=1)
    assert given_up.id == item.id


async def test_cancel_pending_removes_only_unsent_rows_for_that_activity(db: Database) -> None:
    await queue(db, "a1", NOW, activity_id=1)
    await queue(db, "a2", NOW, activity_id=2)
    [first, _] = await claim(db, "w")
    async with db.sessions() as session, session.begin():
        await outbox.mark_sent(session, first.id, NOW)
        removed = await outbox.cancel_pending(session, activity_id=1)
    assert removed == 0  # activity 1's row was already sent
    async with db.sessions() as session, session.begin():
        assert await outbox.cancel_pending(session, activity_id=2) == 1
