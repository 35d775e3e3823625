"""Discord's rate limit (real 429 answers from the simulator) loses no prompt."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from bot.delivery import Outgoing
from bot.services import outbox
from bot.services.outbox import OutboxItem, OutboxKind, OutboxPayload
from db.models import Member
from discord_sim import DiscordSimulator, SimUser
from tests.e2e.harness import Community, RunningBot

KIND = cast(OutboxKind, "numbered_prompt")  # a kind only this test registers


@dataclass(frozen=True, slots=True)
class Numbered(OutboxPayload):
    n: int


async def numbered(item: OutboxItem) -> Outgoing:
    return Outgoing(content=f"Prompt {item.payload_as(Numbered).n}")


async def queue_prompts(
    running: RunningBot, guild_id: int, people: list[SimUser], count: int
) -> None:
    """`count` prompts due now, shared round-robin among `people` (who all agreed to DMs)."""
    now = datetime.now(UTC)
    async with running.bot.db.sessions() as session, session.begin():
        session.add_all(
            Member(guild_id=guild_id, user_id=user.id, consent_version="test", consented_at=now)
            for user in people
        )
        for n in range(count):
            await outbox.enqueue(
                session,
                guild_id=guild_id,
                kind=KIND,
                dedupe_key=f"{KIND}:{n}",
                due_at=now,
                user_id=people[n % len(people)].id,
                payload=Numbered(n),
            )


def received(sim: DiscordSimulator, people: list[SimUser]) -> Counter[str]:
    return Counter(
        m.content
        for user in people
        for m in sim.dm_messages(user)
        if m.content.startswith("Prompt")
    )


async def test_every_prompt_arrives_under_a_50_per_second_limit(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    people = [member.user for member in community.guild.add_members(50, prefix="limited")]
    running.bot.outbox.register(KIND, numbered, held_back=False)
    await queue_prompts(running, community.guild.id, people, 500)
    sim.set_rate_limit(50)
    try:
        running.bot.outbox.wake()
        await sim.wait_for(
            lambda: len(received(sim, people)) == 500, timeout=60, what="500 prompts"
        )
    finally:
        sim.set_rate_limit(None)
    assert sim.rate_limited_count > 0  # the limit was really hit
    assert max(received(sim, people).values()) == 1  # and nothing came twice
