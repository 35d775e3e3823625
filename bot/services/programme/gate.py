"""Who may sign up for an activity, as far as the programme goes (its group, the training it
needs), and setting those on an activity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotFound
from bot.services.programme.catalogue import Catalogue, default_catalogue
from bot.services.programme.groups import get_group
from bot.services.programme.members import check_group
from bot.services.programme.training import ActivityGate, check_training, gate_of
from db.models import Activity


def is_gated(activity: Activity | Row[Any]) -> bool:
    """Whether the activity has any programme rule (cheap: no query)."""
    return activity.needs is not None or activity.group_id is not None


async def check_signup(
    session: AsyncSession,
    activity: Activity | Row[Any] | ActivityGate,
    user_id: int,
    now: datetime,
    *,
    catalogue: Catalogue | None = None,
) -> None:
    """Refuse a sign-up by someone outside the activity's group (`GroupOnly`), then by someone
    without the training it needs (`TrainingNeeded`); both are NotAllowed."""
    gate = activity if isinstance(activity, ActivityGate) else gate_of(activity)
    await check_group(session, gate, user_id)
    await check_training(session, gate, user_id, now, catalogue=catalogue)


async def activity_gate(session: AsyncSession, guild_id: int, activity_id: int) -> ActivityGate:
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.guild_id != guild_id:
        raise NotFound("That activity no longer exists. Try `/activities` to find it.")
    return gate_of(activity)


async def set_activity_programme(
    session: AsyncSession,
    guild_id: int,
    activity_id: int,
    *,
    teaches: str | None = None,
    needs: str | None = None,
    group_id: int | None = None,
    catalogue: Catalogue | None = None,
) -> ActivityGate:
    """For /activity create (in its transaction): the module a training activity teaches, the
    module people need, and the group it is only for. Module keys or names are checked; None
    leaves that field as it is."""
    modules = catalogue or default_catalogue()
    activity = await session.scalar(
        select(Activity)
        .where(Activity.id == activity_id, Activity.guild_id == guild_id)
        .with_for_update()
    )
    if activity is None:
        raise NotFound("That activity no longer exists. Try `/activities` to find it.")
    if teaches is not None:
        if activity.kind != "training":
            raise InvalidInput(
                "Only an activity of kind training can teach a module. "
                "Choose the kind training, then try again."
            )
        activity.teaches = modules.get(teaches).key
    if needs is not None:
        activity.needs = modules.get(needs).key
    if group_id is not None:
        activity.group_id = (await get_group(session, guild_id, group_id)).id
    await session.flush()
    return gate_of(activity)
