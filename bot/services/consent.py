"""Consent first: no row about a person exists until they agree, and each agreement is recorded
with the version of the wording they saw. A newer version asks them to agree again before
anything new is stored. Also the full privacy notice (config/privacy.md), filled in from
config/privacy.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.privacy import PrivacyConfig
from db.engine import insert_for
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


NOTICE_FILE = "privacy.md"


def load_full_notice(config_dir: Path, privacy: PrivacyConfig) -> str:
    """The full notice (every point UK GDPR Article 13 asks for), with the controller, the data
    protection officer and the retention periods put in."""
    template = (config_dir / NOTICE_FILE).read_text(encoding="utf-8").strip()
    return template.format(
        controller_name=privacy.controller_name,
        controller_contact=privacy.controller_contact,
        dpo_contact=privacy.dpo_contact,
        after_leaving_days=privacy.retention.after_leaving_days,
        inactive_months=privacy.retention.inactive_months,
        no_answer_days=privacy.retention.no_answer_days,
    )


async def consented_to(session: AsyncSession, guild_id: int, user_id: int, version: str) -> bool:
    """They agreed to this version of the notice (an older agreement asks them again)."""
    found = await session.scalar(
        select(Member.consent_version).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return found == version


async def has_consented(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    found = await session.scalar(
        select(Member.id).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return found is not None


async def record_consent(
    session: AsyncSession, guild_id: int, user_id: int, version: str, now: datetime
) -> bool:
    """Record consent (creating the person's row); True if it is new, False if already given.
    Agreeing again to a newer version updates the version and time. One INSERT that skips an
    existing row, so two presses of "I agree" at once cannot collide."""
    created = await session.scalar(
        insert_for(session)(Member)
        .values(
            guild_id=guild_id,
            user_id=user_id,
            consent_version=version,
            consented_at=now,
            last_seen_at=now,
        )
        .on_conflict_do_nothing(index_elements=["guild_id", "user_id"])
        .returning(Member.id)
    )
    if created is not None:
        return True
    await session.execute(
        update(Member)
        .where(
            Member.guild_id == guild_id,
            Member.user_id == user_id,
            Member.consent_version != version,
        )
        .values(consent_version=version, consented_at=now)
    )
    return False
