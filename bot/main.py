"""`python -m bot` runs the bot; `python -m bot migrate` applies migrations only."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

import discord
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from bot.app import DatabaseUnavailable, migrate, open_bot
from bot.services.checklist import ChecklistFileError
from bot.settings import Settings, get_settings

log = logging.getLogger("bot")

NO_TOKEN = """\
No Discord token found, so the bot cannot log in.
Create an application at https://discord.com/developers/applications, open Bot, press
"Reset Token" and copy it. Then put DISCORD_TOKEN=<your token> in a .env file next to
README.md (see .env.example), or set it in the environment, and start again."""

TOKEN_REJECTED = """\
Discord did not accept the token in DISCORD_TOKEN. It may be mistyped, or it was reset.
Get a new one in the Developer Portal (your application > Bot > Reset Token) and update .env."""

INTENTS_MISSING = """\
Discord refused the connection because a privileged intent is not switched on (close code 4014).
In the Developer Portal, open your application > Bot > Privileged Gateway Intents and switch on
"Server Members Intent" and "Message Content Intent", then start again.
(If you do not want the message content intent, set MESSAGE_CONTENT=false.)"""

DATABASE_DOWN = """\
Could not reach the database at {url}.
{reason}
Check DATABASE_URL (default: a SQLite file under data/) and that the database server is running."""

EXIT_CONFIG, EXIT_DATABASE, EXIT_TOKEN, EXIT_INTENTS = 2, 3, 4, 5


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    logging.getLogger("discord.gateway").setLevel(logging.WARNING)


def fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


async def run_bot(settings: Settings) -> int:
    assert settings.discord_token is not None
    token = settings.discord_token.get_secret_value()
    try:
        async with open_bot(settings) as bot:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
            await bot.start(token)
    except DatabaseUnavailable as error:
        return fail(DATABASE_DOWN.format(url=_safe_url(settings), reason=error), EXIT_DATABASE)
    except discord.LoginFailure:
        return fail(TOKEN_REJECTED, EXIT_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return fail(INTENTS_MISSING, EXIT_INTENTS)
    except ChecklistFileError as error:
        return fail(f"The co-production checklist cannot be used.\n{error}", EXIT_CONFIG)
    log.info("Stopped cleanly")
    return 0


def _safe_url(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["run", "migrate"], default="run")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as error:
        return fail(f"A setting is not valid:\n{error}", EXIT_CONFIG)
    configure_logging(settings.log_level)
    if args.command == "migrate":
        try:
            asyncio.run(migrate(settings))
        except DatabaseUnavailable as error:
            return fail(DATABASE_DOWN.format(url=_safe_url(settings), reason=error), EXIT_DATABASE)
        print("The database is up to date.")
        return 0
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        return fail(NO_TOKEN, EXIT_CONFIG)
    return asyncio.run(run_bot(settings))
