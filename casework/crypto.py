"""Encryption at rest for victim identity, and keyed hashes for duplicate detection.

The key never enters the database: it comes from ``CASEWORK_KEY`` (a urlsafe
base64 Fernet key, or several separated by commas for rotation, newest first)
or from the key file (``CASEWORK_KEY_FILE``, default ``CASEWORK_HOME/casework.key``).
Only ``casework init`` on an empty store creates a key file (:func:`create_key_file`);
everything else refuses when no key is found. The store records a *check value*
of every key it was written with (:mod:`casework.keys`), never the key.

Duplicate detection compares HMAC-SHA256 digests under a key derived from the
same secret, so no plaintext name or date of birth is ever indexed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.config import load_settings
from casework.errors import CaseworkError


class KeyUnavailable(CaseworkError):
    """The encryption key is missing or does not open the stored data."""


def key_source(key_file: Path, env_keys: str | None) -> str:
    """Where the keys are looked for, in words for an error message."""
    if env_keys:
        return "CASEWORK_KEY (environment variable)"
    return f"the key file {key_file}"


def _read_keys(key_file: Path, env_keys: str | None) -> list[bytes]:
    if env_keys:
        return [k.strip().encode() for k in env_keys.split(",") if k.strip()]
    if not key_file.exists():
        raise KeyUnavailable(
            f"no encryption key: CASEWORK_KEY is not set and the key file {key_file} does not "
            "exist. Restore the key file from your key backup (or set CASEWORK_KEY, or "
            "CASEWORK_KEY_FILE to where the file is); only `casework init` on an empty store "
            "creates a new key"
        )
    try:
        text = key_file.read_bytes()
    except OSError as exc:
        raise KeyUnavailable(f"the key file {key_file} cannot be read: {exc.strerror}") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def create_key_file(key_file: Path) -> None:
    """Write a new key, mode 0600 (``casework init`` on an empty store only)."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key() + b"\n")


def check_value(key: bytes) -> str:
    """A public fingerprint of a key (HKDF, one-way): what the store records instead of it."""
    return _hkdf(key, "key-check").hex()[:32]


class Keyring:
    def __init__(self, keys: list[bytes], source: str = "the key ring"):
        if not keys:
            raise KeyUnavailable(f"no encryption key in {source}: the key list is empty")
        self.source = source
        self._keys = list(keys)
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                raise KeyUnavailable(
                    f"key {position} in {source} is not a Fernet key "
                    "(32 bytes, urlsafe base64, 44 characters)"
                ) from None
        self._newest = fernets[0]
        self._fernet = MultiFernet(fernets)
        self._hmac_keys = [_hkdf(k, "dedupe") for k in keys]
        self._person_hmac = _hkdf(keys[0], "person")
        self.check_values = [check_value(k) for k in keys]

    def derive(self, purpose: str) -> bytes:
        """A 32-byte secret for one purpose (history MACs, action codes, lookup codes), derived
        from the newest key with HKDF; it never enters the database."""
        return _hkdf(self._keys[0], purpose)

    def derive_all(self, purpose: str) -> list[bytes]:
        """The secret for ``purpose`` under every key of the ring, newest first (to verify what
        an older key wrote while a rotation is under way)."""
        return [_hkdf(k, purpose) for k in self._keys]

    # -- encryption ------------------------------------------------------------------------
    def encrypt_json(self, value: Any) -> bytes:
        raw = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()
        return self._fernet.encrypt(raw)

    def decrypt_json(self, token: bytes) -> Any:
        return json.loads(self.decrypt_bytes(token))

    def encrypt_bytes(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt_bytes(self, token: bytes, what: str = "stored victim data") -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise KeyUnavailable(
                f"{what} cannot be decrypted with the key(s) from {self.source}"
            ) from None

    def opening_keys(self, token: bytes) -> list[str]:
        """Check values of the keys of the ring that open ``token``, newest first."""
        out = []
        for key, cv in zip(self._keys, self.check_values, strict=True):
            try:
                Fernet(key).decrypt(token)
            except InvalidToken:
                continue
            out.append(cv)
        return out

    def is_current(self, token: bytes) -> bool:
        """Whether ``token`` opens with the newest key alone (a rotation skips it)."""
        try:
            self._newest.decrypt(token)
        except InvalidToken:
            return False
        return True

    def reencrypt(self, token: bytes, what: str = "stored data") -> bytes:
        """The same plaintext encrypted under the newest key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise KeyUnavailable(
                f"{what} cannot be decrypted with the key(s) from {self.source}"
            ) from None

    # -- keyed hashes ----------------------------------------------------------------------
    def keyed_hash(self, *parts: str) -> str:
        """The digest under the newest key (what is stored)."""
        return _keyed(self._hmac_keys[0], parts)

    def keyed_hashes(self, *parts: str) -> list[str]:
        """The digest under every key of the ring (what a lookup must match), newest first."""
        return [_keyed(k, parts) for k in self._hmac_keys]

    @property
    def person_key_prefix(self) -> str:
        """What every person key made under the newest key starts with (its check value's
        first 12 digits): a key made under an older key is recomputed, not compared."""
        return self.check_values[0][:12] + "."

    def person_key(self, victim: Mapping[str, Any]) -> str:
        """Who a request is about, as a keyed digest kept on the case for the §4 count of
        individuals: the victim record's normalised family name, given name and date of birth
        (the intake duplicate keys' normalisation, so "Nguyễn" and "NGUYEN" are one person),
        under a key derived for this purpose alone. It tells the same person's requests apart
        from others' without the key; it does not reveal who the person is."""
        fields = ("family_name", "given_name", "date_of_birth")
        parts = tuple(str(victim.get(f) or "") for f in fields)
        return self.person_key_prefix + _keyed(self._person_hmac, parts)


def _keyed(key: bytes, parts: tuple[str, ...]) -> str:
    norm = "\x1f".join(normalise(p) for p in parts)
    return hmac.new(key, norm.encode(), hashlib.sha256).hexdigest()


def _hkdf(key: bytes, purpose: str) -> bytes:
    info = f"casework-{purpose}-v1".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def normalise(text: str) -> str:
    """Case-, accent- and space-insensitive form used for duplicate keys. Invisible format
    characters (zero-width space, soft hyphen, bidi marks) are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return " ".join(stripped.replace("-", " ").split())


@lru_cache(maxsize=8)
def _keyring_for(key_file: str, env_key: str | None, stamp: tuple[int, int] | None) -> Keyring:
    path = Path(key_file)
    return Keyring(_read_keys(path, env_key), key_source(path, env_key))


def keyring() -> Keyring:
    """The key ring from ``CASEWORK_KEY`` or the key file; raises :class:`KeyUnavailable`
    naming where it looked. It never creates a key (see :func:`create_key_file`). A key file
    that is moved away or replaced is noticed at the next call."""
    settings = load_settings()
    env = settings.key.get_secret_value() if settings.key else None
    stamp = None
    if not env:
        try:
            info = settings.key_file.stat()
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
    return _keyring_for(str(settings.key_file), env, stamp)
