"""The one error pipeline: plain words for errors a person can act on, a short reference for
everything else (logged with context so a coordinator or operator can look it up)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, cast

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.ui.reply import reply

log = logging.getLogger(__name__)

# No 0/O or 1/I/L, so a reference read out over the phone is not misheard.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

CHECK_FAILURE_MESSAGES: dict[type[Exception], str] = {
    app_commands.NoPrivateMessage: "This only works inside the community server, not in a direct message.",
    app_commands.MissingPermissions: (
        "You need the Manage Server permission for this. Ask a server admin if you think you should have it."
    ),
}


# What a refusal can offer as a next step (a Sign up button for the training it needs, say):
# each capability adds a function to `bot.next_steps`; the first view returned is shown.
NextStep = Callable[[UserFacingError], "discord.ui.View | None"]


def new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(4))


def user_facing(error: BaseException) -> UserFacingError | None:
    """The user-facing error behind `error` (unwrapping discord.py's wrappers), if any."""
    if isinstance(error, app_commands.CommandInvokeError):
        return user_facing(error.original)
    if isinstance(error, app_commands.TransformerError) and error.__cause__ is not None:
        return user_facing(error.__cause__)
    return error if isinstance(error, UserFacingError) else None


def next_step(
    interaction: discord.Interaction[Any], error: BaseException
) -> discord.ui.View | None:
    found = user_facing(error)
    if found is None:
        return None
    for step in getattr(interaction.client, "next_steps", ()):
        view = step(found)
        if view is not None:
            return cast("discord.ui.View", view)
    return None


def message_for(error: BaseException) -> str | None:
    """The plain-words message for an error the person should see, or None if it is a fault."""
    if isinstance(error, app_commands.CommandInvokeError):
        return message_for(error.original)
    if isinstance(error, app_commands.TransformerError) and error.__cause__ is not None:
        return message_for(error.__cause__)
    if isinstance(error, UserFacingError):
        return error.message
    for error_type, text in CHECK_FAILURE_MESSAGES.items():
        if isinstance(error, error_type):
            return text
    if isinstance(error, app_commands.CheckFailure) and str(error):
        return str(error)
    return None


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    text = message_for(error)
    if text is None:
        reference = new_reference()
        log.error(
            "Unexpected error (ref %s) for user %s in guild %s, command %r, custom_id %r",
            reference,
            interaction.user.id,
            interaction.guild_id,
            interaction.command.qualified_name if interaction.command else None,
            cast("dict[str, Any]", interaction.data or {}).get("custom_id"),
            exc_info=error,
        )
        text = f"Something went wrong on our side (ref {reference}). A coordinator can look it up."
    try:
        await reply(interaction, text, view=next_step(interaction, error))
    except discord.HTTPException:
        log.warning("Could not tell user %s about an error", interaction.user.id, exc_info=True)
