"""C2SP signed notes with Ed25519 keys (the format of Go's golang.org/x/mod/sumdb/note, used by
the Go checksum database and transparency logs for their checkpoints).

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> <base64(key id || signature)>``. The key id is the first four bytes of
SHA-256(name || "\\n" || 0x01 || public key). Keys are written as
``PRIVATE+KEY+<name>+<id hex>+<base64(0x01 || seed)>`` (signer) and
``<name>+<id hex>+<base64(0x01 || public key)>`` (verifier).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
_DASH = "\u2014 "


class NoteError(ValueError):
    pass


def _key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"{name!r} is not a key name (non-empty, no spaces, no '+')")


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


class Signer:
    def __init__(self, name: str, key: Ed25519PrivateKey):
        _check_name(name)
        self.name = name
        self.key = key
        self.public = _public_bytes(key.public_key())
        self.key_id = _key_id(name, self.public)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("not a signed-note private key (PRIVATE+KEY+name+id+key)")
        raw = base64.b64decode(parts[4])
        if raw[:1] != ED25519 or len(raw) != 33:
            raise NoteError("not an Ed25519 signed-note private key")
        signer = cls(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.key_id.hex() != parts[3]:
            raise NoteError("the private key's id does not match its key")
        return signer

    def private_text(self) -> str:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        seed = self.key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        encoded = base64.b64encode(ED25519 + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{encoded}"

    def verifier(self) -> Verifier:
        return Verifier(self.name, Ed25519PublicKey.from_public_bytes(self.public))

    def sign(self, text: str) -> str:
        """The signed note: ``text`` (which must end in a newline) and this key's signature."""
        if not text.endswith("\n") or "\n\n" in text:
            raise NoteError("a note's text ends with one newline and has no blank line")
        signature = self.key.sign(text.encode())
        encoded = base64.b64encode(self.key_id + signature).decode()
        return f"{text}\n{_DASH}{self.name} {encoded}\n"


class Verifier:
    def __init__(self, name: str, key: Ed25519PublicKey):
        _check_name(name)
        self.name = name
        self.key = key
        self.key_id = _key_id(name, _public_bytes(key))

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("not a signed-note verifier key (name+id+key)")
        raw = base64.b64decode(parts[2])
        if raw[:1] != ED25519 or len(raw) != 33:
            raise NoteError("not an Ed25519 signed-note verifier key")
        verifier = cls(parts[0], Ed25519PublicKey.from_public_bytes(raw[1:]))
        if verifier.key_id.hex() != parts[1]:
            raise NoteError("the verifier key's id does not match its key")
        return verifier

    def text(self) -> str:
        encoded = base64.b64encode(ED25519 + _public_bytes(self.key)).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def open(self, note: str) -> str:
        """The note's text if it carries a valid signature by this key; else NoteError."""
        split = note.rfind("\n\n")
        if split < 0 or not note.endswith("\n"):
            raise NoteError("not a signed note (no blank line before the signatures)")
        text, lines = note[: split + 1], note[split + 2 :].splitlines()
        for line in lines:
            if not line.startswith(_DASH):
                raise NoteError(f"malformed signature line {line[:40]!r}")
            name, _, encoded = line[len(_DASH) :].rpartition(" ")
            try:
                raw = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise NoteError(f"malformed signature line {line[:40]!r}") from None
            if name != self.name or raw[:4] != self.key_id:
                continue  # another key's signature
            try:
                self.key.verify(raw[4:], text.encode())
            except InvalidSignature:
                raise NoteError(f"the signature by {self.name} does not verify") from None
            return text
        raise NoteError(f"the note carries no signature by the key {self.name}+{self.key_id.hex()}")
