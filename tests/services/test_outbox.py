from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import cast

import discord
from sqlalchemy import func, select

from bot.outbox import retry_time
from bot.services import outbox
from bot.services.outbox import OutboxKind
from bot.settings import OutboxSettings
from db.engine import Database
from db.models import Member, OutboxMessage

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STALE = timedelta(minutes=5)
# Kinds only these tests use (the dispatcher is not involved, so they need no renderer).
TEST, ANSWER = cast(OutboxKind, "test"), cast(OutboxKind, "answer")


async def queue(db: Database, key: str, due: datetime, **extra: object) -> bool:
    async with db.sessions() as session, session.begin():
        return await outbox.enqueue(
            session,
            guild_id=1,
            kind=TEST,
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


async def test_a_paused_persons_held_back_prompts_wait_until_the_pause_ends(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        session.add(
            Member(
                guild_id=1,
                user_id=7,
                consent_version="1",
                consented_at=NOW,
                paused_until=NOW + timedelta(days=2),
            )
        )
    await queue(db, "prompt", NOW)
    async with db.sessions() as session, session.begin():
        await outbox.enqueue(
            session, guild_id=1, kind=ANSWER, dedupe_key="answer", due_at=NOW, user_id=7
        )

    async def claim_held(now: datetime) -> list[str]:
        async with db.sessions() as session, session.begin():
            items = await outbox.claim_due(
                session, now=now, worker="w", limit=10, stale_after=STALE, held_back_kinds=["test"]
            )
            for item in items:
                await outbox.mark_sent(session, item.id, now)
        return [item.kind for item in items]

    assert await claim_held(NOW) == ["answer"]  # only what is not held back
    assert await claim_held(NOW + timedelta(days=2, seconds=1)) == ["test"]


async def test_claims_of_a_stopped_worker_can_be_taken_back_at_once(db: Database) -> None:
    await queue(db, "k", NOW)
    await claim(db, "host:123:dead")
    async with db.sessions() as session, session.begin():
        assert await outbox.claimants(session) == {"host:123:dead"}
        assert await outbox.release_claims(session, ["host:123:dead"]) == 1
    assert len(await claim(db, "alive")) == 1


async def test_unreachable_can_be_narrowed_to_one_activity(db: Database) -> None:
    await queue(db, "a1", NOW, activity_id=1)
    await queue(db, "a2", NOW, activity_id=2)
    for item in await claim(db, "w"):
        async with db.sessions() as session, session.begin():
            await outbox.record_failure(session, item.id, error="gone", retry_at=None, now=NOW)
    async with db.sessions() as session:
        given_up = await outbox.unreachable(session, 1, activity_id=2)
    assert [item.activity_id for item in given_up] == [2]


def test_passing_faults_are_retried_for_ever_with_growing_capped_waits() -> None:
    settings = OutboxSettings(max_attempts=3, retry_base_seconds=10, retry_max_seconds=60)
    rate_limited = discord.RateLimited(2.0)
    waits = [retry_time(settings, n, rate_limited, NOW) for n in (1, 2, 3, 10)]
    assert [(w - NOW).total_seconds() for w in waits if w] == [10, 20, 40, 60]


def test_other_failures_are_given_up_after_max_attempts() -> None:
    settings = OutboxSettings(max_attempts=3, retry_base_seconds=10)
    assert retry_time(settings, 2, LookupError("no renderer"), NOW) is not None
    assert retry_time(settings, 3, LookupError("no renderer"), NOW) is None
