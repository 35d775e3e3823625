"""The Discord scheduled event that mirrors an activity, when the bot may manage events.

A failure here never undoes the activity: the announcement is what people rely on, so a
problem is logged and the activity stands. Every field is built within Discord's limits for
events (name and location 100 characters, description 1,000); a place longer than an event
takes is shortened there, and the coordinator is told (`place_note`).
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.services.activities import ActivityView
from bot.ui import limits
from bot.ui.text import plain, shown

log = logging.getLogger(__name__)


def event_details(activity: ActivityView) -> dict[str, Any]:
    """What Discord's scheduled event for an activity says."""
    details: dict[str, Any] = {
        "name": plain(activity.title, limits.EVENT_NAME),
        "start_time": activity.starts_at,
        "end_time": activity.ends_at,
        "location": plain(activity.place, limits.EVENT_LOCATION) if activity.place else "Online",
    }
    if activity.description:
        details["description"] = shown(activity.description, limits.EVENT_DESCRIPTION)
    return details


def place_note(activity: ActivityView) -> str:
    """A sentence for the coordinator when the place is too long for the Discord event."""
    if activity.place is None or len(activity.place) <= limits.EVENT_LOCATION:
        return ""
    return (
        f" The place is longer than the {limits.EVENT_LOCATION} characters a Discord event "
        "takes, so the event shows it cut short. The announcement shows all of it."
    )


async def create_event(guild: discord.Guild, activity: ActivityView) -> int | None:
    """The new event's id, or None when the bot may not manage events or Discord refused."""
    if not guild.me.guild_permissions.manage_events:
        return None
    try:
        event = await guild.create_scheduled_event(
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            **event_details(activity),
        )
    except discord.HTTPException:
        log.warning(
            "Could not create a scheduled event for activity %s", activity.id, exc_info=True
        )
        return None
    return event.id


async def update_event(guild: discord.Guild, activity: ActivityView) -> None:
    """Bring the event in step: new details, or cancelled."""
    event = await _find(guild, activity)
    if event is None:
        return
    try:
        if activity.cancelled:
            await event.cancel()
        else:
            await event.edit(entity_type=discord.EntityType.external, **event_details(activity))
    except discord.HTTPException:
        log.warning(
            "Could not update the scheduled event of activity %s", activity.id, exc_info=True
        )


async def _find(guild: discord.Guild, activity: ActivityView) -> discord.ScheduledEvent | None:
    if activity.scheduled_event_id is None or not guild.me.guild_permissions.manage_events:
        return None
    event = guild.get_scheduled_event(activity.scheduled_event_id)
    if event is not None:
        return event
    try:
        return await guild.fetch_scheduled_event(activity.scheduled_event_id)
    except discord.HTTPException:
        log.info("The scheduled event of activity %s is gone", activity.id)
        return None
