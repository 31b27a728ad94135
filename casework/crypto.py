"""Encryption at rest for victim identity, and keyed hashes for duplicate detection.

The key never enters the database: it comes from ``CASEWORK_KEY`` (a urlsafe
base64 Fernet key, or several separated by commas for rotation, newest first)
or from the key file in ``CASEWORK_HOME``, created with mode 0600 on first use.
Duplicate detection compares HMAC-SHA256 digests under a key derived from the
same secret, so no plaintext name or date of birth is ever indexed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.config import load_settings


class KeyUnavailable(RuntimeError):
    """The encryption key is missing or does not open the stored data."""


def _read_keys(key_file: Path, create: bool) -> list[bytes]:
    env = os.environ.get("CASEWORK_KEY")
    if env:
        return [k.strip().encode() for k in env.split(",") if k.strip()]
    if not key_file.exists():
        if not create:
            raise KeyUnavailable(f"no encryption key: set CASEWORK_KEY or create {key_file}")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key() + b"\n")
    return [line.strip() for line in key_file.read_bytes().splitlines() if line.strip()]


class Keyring:
    def __init__(self, keys: list[bytes]):
        if not keys:
            raise KeyUnavailable("the key list is empty")
        self._keys = list(keys)
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self._hmac_key = _hkdf(keys[0], "dedupe")

    def derive(self, purpose: str) -> bytes:
        """A 32-byte secret for one purpose (history MACs, action codes, lookup codes), derived
        from the newest key with HKDF; it never enters the database."""
        return _hkdf(self._keys[0], purpose)

    def derive_all(self, purpose: str) -> list[bytes]:
        """The secret for ``purpose`` under every key of the ring, newest first (to verify what
        an older key wrote while a rotation is under way)."""
        return [_hkdf(k, purpose) for k in self._keys]

    def encrypt_json(self, value: Any) -> bytes:
        raw = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()
        return self._fernet.encrypt(raw)

    def decrypt_json(self, token: bytes) -> Any:
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            raise KeyUnavailable(
                "stored victim data cannot be decrypted with the configured key"
            ) from exc

    def keyed_hash(self, *parts: str) -> str:
        norm = "\x1f".join(normalise(p) for p in parts)
        return hmac.new(self._hmac_key, norm.encode(), hashlib.sha256).hexdigest()


def _hkdf(key: bytes, purpose: str) -> bytes:
    info = f"casework-{purpose}-v1".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def normalise(text: str) -> str:
    """Case-, accent- and space-insensitive form used for duplicate keys."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("-", " ").split())


@lru_cache(maxsize=8)
def _keyring_for(key_file: str, env_key: str | None) -> Keyring:
    return Keyring(_read_keys(Path(key_file), create=True))


def keyring() -> Keyring:
    settings = load_settings()
    return _keyring_for(str(settings.key_file), os.environ.get("CASEWORK_KEY"))
