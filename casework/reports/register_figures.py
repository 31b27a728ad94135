"""The counts behind the executive order's parts of the Mayor's record, aggregated in SQL.

Every query groups by the register's date column (indexed) and a few plain columns, so its
cost grows with the entries in the period, and returns at most one row per day and category;
months are formed here. Nothing identifying is read: no booking or incident number, no notes,
no access-log ``who``. Besides the registers: the requester letters sent in the period by
their languages (``notifications.language``), the requests received by interpreter need
(``cases.interpreter_needed``), and the access log's entries by kind and source.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from casework.models import AccessLogEntry, Case, Notification
from casework.models_registers import DetainerEntry, LanguageEntry, StopEntry
from casework.reports.model import Period

#: Requester letters and emails about a certification request (their languages are recorded).
REQUESTER_LETTERS = (
    "acknowledgment", "certification", "request_information", "denial", "delay", "revocation",
    "filing_window",
)  # fmt: skip
NO_WAIT = -1  # the key of services with no wait recorded


@dataclass
class RegisterData:
    """Plain counts (no SQL, no identifiers): the tests build these from generated events."""

    #: (month "YYYY-MM", form, basis, decision) -> detainer requests received
    detainers: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    #: (month, outcome, offered the opportunity) -> stops
    stops: Counter[tuple[str, str, bool]] = field(default_factory=Counter)
    #: (month, mode) -> language services
    services: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (language, mode) and (context, mode) -> language services
    by_language: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_context: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (mode, minutes waited, or NO_WAIT) -> language services
    waits: Counter[tuple[str, int]] = field(default_factory=Counter)
    #: (visa, languages of the letter: "en", "en+es", "en+note") -> letters sent
    letters: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (visa, "needed" | "not_needed" | "not_stated") -> requests received
    interpreter: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (kind of access, source) -> access-log entries
    access: Counter[tuple[str, str]] = field(default_factory=Counter)


def basis_of(charge: bool, warrant: bool) -> str:
    """Which of the four bases a detainer request had."""
    if charge and warrant:
        return "charge_and_warrant"
    if charge:
        return "charge_only"
    return "warrant_only" if warrant else "neither"


def _month(day: object) -> str:
    text = str(day)  # a date, or SQLite's text
    return text[:7]


def gather_registers(session: Session, period: Period) -> RegisterData:
    data = RegisterData()
    d = DetainerEntry
    charge = d.criminal_charge.is_not(None)
    warrant = d.warrant_number.is_not(None)
    rows = session.execute(
        select(d.received_on, d.form, charge, warrant, d.decision, func.count())
        .where(d.received_on >= period.start, d.received_on <= period.end)
        .group_by(d.received_on, d.form, charge, warrant, d.decision)
    ).all()
    for day, form, has_charge, has_warrant, decision, n in rows:
        key = (_month(day), str(form), basis_of(bool(has_charge), bool(has_warrant)), decision)
        data.detainers[key] += int(n)
    s = StopEntry
    for day, outcome, offered, n in session.execute(
        select(s.occurred_on, s.outcome, s.offered_opportunity, func.count())
        .where(s.occurred_on >= period.start, s.occurred_on <= period.end)
        .group_by(s.occurred_on, s.outcome, s.offered_opportunity)
    ).all():
        data.stops[(_month(day), str(outcome), bool(offered))] += int(n)
    lang = LanguageEntry
    in_period = (lang.occurred_on >= period.start, lang.occurred_on <= period.end)
    for day, mode, n in session.execute(
        select(lang.occurred_on, lang.mode, func.count())
        .where(*in_period)
        .group_by(lang.occurred_on, lang.mode)
    ).all():
        data.services[(_month(day), str(mode))] += int(n)
    for column, target in ((lang.language, data.by_language), (lang.context, data.by_context)):
        for value, mode, n in session.execute(
            select(column, lang.mode, func.count()).where(*in_period).group_by(column, lang.mode)
        ).all():
            target[(str(value), str(mode))] += int(n)
    wait = func.coalesce(lang.wait_minutes, NO_WAIT)
    for mode, minutes, n in session.execute(
        select(lang.mode, wait, func.count()).where(*in_period).group_by(lang.mode, wait)
    ).all():
        data.waits[(str(mode), int(minutes))] += int(n)
    _certification_languages(session, period, data)
    data.access = access_counts(session, period)
    return data


def _certification_languages(session: Session, period: Period, data: RegisterData) -> None:
    n_ = Notification
    for visa, language, n in session.execute(
        select(Case.visa_type, n_.language, func.count())
        .join(Case, Case.id == n_.case_id)
        .where(
            n_.kind.in_(REQUESTER_LETTERS),
            n_.sent_at >= period.start_utc,
            n_.sent_at < period.end_utc,
        )
        .group_by(Case.visa_type, n_.language)
    ).all():
        data.letters[(str(visa), language or "en")] += int(n)
    need = case(
        (Case.interpreter_needed.is_(True), "needed"),
        (Case.interpreter_needed.is_(False), "not_needed"),
        else_="not_stated",
    )
    for visa, what, n in session.execute(
        select(Case.visa_type, need, func.count())
        .where(Case.received_on >= period.start, Case.received_on <= period.end)
        .group_by(Case.visa_type, need)
    ).all():
        data.interpreter[(str(visa), str(what))] += int(n)


_DOCUMENT = re.compile(r"^document \d+ \(([a-z_]+)\) downloaded$")
_EXPORTED = re.compile(r"^\d+ attachment\(s\) exported\b")


def access_kind(what: str) -> str:
    """The kind of an access-log entry, without what makes it one of a kind (a document's id,
    a number of files, a folder): "document downloaded (packet)", "attachments exported"."""
    m = _DOCUMENT.match(what)
    if m:
        return f"document downloaded ({m.group(1)})"
    if _EXPORTED.match(what):
        return "attachments exported"
    return re.sub(r"\d+", "N", what.split(" to /", 1)[0])[:80]


def access_counts(session: Session, period: Period) -> Counter[tuple[str, str]]:
    a = AccessLogEntry
    out: Counter[tuple[str, str]] = Counter()
    for what, why, n in session.execute(
        select(a.what, a.why, func.count())
        .where(a.at >= period.start_utc, a.at < period.end_utc)
        .group_by(a.what, a.why)
    ).all():
        out[(access_kind(str(what)), str(why))] += int(n)
    return out
