"""`python -m bot` runs the bot; `python -m bot demo` shows it at work against the bundled
simulator (bot/demo/); `python -m bot migrate` applies migrations only; `backup DIR`,
`restore FILE [--replace]` and `rotate-key` look after the data (bot/operations.py)."""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import discord
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from bot import operations
from bot.app import DatabaseUnavailable, migrate, open_bot
from bot.privacy import PrivacyFileError
from bot.services.checklist import ChecklistFileError
from bot.services.programme import TrainingFileError
from bot.settings import Settings, get_settings
from db.crypto import DataKeyError, WrongDataKey

log = logging.getLogger("bot")

NO_TOKEN = """\
No Discord token found, so the bot cannot log in.
Create an application at https://discord.com/developers/applications, open Bot, press
"Reset Token" and copy it. Then put DISCORD_TOKEN=<your token> in a .env file next to
README.md (see .env.example), or set it in the environment, and start again.
To see the bot at work first, with no token: python -m bot demo"""

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

WRONG_KEY = """\
The data key cannot read the data in this database, so the bot stopped. Nothing was changed.
({reason})
Give the key this database was made with: set DATA_KEY, or put back the key file
({key_file}) from your backup. Then start again."""

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# After "Stopped cleanly", how long Python's own clean-up (tasks, threads) may take.
EXIT_GRACE_SECONDS = 10.0

EXIT_CONFIG, EXIT_DATABASE, EXIT_TOKEN, EXIT_INTENTS, EXIT_KEY = 2, 3, 4, 5, 6


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
            for signum in STOP_SIGNALS:
                loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
            try:
                await bot.start(token)
            finally:
                # A second signal while shutting down stops the process the usual way, instead
                # of asking an already closed bot to close again.
                for signum in STOP_SIGNALS:
                    loop.remove_signal_handler(signum)
    except DatabaseUnavailable as error:
        return fail(DATABASE_DOWN.format(url=_safe_url(settings), reason=error), EXIT_DATABASE)
    except discord.LoginFailure:
        return fail(TOKEN_REJECTED, EXIT_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return fail(INTENTS_MISSING, EXIT_INTENTS)
    except ChecklistFileError as error:
        return fail(f"The co-production checklist cannot be used.\n{error}", EXIT_CONFIG)
    except TrainingFileError as error:
        return fail(f"The list of training modules cannot be used.\n{error}", EXIT_CONFIG)
    except (DataKeyError, WrongDataKey, PrivacyFileError) as error:
        return trust_failure(settings, error)
    log.info("Stopped cleanly")
    exit_within(EXIT_GRACE_SECONDS, 0)
    return 0


def _safe_url(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def trust_failure(settings: Settings, error: Exception) -> int:
    """The plain message and exit code for a bad data key or privacy file."""
    if isinstance(error, WrongDataKey):
        return fail(WRONG_KEY.format(reason=error, key_file=settings.data_key_file), EXIT_KEY)
    if isinstance(error, PrivacyFileError):
        return fail(f"The privacy settings cannot be used.\n{error}", EXIT_CONFIG)
    return fail(str(error), EXIT_CONFIG)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("demo", help="see the bot at work in a pretend Discord (no token needed)")
    commands.add_parser("migrate", help="apply database migrations only")
    backup = commands.add_parser("backup", help="copy the SQLite database into DIR")
    backup.add_argument("directory", metavar="DIR", type=Path)
    restore = commands.add_parser("restore", help="put a backup back (SQLite; bot stopped)")
    restore.add_argument("file", metavar="FILE", type=Path)
    restore.add_argument("--replace", action="store_true", help="overwrite a database with data")
    rotate = commands.add_parser("rotate-key", help="re-encrypt everything with a new data key")
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    args = parser.parse_args(argv)
    args.command = args.command or "run"
    return args


def run_operation(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if args.command == "migrate":
            asyncio.run(migrate(settings))
            outcome = operations.Outcome("The database is up to date.")
        elif args.command == "backup":
            outcome = operations.backup(settings, args.directory, datetime.now(UTC))
        elif args.command == "restore":
            outcome = operations.restore(settings, args.file, replace=args.replace)
        else:
            outcome = asyncio.run(operations.rotate_key(settings, batch_size=args.batch_size))
    except DatabaseUnavailable as error:
        return fail(DATABASE_DOWN.format(url=_safe_url(settings), reason=error), EXIT_DATABASE)
    except (DataKeyError, WrongDataKey, PrivacyFileError) as error:
        return trust_failure(settings, error)
    print(outcome.message, file=sys.stdout if outcome.code == 0 else sys.stderr)
    return outcome.code


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "demo":
        from bot import demo  # only the demo needs the simulator

        return demo.main()
    try:
        settings = get_settings()
    except ValidationError as error:
        return fail(f"A setting is not valid:\n{error}", EXIT_CONFIG)
    configure_logging(settings.log_level)
    if args.command != "run":
        return run_operation(settings, args)
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        return fail(NO_TOKEN, EXIT_CONFIG)
    return asyncio.run(run_bot(settings))


def exit_within(seconds: float, code: int) -> None:
    """Make sure the process ends: if something left behind (a task that will not stop, a
    thread that is not a daemon) holds up Python's clean-up after the bot stopped, say where,
    then exit anyway."""

    def watchdog() -> None:
        log.warning("The bot stopped but something still runs; exiting anyway. Threads:")
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        logging.shutdown()
        os._exit(code)

    timer = threading.Timer(seconds, watchdog)
    timer.daemon = True
    timer.start()
