"""Secrets the server must read back (webhook signing secrets), encrypted at rest.

The key is derived (HKDF-SHA256) from `FUNDMATCH_SECRET_KEY`; without it, from a random key kept in
`FUNDMATCH_SECRET_KEY_FILE`, made on first use with mode 0600. A dump of the database alone then
does not reveal the secrets. Servers that share a database must share the key.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.settings import Settings

_INFO = b"fundmatch webhook secrets v1"


class SecretUnreadable(Exception):
    """The stored secret was encrypted under another key (the servers' keys differ)."""


def encrypt(settings: Settings, plain: str) -> str:
    return _fernet(_master_key(settings)).encrypt(plain.encode()).decode("ascii")


def decrypt(settings: Settings, stored: str) -> str:
    try:
        return _fernet(_master_key(settings)).decrypt(stored.encode("ascii")).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "the endpoint's secret was encrypted under another key: every server needs the same FUNDMATCH_SECRET_KEY"
        ) from exc


def _master_key(settings: Settings) -> bytes:
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value().encode()
    return _key_file(settings.secret_key_file)


def _key_file(path: Path) -> bytes:
    """The key in `path`, made there (readable by its owner only) if it does not exist yet."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32).encode()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "wb") as file:
        file.write(key + b"\n")
    return key


@lru_cache(maxsize=8)
def _fernet(master: bytes) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(master)
    return Fernet(base64.urlsafe_b64encode(derived))
