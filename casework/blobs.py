"""Content-addressed file storage under CASEWORK_HOME (attachments and documents), encrypted.

A file is named by the SHA-256 of its plaintext and holds the plaintext encrypted with the key
ring (a Fernet token, mode 0600); :meth:`BlobStore.get` decrypts and checks the hash, so only
the copy that is delivered (an email attachment, a download, an export) leaves the store in the
clear. Files written by an older version in plaintext are still read (they must match their
name's hash); ``casework init`` and ``casework keys rotate`` encrypt them.

Files are written before the transaction that references them and are never deleted by
intake: two submissions of the same PDF share one file, and a failed or duplicate submission
leaves at most an unreferenced file, which :func:`sweep_orphans` removes later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from casework.crypto import Keyring, KeyUnavailable, keyring
from casework.errors import CaseworkError

if TYPE_CHECKING:
    from casework.db import Store

#: Every Fernet token starts with the version byte 0x80, base64 "gA" (a PDF with "%PDF").
_TOKEN_PREFIX = b"gAAAAA"


class BlobMissing(CaseworkError):
    pass


class BlobDamaged(CaseworkError):
    pass


class BlobStore:
    def __init__(self, root: Path, ring: Keyring | None = None):
        self.root = root
        self._ring = ring

    @property
    def ring(self) -> Keyring:
        return self._ring or keyring()

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data`` encrypted; return its SHA-256 and whether this call wrote the file.
        An intact file already there is kept (and its time refreshed, so that a sweep running
        meanwhile leaves it alone); a damaged one is replaced."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            try:
                self.get(digest)
                os.utime(target)
                return digest, False
            except (BlobDamaged, BlobMissing, KeyUnavailable):
                pass
        self._write(target, self.ring.encrypt_bytes(data))
        return digest, True

    def get(self, sha256: str) -> bytes:
        """The plaintext; raises BlobMissing, or BlobDamaged when it does not decrypt or does
        not match its SHA-256."""
        path = self.path_for(sha256)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise BlobMissing(f"stored file {sha256} is missing ({path})") from None
        data = self._open(raw, sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobDamaged(f"stored file {sha256} does not match its SHA-256: it was altered")
        return data

    def is_current(self, sha256: str) -> bool:
        """Whether the file is encrypted under the newest key alone."""
        raw = self.path_for(sha256).read_bytes()
        return raw.startswith(_TOKEN_PREFIX) and self.ring.is_current(raw)

    def reencrypt(self, sha256: str) -> bool:
        """Re-write the file under the newest key (plaintext ones too); False if it already was."""
        if self.is_current(sha256):
            return False
        self._write(self.path_for(sha256), self.ring.encrypt_bytes(self.get(sha256)))
        return True

    def encrypt_if_plain(self, sha256: str) -> bool:
        """Encrypt a file an older version wrote in plaintext (reads 6 bytes of the others)."""
        with self.path_for(sha256).open("rb") as fh:
            if fh.read(len(_TOKEN_PREFIX)) == _TOKEN_PREFIX:
                return False
        self._write(self.path_for(sha256), self.ring.encrypt_bytes(self.get(sha256)))
        return True

    def digests(self) -> Iterator[str]:
        """The SHA-256 names of every stored file."""
        if not self.root.exists():
            return
        for path in sorted(self.root.glob("??/*")):
            if len(path.name) == 64 and not path.name.startswith("."):
                yield path.name

    def _open(self, raw: bytes, sha256: str) -> bytes:
        if not raw.startswith(_TOKEN_PREFIX):
            return raw  # written in plaintext by an older version
        try:
            return self.ring.decrypt_bytes(raw, what=f"stored file {sha256}")
        except KeyUnavailable as exc:
            if hashlib.sha256(raw).hexdigest() == sha256:
                return raw  # a plaintext file that happens to start like a token
            raise BlobDamaged(
                f"{exc}: the file is damaged or was written under another key"
            ) from None

    def _write(self, target: Path, payload: bytes) -> None:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself survives a crash
        finally:
            os.close(dir_fd)


def attachment_blobs(store: Store, ring: Keyring | None = None) -> BlobStore:
    return BlobStore(store.settings.attachments_dir, ring)


def document_blobs(store: Store, ring: Keyring | None = None) -> BlobStore:
    return BlobStore(store.settings.documents_dir, ring)


@dataclass(frozen=True)
class Sweep:
    removed: list[Path]
    kept: int


def sweep_orphans(store: Store, *, older_than: dt.timedelta = dt.timedelta(hours=1)) -> Sweep:
    """Remove stored files no attachment or document references, once they are older than
    ``older_than`` (a submission writes its files before its transaction commits, and
    :meth:`BlobStore.put` refreshes the time of a file it reuses). References are read inside
    a write transaction, which on SQLite keeps any other commit out meanwhile."""
    from casework.models import Attachment, Document

    cutoff = time.time() - older_than.total_seconds()
    removed: list[Path] = []
    kept = 0
    with store.unit_of_work() as session:
        for blobs, column in (
            (attachment_blobs(store), Attachment.sha256),
            (document_blobs(store), Document.sha256),
        ):
            referenced = set(session.scalars(select(column).distinct()))
            for partial in blobs.root.glob("??/.incoming-*"):  # a writer killed mid-write
                if partial.stat().st_mtime <= cutoff:
                    partial.unlink(missing_ok=True)
                    removed.append(partial)
            for digest in blobs.digests():
                path = blobs.path_for(digest)
                if digest in referenced or path.stat().st_mtime > cutoff:
                    kept += 1
                    continue
                path.unlink(missing_ok=True)
                removed.append(path)
    return Sweep(removed, kept)
