"""Encryption at rest: the keyring that `EncryptedText` columns (db/types.py) use.

A stored value looks like `enc:v1:<key id>:<base64 of nonce + ciphertext + tag>`: AES-256-GCM,
a fresh random 12-byte nonce per value, and the id (a short hash) of the key that wrote it, so
rotation can tell old values from new ones and a keyring can hold several keys at once.

How a column finds its key (no module globals): each `Database` owns a `Keyring` and attaches
it to its engine's dialect (`attach_keyring`); SQLAlchemy hands that same dialect to every
`TypeDecorator` call (`process_bind_param(value, dialect)`), and `keyring_of(dialect)` reads it
back. One engine has one dialect object, so several databases with different keys live side by
side in one process (the tests do this), and nothing is read at import time.

The first key in a keyring writes; the others are only read (during a rotation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
KEY_BYTES = 32
NONCE_BYTES = 12
_ATTRIBUTE = "health_bot_keyring"


class DataKeyError(Exception):
    """A data key is malformed (not base64 of 32 bytes) or missing."""


class WrongDataKey(Exception):
    """A stored value cannot be decrypted with any key in the keyring."""


def key_id(key: bytes) -> str:
    """A short, stable name for a key (never the key itself)."""
    return hashlib.sha256(b"health-bot data key id:" + key).hexdigest()[:8]


def parse_key(text: str) -> bytes:
    """One key from its base64 text; DataKeyError if it is not base64 of exactly 32 bytes."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise DataKeyError("it is not valid base64") from error
    if len(key) != KEY_BYTES:
        raise DataKeyError(f"it is {len(key)} bytes long, not {KEY_BYTES}")
    return key


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def stored_key_id(value: str) -> str | None:
    """The id of the key that wrote a stored value; None for plaintext."""
    if not is_encrypted(value):
        return None
    return value[len(PREFIX) :].split(":", 1)[0]


class Keyring:
    """Keys by id; `keys[0]` encrypts, every key decrypts."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise DataKeyError("a keyring needs at least one key")
        for key in keys:
            if len(key) != KEY_BYTES:
                raise DataKeyError(f"a key is {len(key)} bytes long, not {KEY_BYTES}")
        self.keys = tuple(keys)
        self._ciphers = {key_id(key): AESGCM(key) for key in self.keys}
        self.current_id = key_id(self.keys[0])
        self._current = self._ciphers[self.current_id]

    @classmethod
    def generate(cls) -> Keyring:
        """A keyring with one new random key (tests, benchmarks, a first start)."""
        return cls([new_key()])

    @classmethod
    def from_text(cls, text: str) -> Keyring:
        """Keys as base64, separated by commas or new lines; the first is the current one."""
        parts = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
        if not parts:
            raise DataKeyError("it is empty")
        keys = []
        for number, part in enumerate(parts, 1):
            try:
                keys.append(parse_key(part))
            except DataKeyError as error:
                raise DataKeyError(f"key {number}: {error}") from error
        return cls(keys)

    def to_text(self, separator: str = ",") -> str:
        return separator.join(encode_key(key) for key in self.keys)

    @property
    def rotating(self) -> bool:
        """More than one key: values written by the older ones still need re-encrypting."""
        return len(self.keys) > 1

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._current.encrypt(nonce, plaintext.encode("utf-8"), None)
        body = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}{self.current_id}:{body}"

    def decrypt(self, stored: str) -> str:
        if not is_encrypted(stored):
            raise WrongDataKey("the value is not encrypted")
        kid, _, body = stored[len(PREFIX) :].partition(":")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise WrongDataKey(f"the value was written with key {kid}, which is not given")
        try:
            raw = base64.b64decode(body, validate=True)
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError) as error:
            raise WrongDataKey(f"the value does not open with key {kid}") from error

    def readable(self, stored: str) -> bool:
        try:
            self.decrypt(stored)
        except WrongDataKey:
            return False
        return True


def attach_keyring(engine: Any, keyring: Keyring) -> None:
    """Give an engine (sync or async) its keyring, through its dialect."""
    sync_engine = getattr(engine, "sync_engine", engine)
    setattr(sync_engine.dialect, _ATTRIBUTE, keyring)


def keyring_of(dialect: Any) -> Keyring:
    keyring = getattr(dialect, _ATTRIBUTE, None)
    if keyring is None:
        raise DataKeyError(
            "this engine has no data key; open the database through db.engine.Database"
        )
    assert isinstance(keyring, Keyring)
    return keyring
