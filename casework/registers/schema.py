"""What a register entry is, as pydantic models (types and shapes; the policies are in
:mod:`.policy`, checked by the door).

Text goes through the intake's hygiene (:mod:`casework.intake.text`: no control or bidi
characters, NFC). Unknown fields are refused, so a ``subject_name`` column cannot slip a
name into a register. ``criminal_charge`` and ``judicial_warrant`` must be given, as a value
or as null: the person recording the decision says what the request carried.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from casework.intake.schema import Email, IsoDate
from casework.intake.text import MULTI_LINE, SINGLE_LINE
from casework.models_registers import (
    DETAINER,
    LANGUAGE,
    STOP,
    DetainerEntry,
    LanguageEntry,
    StopEntry,
)

FORMS = ("I-247A", "I-247D", "I-247N", "other")
DECISIONS = ("declined", "honored")
OUTCOMES = ("licensed_driver_arranged", "towed_statutory", "towed_no_licensed_driver")
MODES = ("in_person", "phone", "video", "translated_document")
EARLIEST = dt.date(2000, 1, 1)
MAX_WAIT_MINUTES = 14 * 24 * 60  # two weeks (a translated document)


Line40 = Annotated[str, Field(min_length=1, max_length=40), SINGLE_LINE]
Line80 = Annotated[str, Field(min_length=1, max_length=80), SINGLE_LINE]
Line200 = Annotated[str, Field(min_length=1, max_length=200), SINGLE_LINE]
Line300 = Annotated[str, Field(min_length=1, max_length=300), SINGLE_LINE]
Line500 = Annotated[str, Field(min_length=1, max_length=500), SINGLE_LINE]
Notes = Annotated[str, Field(max_length=2000), MULTI_LINE]
#: ISO 639-1 or 639-3 code, with an optional region or script (``pt-BR``, ``zh-Hant``). Not
#: checked against a list: babel's lacks languages the department serves (Mam, ``mam``).
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
#: The occasions of a language service: a closed list, since each value is a row label of the
#: public record (free text could carry a name into it).
CONTEXTS = (
    "call", "stop", "report", "interview", "arrest", "booking", "walk_in", "court",
    "certification", "other",
)  # fmt: skip
Context = Literal[
    "call", "stop", "report", "interview", "arrest", "booking", "walk_in", "court",
    "certification", "other",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WarrantIn(_Strict):
    court: Line200
    number: Line80


class DetainerIn(_Strict):
    received_on: IsoDate
    form: Literal["I-247A", "I-247D", "I-247N", "other"]
    booking_number: Line40
    criminal_charge: Line500 | None
    judicial_warrant: WarrantIn | None
    decision: Literal["declined", "honored"]
    decided_by: Email  # a roster member with a supervisor role (checked by the door)
    notes: Notes | None = None

    def date(self) -> dt.date:
        return self.received_on


class StopIn(_Strict):
    occurred_on: IsoDate
    incident_number: Line40
    outcome: Literal["licensed_driver_arranged", "towed_statutory", "towed_no_licensed_driver"]
    authority: Line300 | None = None
    offered_opportunity: bool
    notes: Notes | None = None

    def date(self) -> dt.date:
        return self.occurred_on


class LanguageIn(_Strict):
    occurred_on: IsoDate
    language: LanguageCode
    mode: Literal["in_person", "phone", "video", "translated_document"]
    context: Context
    wait_minutes: Annotated[int, Field(ge=0, le=MAX_WAIT_MINUTES)] | None = None

    def date(self) -> dt.date:
        return self.occurred_on


EntryIn = DetainerIn | StopIn | LanguageIn
INPUTS: dict[str, type[DetainerIn] | type[StopIn] | type[LanguageIn]] = {
    DETAINER: DetainerIn,
    STOP: StopIn,
    LANGUAGE: LanguageIn,
}
#: The CSV columns of each register (an object field is flattened: judicial_warrant_court).
CSV_COLUMNS = {
    DETAINER: (
        "received_on", "form", "booking_number", "criminal_charge", "judicial_warrant_court",
        "judicial_warrant_number", "decision", "decided_by", "notes",
    ),
    STOP: ("occurred_on", "incident_number", "outcome", "authority", "offered_opportunity",
           "notes"),
    LANGUAGE: ("occurred_on", "language", "mode", "context", "wait_minutes"),
}  # fmt: skip
#: Columns that may be left empty (null) in a CSV export.
CSV_OPTIONAL = {
    DETAINER: {"criminal_charge", "judicial_warrant_court", "judicial_warrant_number", "notes"},
    STOP: {"authority", "notes"},
    LANGUAGE: {"wait_minutes"},
}


def csv_record(kind: str, row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the JSON object it stands for: empty cells are null, the warrant's two
    columns one object (null when both are empty)."""
    out: dict[str, Any] = {k: (v if v.strip() else None) for k, v in row.items()}
    if kind == DETAINER:
        court = out.pop("judicial_warrant_court", None)
        number = out.pop("judicial_warrant_number", None)
        out["judicial_warrant"] = (
            None if court is None and number is None else {"court": court, "number": number}
        )
    return out


def csv_column(kind: str, loc: tuple[int | str, ...]) -> str:
    """The CSV column of a field path (``judicial_warrant.court`` is judicial_warrant_court)."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if kind == DETAINER and parts[:1] == ["judicial_warrant"] and len(parts) == 1:
        return "judicial_warrant_court/judicial_warrant_number"
    return "_".join(parts) or "(row)"


def to_entry(item: EntryIn, decided_by: tuple[int, str] | None = None) -> Any:
    """The row to store for a checked entry (``decided_by``: roster id and name)."""
    if isinstance(item, DetainerIn):
        assert decided_by is not None
        warrant = item.judicial_warrant
        return DetainerEntry(
            received_on=item.received_on,
            form=item.form,
            booking_number=item.booking_number,
            criminal_charge=item.criminal_charge,
            warrant_court=warrant.court if warrant else None,
            warrant_number=warrant.number if warrant else None,
            decision=item.decision,
            decided_by_id=decided_by[0],
            decided_by_name=decided_by[1],
            notes=item.notes,
        )
    if isinstance(item, StopIn):
        return StopEntry(
            occurred_on=item.occurred_on,
            incident_number=item.incident_number,
            outcome=item.outcome,
            authority=item.authority,
            offered_opportunity=item.offered_opportunity,
            notes=item.notes,
        )
    return LanguageEntry(
        occurred_on=item.occurred_on,
        language=item.language,
        mode=item.mode,
        context=item.context,
        wait_minutes=item.wait_minutes,
    )
