"""The one error pipeline: plain words for errors a person can act on, a short reference for
everything else (logged with context so a coordinator or operator can look it up)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
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


def new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(4))


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
        await reply(interaction, text)
    except discord.HTTPException:
        log.warning("Could not tell user %s about an error", interaction.user.id, exc_info=True)


class RepeatedFailures:
    """What a periodic job could not handle (by record id), so each broken record is logged
    once, and again only when what went wrong with it changes, not every time the job runs."""

    def __init__(self, logger: logging.Logger, job: str) -> None:
        self.logger = logger
        self.job = job
        self._known: dict[str, str] = {}

    def note(self, failures: Mapping[str, str], *, complete: bool = True) -> None:
        """Log the failures not logged yet. `complete`: these are all the records the job
        looked at that failed, so any other remembered one works again."""
        for key, reason in failures.items():
            if self._known.get(key) != reason:
                self.logger.warning("%s skipped %s: %s", self.job, key, reason)
        if complete:
            for key in self._known.keys() - failures.keys():
                self.logger.info("%s can handle %s again", self.job, key)
            self._known = dict(failures)
        else:
            self._known.update(failures)
