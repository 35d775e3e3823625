"""Outbox payloads are typed: a dataclass goes in as the row's JSON and comes back out, and a
row whose JSON does not fit its class is given up once, not retried nor crashed on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import cast

import discord
import pytest
from sqlalchemy import select

from bot.delivery import Delivery, Outgoing
from bot.outbox import OutboxDispatcher
from bot.services import outbox
from bot.services.community import CommunitySetup
from bot.services.outbox import OutboxItem, OutboxKind, OutboxPayload, PayloadError
from bot.settings import OutboxSettings
from db.engine import Database
from db.models import OutboxMessage

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
KIND = cast(OutboxKind, "payload-test")  # a kind only these tests register


@dataclass(frozen=True, slots=True)
class Sample(OutboxPayload):
    count: int
    name: str
    on: date
    at: datetime


def item_with(payload: dict[str, object]) -> OutboxItem:
    return OutboxItem(1, 1, KIND, 7, None, payload, NOW, 0)


def test_a_payload_is_stored_as_plain_json_with_iso_dates() -> None:
    sample = Sample(3, "tea", date(2027, 1, 2), NOW)
    assert outbox.payload_json(sample) == {
        "count": 3,
        "name": "tea",
        "on": "2027-01-02",
        "at": "2026-12-01T12:00:00+00:00",
    }


def test_a_stored_payload_reads_back_as_its_class() -> None:
    sample = Sample(3, "tea", date(2027, 1, 2), NOW)
    assert item_with(outbox.payload_json(sample)).payload_as(Sample) == sample


def test_a_missing_field_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="missing"):
        item_with({"count": 3, "name": "tea", "on": "2027-01-02"}).payload_as(Sample)


def test_an_unknown_field_is_a_payload_error() -> None:
    stored = {**outbox.payload_json(Sample(3, "tea", date(2027, 1, 2), NOW)), "extra": 1}
    with pytest.raises(PayloadError, match="extra"):
        item_with(stored).payload_as(Sample)


def test_a_field_of_the_wrong_type_is_a_payload_error() -> None:
    stored = {**outbox.payload_json(Sample(3, "tea", date(2027, 1, 2), NOW)), "count": "3"}
    with pytest.raises(PayloadError, match="count"):
        item_with(stored).payload_as(Sample)


async def no_community(guild_id: int) -> CommunitySetup:
    raise AssertionError("payload-test rows are not held back")


async def ready() -> None:
    return None


async def test_the_dispatcher_gives_up_at_once_on_a_payload_that_does_not_fit(
    db: Database,
) -> None:
    rendered: list[Sample] = []

    async def render(item: OutboxItem) -> Outgoing | None:
        rendered.append(item.payload_as(Sample))
        return None

    dispatcher = OutboxDispatcher(
        sessions=db.sessions,
        now=lambda: NOW,
        settings=OutboxSettings(),
        delivery=Delivery(
            discord.Client(intents=discord.Intents.none()),
            db.sessions,
            no_community,
            now=lambda: NOW,
        ),
        community=no_community,
        ready=ready,
    )
    dispatcher.register(KIND, render, held_back=False)
    async with db.sessions() as session, session.begin():
        session.add(
            OutboxMessage(
                guild_id=1,
                kind=KIND,
                dedupe_key="bad",
                due_at=NOW,
                user_id=7,
                payload={"count": 3},
                attempts=0,
            )
        )
    assert await dispatcher.dispatch_due() == 1
    async with db.sessions() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row is not None
    assert (row.failed_at, row.attempts, rendered) == (NOW, 1, [])
    assert row.last_error is not None
    assert row.last_error.startswith("PayloadError")
