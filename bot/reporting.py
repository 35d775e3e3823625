"""The one error pipeline: plain words for errors a person can act on, a short reference for
everything else (logged with context so a coordinator or operator can look it up)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any, cast

import aiohttp
import discord
from discord import app_commands
from sqlalchemy import exc as sa_exc

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

# Discord's refusals the bot expects and handles (it falls back, undoes, or tells the person):
# one warning line each, no traceback. Anything else keeps its traceback.
HANDLED_DISCORD_CODES: dict[int, str] = {
    10003: "unknown channel",
    10008: "unknown message",
    50001: "missing access",
    50007: "cannot send messages to this user (DMs closed)",
    50013: "missing permissions",
}

HANDLED_MESSAGES: dict[int, str] = {
    10003: "That channel is gone, so I could not finish. Ask a coordinator to check /setup.",
    10008: "That message is gone, so I could not finish. Please try again.",
    50001: "I cannot see that channel. Ask a server admin to check my permissions, then try again.",
    50013: "I am not allowed to do that here. Ask a server admin to check my permissions.",
}


def handled_discord_error(error: BaseException | None) -> discord.HTTPException | None:
    """The expected Discord refusal behind `error` (through command and transformer
    wrappers), or None."""
    while error is not None:
        if isinstance(error, discord.HTTPException):
            return error if error.code in HANDLED_DISCORD_CODES else None
        if isinstance(error, app_commands.CommandInvokeError):
            error = error.original
        else:
            error = error.__cause__
    return None


def describe(error: discord.HTTPException) -> str:
    return (
        f"Discord {error.status} {error.code}: {HANDLED_DISCORD_CODES.get(error.code, error.text)}"
    )


class HandledDiscordErrors(logging.Filter):
    """Turns a log record carrying an expected Discord refusal, or a database that cannot be
    reached, into one warning line (the cause named at the end) without a traceback; other
    records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        cause = record.exc_info[1] if record.exc_info else None
        error = handled_discord_error(cause)
        outage = database_unreachable(cause)
        if error is not None or outage is not None:
            why = describe(error) if error is not None else f"database unreachable: {outage!r}"
            record.msg = f"{record.getMessage()} ({why})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_handled_discord_errors(prefixes: tuple[str, ...] = ("bot", "discord")) -> None:
    """Put the filter on every logger of the bot and of discord.py (a logger's filters are not
    inherited by its children, and the loggers are made when their modules are imported)."""
    quiet = HandledDiscordErrors()
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in prefixes]
    for name in [*prefixes, *names]:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HandledDiscordErrors) for f in logger.filters):
            logger.addFilter(quiet)


DATABASE_DOWN = "We can't reach our records right now. Please try again in a minute."


def database_unreachable(error: BaseException | None) -> BaseException | None:
    """The driver's "cannot reach the database" error behind `error` (refused or dropped
    connection, pool timeout), through command wrappers; None for anything else."""
    seen = 0
    while error is not None and seen < 10:
        seen += 1
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return error
        if isinstance(error, sa_exc.InterfaceError | sa_exc.TimeoutError):
            return error
        # asyncpg raises the socket's own error for a refused connection; Discord's transport
        # (aiohttp) errors are OSErrors too, and are not about the database.
        if isinstance(error, OSError) and not isinstance(
            error, discord.DiscordException | aiohttp.ClientError
        ):
            return error
        if isinstance(error, app_commands.CommandInvokeError):
            error = error.original
        else:
            error = error.__cause__ or error.__context__
    return None


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
    if database_unreachable(error) is not None:
        return DATABASE_DOWN
    handled = handled_discord_error(error)
    if handled is not None and handled.code in HANDLED_MESSAGES:
        return HANDLED_MESSAGES[handled.code]
    for error_type, text in CHECK_FAILURE_MESSAGES.items():
        if isinstance(error, error_type):
            return text
    if isinstance(error, app_commands.CheckFailure) and str(error):
        return str(error)
    return None


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    text = message_for(error)
    handled = handled_discord_error(error)
    outage = database_unreachable(error)
    if outage is not None:
        log.warning(
            "The database could not be reached for user %s in guild %s, command %r: %r",
            interaction.user.id,
            interaction.guild_id,
            interaction.command.qualified_name if interaction.command else None,
            outage,
        )
    elif handled is not None:
        log.warning(
            "Discord refused an action for user %s in guild %s, command %r (%s)",
            interaction.user.id,
            interaction.guild_id,
            interaction.command.qualified_name if interaction.command else None,
            describe(handled),
        )
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
    except discord.HTTPException as failure:
        log.warning(
            "Could not tell user %s about an error: %s %s",
            interaction.user.id,
            failure.status,
            failure.text,
        )


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
