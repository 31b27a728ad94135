"""Evidence export: a case's attachments as they were submitted (``casework attachments``).

Each file is decrypted, checked against the SHA-256 recorded when it was submitted, and
written under its original file name (made safe for a file system; a repeated name gets
" (2)"). Every file that is missing or does not match is named in the result; nothing is
written for it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from casework import accesslog
from casework.blobs import BlobDamaged, BlobMissing, attachment_blobs
from casework.db import Store
from casework.views import get_case

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Export:
    case_number: str
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def safe_name(name: str, position: int) -> str:
    cleaned = _UNSAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return cleaned[:200] or f"attachment-{position}.pdf"


def _unique(name: str, used: set[str]) -> str:
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    used.add(candidate.casefold())
    return candidate


def export_attachments(store: Store, case_number: str, out: Path, *, who: str, why: str) -> Export:
    with store.unit_of_work() as session:
        case = get_case(session, case_number)
        listed = [(a.filename, a.sha256) for a in case.attachments]
        accesslog.record(
            session,
            who=who,
            case_id=case.id,
            what=f"{len(listed)} attachment(s) exported to {out}",
            why=why,
        )
        result = Export(case.case_number)
    blobs = attachment_blobs(store)
    out.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for position, (filename, digest) in enumerate(listed, start=1):
        try:
            data = blobs.get(digest)
        except BlobMissing:
            result.problems.append(f"{filename}: the stored file is missing (sha256 {digest})")
            continue
        except BlobDamaged as exc:
            result.problems.append(
                f"{filename}: does not match its recorded SHA-256 {digest} ({exc})"
            )
            continue
        target = out / _unique(safe_name(filename, position), used)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        result.written.append(target)
    return result
