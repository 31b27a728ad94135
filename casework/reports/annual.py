"""The annual report under G.L. c. 258F §4, computed from the case history.

Every year by 1 February the department reports, for the previous calendar
year and without personal identifying information: the number of individuals
who requested certification, the number of forms completed and signed, and the
number of requests denied. The figures come from the state history
(``case_events``), never from the cases' current state, so a report for a past
year gives the same figures after cases move on (a certification revoked in a
later year is still a form signed in the year it was signed).

Definitions (kept identical in the records report and the tests):

* **Individuals who requested certification**: distinct victims among the
  requests *received* in the year. A request is received on ``Case.received_on``,
  the date intake records with the ``submit`` event (the event's own timestamp
  is when it was keyed in, which is later for a request received on paper; the
  legal clock of §3 and this count both run from receipt). A victim is
  identified by the normalised family name, given name and date of birth (the
  normalisation of the intake duplicate keys, :func:`casework.crypto.normalise`),
  decrypted in memory for the count only and never stored or printed. The
  stored intake dedupe keys (keyed hashes) also include the police report
  number, so they would count one victim with two incidents twice; this key
  does not. A plain in-memory key rather than an HMAC: nothing is persisted,
  and hashing 30,000 keys would only add time. The
  same person asking for a U and a T certification counts once in each column
  and once in "together", so "together" can be less than U + T.
* **Forms completed and signed**: distinct cases with an ``approve_signature``
  event in the year.
* **Requests denied**: distinct cases with a ``deny`` or ``deny_at_signature``
  event in the year, each case once per year. A case denied, reopened and then
  certified counts as denied in the year of the denial and as signed in the
  year of the signature (both in the same year if both happened in it).

Times of events are counted by the local calendar day (see
:mod:`casework.reports.model`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.crypto import Keyring, keyring, normalise
from casework.models import Case, CaseEvent
from casework.reports.model import (
    DENY_ACTIONS,
    LOCAL_TZ,
    SIGN_ACTION,
    UT_COLUMNS,
    Period,
    Report,
    Section,
    ut_row,
)
from casework.roster import get_agency

TITLE = "Annual report on U and T visa certification requests (G.L. c. 258F, section 4)"

DEFINITIONS = {
    "individuals_requested": (
        "Distinct individuals (victims) whose certification requests were received in the "
        "year; a person who made several requests counts once."
    ),
    "forms_signed": "Certification forms completed and signed in the year.",
    "denied": "Requests denied in writing in the year (each request once).",
    "together": (
        "'Together' counts each individual once even if they requested both a U and a T "
        "certification."
    ),
}


def _norm(text: object) -> str:
    """:func:`casework.crypto.normalise`, with a fast path for plain ASCII (same result)."""
    value = str(text or "")
    if value.isascii():
        return " ".join(value.lower().replace("-", " ").split())
    return normalise(value)


def victim_key(victim: dict[str, object]) -> tuple[str, str, str]:
    """Who a request is about: normalised family name, given name and date of birth.

    Held only in memory while counting (never stored, logged or shown); the same
    normalisation as the intake duplicate keys, so "Nguyễn" and "NGUYEN" are one person.
    """
    return (
        _norm(victim.get("family_name")),
        _norm(victim.get("given_name")),
        str(victim.get("date_of_birth") or ""),
    )


def count_individuals(ring: Keyring, rows: Iterable[tuple[str, bytes]]) -> tuple[int, int, int]:
    """Distinct individuals among (visa_type, victim_enc) rows: U, T, together."""
    by_type: dict[str, set[tuple[str, str, str]]] = {"U": set(), "T": set()}
    for visa_type, token in rows:
        by_type.setdefault(visa_type, set()).add(victim_key(ring.decrypt_json(token)))
    together: set[tuple[str, str, str]] = set().union(*by_type.values())
    return len(by_type["U"]), len(by_type["T"]), len(together)


def distinct_cases_with(
    session: Session, actions: tuple[str, ...], period: Period
) -> dict[str, int]:
    """Distinct cases per visa type with at least one of ``actions`` in the period."""
    stmt = (
        select(Case.visa_type, func.count(func.distinct(CaseEvent.case_id)))
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.action.in_(actions),
            CaseEvent.occurred_at >= period.start_utc,
            CaseEvent.occurred_at < period.end_utc,
        )
        .group_by(Case.visa_type)
    )
    return {str(v): int(n) for v, n in session.execute(stmt).all()}


def compute_annual(
    session: Session,
    year: int,
    *,
    produced_on: dt.date | None = None,
    tz: ZoneInfo = LOCAL_TZ,
    ring: Keyring | None = None,
) -> Report:
    """The exact §4 figures for calendar ``year`` (publish through :func:`suppress.publish`)."""
    ring = ring or keyring()
    period = Period.year(year, tz)
    received = session.execute(
        select(Case.visa_type, Case.victim_enc).where(
            Case.received_on >= period.start, Case.received_on <= period.end
        )
    )
    iu, it, itotal = count_individuals(ring, ((str(v), bytes(b)) for v, b in received))
    signed = distinct_cases_with(session, (SIGN_ACTION,), period)
    denied = distinct_cases_with(session, DENY_ACTIONS, period)
    section = Section(
        key="figures",
        title="Figures for the year",
        columns=UT_COLUMNS,
        rows={
            "individuals_requested": ut_row(iu, it, itotal),
            "forms_signed": ut_row(signed.get("U", 0), signed.get("T", 0)),
            "denied": ut_row(denied.get("U", 0), denied.get("T", 0)),
        },
        exact_columns=("total",),
        row_labels={
            "individuals_requested": "Individuals who requested certification",
            "forms_signed": "Certification forms completed and signed",
            "denied": "Requests denied",
        },
        column_labels={
            "U": "U visa (I-918 Supp. B)",
            "T": "T visa (I-914 Supp. B)",
            "total": "Together",
        },
    )
    return Report(
        kind="annual",
        title=TITLE,
        agency=get_agency(session).name,
        period=period,
        produced_on=produced_on or dt.date.today(),
        sections=[section],
        definitions=dict(DEFINITIONS),
    )
