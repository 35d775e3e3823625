"""Where the data key comes from: the `DATA_KEY` setting, or else a key file (`DATA_KEY_FILE`,
default data/data.key) made on first start, readable by its owner only.

Both hold one or more base64 keys, the current one first (commas in `DATA_KEY`, one a line in
the file). A second key appears only during a rotation (`python -m bot rotate-key`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from pathlib import Path

from bot.settings import Settings
from db.crypto import DataKeyError, Keyring, key_id

log = logging.getLogger(__name__)

NEW_KEY_FILE = (
    "Created a new data key in %s. Back it up now and move it to a secret store "
    "(the DATA_KEY setting): without it nobody can read the data."
)


def from_setting(settings: Settings) -> bool:
    return settings.data_key is not None and bool(settings.data_key.get_secret_value().strip())


def load_keyring(settings: Settings) -> Keyring:
    """The keyring the settings name; a key file is made when there is neither setting nor file.
    DataKeyError says plainly what is wrong with a malformed key."""
    if from_setting(settings):
        assert settings.data_key is not None
        try:
            return Keyring.from_text(settings.data_key.get_secret_value())
        except DataKeyError as error:
            raise DataKeyError(
                f"DATA_KEY is not a valid data key ({error}). It must be base64 of 32 bytes, "
                "as printed by `python -m bot rotate-key` or kept in data/data.key."
            ) from error
    path = settings.data_key_file
    if not path.exists():
        keyring = Keyring.generate()
        try:
            write_key_file(path, keyring, exclusive=True)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            log.warning(NEW_KEY_FILE, path)
            return keyring
    return read_key_file(path)


def read_key_file(path: Path) -> Keyring:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise DataKeyError(f"The key file {path} cannot be read: {error}") from error
    try:
        keyring = Keyring.from_text(text)
    except DataKeyError as error:
        raise DataKeyError(
            f"The key file {path} does not hold a valid data key ({error}). "
            "Put back the file from your backup, or set DATA_KEY."
        ) from error
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("The key file %s can be read by other users; run: chmod 600 %s", path, path)
    return keyring


def write_key_file(path: Path, keyring: Keyring, *, exclusive: bool = False) -> None:
    """Write the keys owner-only, all at once: a reader sees the old file or the new one, never
    half of one. `exclusive` refuses (FileExistsError) when the file exists already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o600)
        os.write(handle, (keyring.to_text("\n") + "\n").encode("ascii"))
        os.fsync(handle)
        os.close(handle)
        if exclusive:
            os.link(temporary, path)
        else:
            Path(temporary).replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()


def keep_retired_keys(path: Path, keyring: Keyring) -> Path:
    """Append the keys a rotation stops using to `<key file>.retired`, for old backups."""
    retired = path.with_name(path.name + ".retired")
    handle = os.open(retired, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for key in keyring.keys[1:]:
            os.write(handle, f"{Keyring([key]).to_text()}  # key {key_id(key)}\n".encode("ascii"))
    finally:
        os.close(handle)
    return retired
