"""The department's copies of the official fillable PDFs: install, look up, require.

``casework forms install FILE.pdf`` keeps an accepted form as
``$CASEWORK_HOME/official-forms/<stem>.pdf`` (``CASEWORK_FORMS_DIR`` overrides the
folder) and records its SHA-256; a later fill checks the file still has that digest.

``CASEWORK_REQUIRE_OFFICIAL_FORMS`` (on unless set to 0/false/no/off) makes the Chief's
approval refuse while the official form for the case's visa type is not installed;
the local demo stack turns it off and delivers marked facsimiles.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.config import load_settings
from casework.errors import CaseworkError
from casework.models import Case, OfficialForm
from forms.install import check_official_pdf
from forms.official import OfficialFormRefused
from forms.spec import Edition, edition_of, editions

SETTING = "CASEWORK_REQUIRE_OFFICIAL_FORMS"


def require_official_forms() -> bool:
    return load_settings().require_official_forms


def forms_dir() -> Path:
    return load_settings().official_forms_dir


def install(session: Session, raw: bytes) -> tuple[Edition, OfficialForm, list[str]]:
    """Check the PDF against the editions the project knows, keep it, record its digest."""
    try:
        ed, notes = check_official_pdf(raw)
    except OfficialFormRefused as exc:
        raise CaseworkError(f"not installed: {exc}") from None
    folder = forms_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{ed.stem}.pdf"
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(raw)
    os.replace(tmp, folder / name)
    row = OfficialForm(
        visa_type=ed.visa_type,
        edition=ed.edition,
        sha256=hashlib.sha256(raw).hexdigest(),
        file_name=name,
        size_bytes=len(raw),
    )
    session.add(row)
    session.flush()
    return ed, row, notes


def record_for(session: Session, visa_type: str, edition: str) -> OfficialForm | None:
    return session.scalars(
        select(OfficialForm)
        .where(OfficialForm.visa_type == visa_type, OfficialForm.edition == edition)
        .order_by(OfficialForm.id.desc())
    ).first()


def installed_pdf(session: Session, visa_type: str, edition: str) -> bytes | None:
    """The installed official PDF's bytes (digest checked), or None when none is installed."""
    row = record_for(session, visa_type, edition)
    if row is None:
        return None
    path = forms_dir() / row.file_name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CaseworkError(
            f"the installed official form {path} is missing: install it again "
            f"(casework forms install {row.file_name})"
        ) from None
    if hashlib.sha256(raw).hexdigest() != row.sha256:
        raise CaseworkError(
            f"the official form {path} changed since it was installed (SHA-256 "
            f"{row.sha256[:16]}... recorded): install the official PDF again"
        )
    return raw


def status(session: Session) -> list[dict[str, Any]]:
    out = []
    for ed in editions().values():
        row = record_for(session, ed.visa_type, ed.edition)
        out.append(
            {
                "visa_type": ed.visa_type,
                "edition": ed.edition,
                "form": ed.edition_line,
                "installed": row is not None,
                "sha256": row.sha256 if row else None,
                "installed_at": row.installed_at.isoformat() if row else None,
                "inventory_recorded": ed.inventory is not None,
            }
        )
    return out


def approval_refusal(session: Session, case: Case) -> str | None:
    """Why the Chief may not approve yet (official form required and not installed), or None."""
    if not require_official_forms():
        return None
    ed = edition_of(case.visa_type)
    form = ed.edition_line.removesuffix(" Edition " + ed.edition)
    if ed.inventory is None:
        # Installing is refused for such an edition (forms/install.py), so saying "install it"
        # would send the Chief in a circle: say what can really be done.
        return (
            f"the official {form} (edition {ed.edition}) cannot be installed yet: no list of its "
            f"official field names is recorded in forms/data/, so this system cannot fill it, and "
            f"{SETTING} requires the official form; set {SETTING}=0 to deliver a marked facsimile "
            "to transcribe onto the official form, or record the field names first"
        )
    try:
        found = installed_pdf(session, ed.visa_type, ed.edition)
    except CaseworkError as exc:
        return str(exc)
    if found is None:
        return (
            f"the official {form} (edition {ed.edition}) is not installed, and {SETTING} requires it: install the "
            "official fillable PDF from uscis.gov with `casework forms install FILE.pdf`, or set "
            f"{SETTING}=0 to deliver a marked facsimile"
        )
    return None
