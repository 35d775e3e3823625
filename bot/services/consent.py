"""Consent first: no row about a person exists until they agree, and each agreement is recorded
with the version of the wording they saw."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Member


@dataclass(frozen=True, slots=True)
class ConsentNotice:
    version: str
    title: str
    text: str


def load_notice(config_dir: Path) -> ConsentNotice:
    with (config_dir / "consent.toml").open("rb") as file:
        data = tomllib.load(file)
    return ConsentNotice(
        version=str(data["version"]), title=str(data["title"]), text=str(data["text"]).strip()
    )


async def has_consented(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    found = await session.scalar(
        select(Member.id).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return found is not None


async def record_consent(
    session: AsyncSession, guild_id: int, user_id: int, version: str, now: datetime | None = None
) -> bool:
    """Record consent (creating the person's row); True if it is new, False if already given.
    Agreeing again to a newer version updates the version and time."""
    member = await session.scalar(
        select(Member)
        .where(Member.guild_id == guild_id, Member.user_id == user_id)
        .with_for_update()
    )
    when = now or datetime.now(UTC)
    if member is not None:
        if member.consent_version != version:
            member.consent_version, member.consented_at = version, when
        return False
    session.add(
        Member(guild_id=guild_id, user_id=user_id, consent_version=version, consented_at=when)
    )
    await session.flush()
    return True
