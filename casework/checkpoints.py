"""Signed checkpoints of the ledger: its size, Merkle tree head and the time, signed with an
Ed25519 key kept outside the database, written to a folder outside the database.

The format is a C2SP ``tlog-checkpoint`` in a C2SP signed note (as Go's checksum database
publishes), with the time as an extension line::

    casework.local/ledger
    80000
    3m9wcFXa2m6uV5nDr6uLzRfKcF1M3w2nY+g7yoQ3Ayk=
    time 2026-11-26T07:00:00Z

    — casework.local/ledger Az3grkDRHOHk...

Someone who can rewrite the database cannot rewrite a checkpoint kept elsewhere: cutting off
the newest events or rewriting older ones no longer matches it (``verify-history``).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from casework.config import Settings
from casework.errors import CaseworkError
from casework.ledger import leaf
from casework.merkle import tree_root
from casework.models import LedgerEntry
from casework.signednote import NoteError, Signer, Verifier

if TYPE_CHECKING:
    from casework.db import Store

VERIFIER_FILE = "verifier.txt"


class CheckpointError(CaseworkError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: dt.datetime
    note: str  # the signed note as written

    @property
    def summary(self) -> str:
        return (
            f"checkpoint of {self.time:%Y-%m-%d %H:%M:%S} UTC: {self.size} ledger entries, "
            f"tree head {base64.b64encode(self.root).decode()}"
        )


def body(origin: str, size: int, root: bytes, when: dt.datetime) -> str:
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {stamp}\n"


def parse(note: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint in ``note`` if its signature verifies; else CheckpointError."""
    try:
        text = verifier.open(note)
    except NoteError as exc:
        raise CheckpointError(f"the checkpoint is not valid: {exc}") from None
    lines = text.splitlines()
    try:
        origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
        stamp = next(x for x in lines[3:] if x.startswith("time ")).removeprefix("time ")
        when = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except (IndexError, ValueError, StopIteration):
        raise CheckpointError("the checkpoint is not a casework ledger checkpoint") from None
    return Checkpoint(origin, size, root, when, note)


# -- keys -----------------------------------------------------------------------------------
def signer(settings: Settings, *, create: bool = False) -> Signer:
    path = settings.checkpoint_key_file
    if path.exists():
        try:
            return Signer.parse(path.read_text())
        except (NoteError, ValueError) as exc:
            raise CheckpointError(
                f"the checkpoint signing key {path} is not usable: {exc}"
            ) from None
    if not create:
        raise CheckpointError(
            f"the checkpoint signing key {path} is missing, but checkpoints signed with it are "
            f"in {settings.checkpoints_dir}: restore the key from its backup (a new key would "
            "leave the old checkpoints unverifiable)"
        )
    made = Signer.generate(settings.checkpoint_origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(made.private_text() + "\n")
    return made


def verifier(settings: Settings) -> Verifier:
    """The key checkpoints are verified with: ``CASEWORK_CHECKPOINT_VERIFIER`` (a copy kept
    elsewhere, the safest), else the checkpoint folder's verifier.txt, else the signing key's."""
    text = settings.checkpoint_verifier
    stored = settings.checkpoints_dir / VERIFIER_FILE
    try:
        if text:
            return Verifier.parse(text)
        if stored.exists():
            return Verifier.parse(stored.read_text())
    except (NoteError, ValueError) as exc:
        raise CheckpointError(f"the checkpoint verifier key is not usable: {exc}") from None
    return signer(settings).verifier()


# -- writing --------------------------------------------------------------------------------
def ledger_leaves(store: Store) -> list[bytes]:
    with store.reading() as session:
        rows = session.execute(
            select(
                LedgerEntry.kind, LedgerEntry.ref_id, LedgerEntry.case_id, LedgerEntry.item_hash
            ).order_by(LedgerEntry.pos)
        )
        return [leaf(*row) for row in rows]


def write_checkpoint(store: Store, now: dt.datetime | None = None) -> Path:
    """Sign the ledger's current size and tree head and write it to the checkpoint folder;
    return the file. Refused when the ledger no longer extends the newest checkpoint (it was
    cut off or rewritten since): signing it would hide that."""
    settings = store.settings
    folder = settings.checkpoints_dir
    previous = latest_file(settings)
    key = signer(settings, create=previous is None)
    leaves = ledger_leaves(store)
    if previous is not None:
        problems = compare(leaves, parse(previous.read_text(), key.verifier()))
        if problems:
            raise CheckpointError(
                f"no checkpoint written: {'; '.join(problems)} (run `casework verify-history`)"
            )
    when = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    note = key.sign(body(settings.checkpoint_origin, len(leaves), tree_root(leaves), when))
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / VERIFIER_FILE).exists():
        _write(folder / VERIFIER_FILE, key.verifier().text() + "\n")
    target = folder / f"checkpoint-{when.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{len(leaves)}.txt"
    _write(target, note)
    return target


def _write(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o644)  # public: meant to be copied elsewhere
    os.replace(tmp, target)


# -- reading and checking -------------------------------------------------------------------
def latest_file(settings: Settings) -> Path | None:
    files = sorted(settings.checkpoints_dir.glob("checkpoint-*.txt"))
    return files[-1] if files else None


def latest(settings: Settings) -> Checkpoint | None:
    """The newest checkpoint in the folder, verified (for the annual report to print)."""
    path = latest_file(settings)
    return parse(path.read_text(), verifier(settings)) if path else None


def compare(leaves: list[bytes], checkpoint: Checkpoint) -> list[str]:
    """What is wrong with the ledger (its leaf hashes in order) against a checkpoint."""
    when = f"{checkpoint.time:%Y-%m-%d %H:%M:%S} UTC"
    if checkpoint.size > len(leaves):
        return [
            f"the checkpoint of {when} records {checkpoint.size} ledger entries but the ledger "
            f"holds {len(leaves)}: entries were cut off"
        ]
    if tree_root(leaves[: checkpoint.size]) != checkpoint.root:
        return [
            f"the ledger's first {checkpoint.size} entries no longer match the checkpoint of "
            f"{when}: they were rewritten"
        ]
    return []


def check(
    settings: Settings, leaves: list[bytes], path: Path | None = None
) -> tuple[str, list[str]]:
    """Check the ledger against ``path`` (or the newest checkpoint in the folder): returns a
    line saying what was checked, and the problems."""
    path = path or latest_file(settings)
    if path is None:
        return (
            f"no checkpoint in {settings.checkpoints_dir}: run `casework checkpoint` (the daily "
            "deadline watch does) so that cut-off events can be noticed",
            [],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"checkpoint {path}", [f"the checkpoint {path} cannot be read: {exc}"]
    try:
        checkpoint = parse(text, verifier(settings))
    except CheckpointError as exc:
        return f"checkpoint {path}", [f"{path.name}: {exc}"]
    problems = compare(leaves, checkpoint)
    if checkpoint.origin != settings.checkpoint_origin:
        problems.append(
            f"the checkpoint is for {checkpoint.origin!r}, this store is "
            f"{settings.checkpoint_origin!r}"
        )
    return f"ledger checked against the {checkpoint.summary} ({path.name})", problems
