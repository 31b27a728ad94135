"""Timeliness under G.L. c. 258F §3, shared by the §4 report and the Mayor's record.

The department answers a request within 90 days of receipt by (i) signing the
form or (ii) a written denial, or, when extenuating circumstances prevent it,
(iii) sends a written explanation of the delay with the process it will follow
and a projected time frame. Definitions:

* **First answer**: the earlier of the form's signature date and the local date of
  the first written denial. A reopened case keeps its first answer.
* **Within 90 days**: first answer on or before ``response_due`` (receipt + 90 days).
* **Late with a delay letter sent in time**: answered after ``response_due``, with a
  ``mark_delayed`` event dated on or before ``response_due`` (§3(iii)).
* **Late without one**: answered after ``response_due`` with no such letter (a
  letter sent after the due date does not make the answer timely).
* **Past due and unanswered** (as of a day): open then, due before that day, never
  answered; split by whether a delay letter was sent in time.
* **A delay letter's promised date passed**: the letter's ``projected_date`` (an ISO
  date in the event's payload) fell in the period and before the day the figures
  are as of, and by that date the case had no answer, was not withdrawn, and no
  newer letter had been sent. Letters recorded before the projected date was kept
  carry only a ``time_frame`` text; they cannot be checked and are counted apart.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, exists, func, null, select, true, union
from sqlalchemy.orm import Session, aliased

from casework.models import Case, CaseEvent, SignatureApproval
from casework.reports.model import (
    ANSWER_ACTIONS,
    DELAY_ACTION,
    DENY_ACTIONS,
    SIGN_ACTION,
    Period,
    day_start_utc,
    local_date,
)
from casework.reports.queries import (
    _signature_date,
    every_approval_has_its_row,
    maybe_open_at,
    open_values,
    state_at,
)

Timeliness = Literal["within_90_days", "late_with_delay_letter", "late_without_delay_letter"]
TIMELINESS: tuple[Timeliness, ...] = (
    "within_90_days",
    "late_with_delay_letter",
    "late_without_delay_letter",
)


@dataclass(frozen=True)
class Letter:
    case_id: int
    sent_on: dt.date
    projected: dt.date | None


@dataclass(frozen=True)
class Answered:
    visa: str
    days: int
    timeliness: Timeliness


@dataclass
class Compliance:
    answered: list[Answered] = field(default_factory=list)
    letters_issued: Counter[str] = field(default_factory=Counter)
    promised_passed: Counter[str] = field(default_factory=Counter)
    no_projected_date: Counter[str] = field(default_factory=Counter)


def projected_date(payload: object) -> dt.date | None:
    """The promised date of a delay letter, if its event carries one (newer events do)."""
    if not isinstance(payload, dict):
        return None
    value = payload.get("projected_date")
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Answering:
    """A case's visa type, receipt, due date and first answer (None: never answered)."""

    visa: str
    received: dt.date
    due: dt.date
    first: dt.date | None


def answering(
    session: Session, ids: Select[Any], period: Period, *, complete: bool | None = None
) -> dict[int, Answering]:
    """For each case in ``ids`` (a subquery of case ids): its first answer, in one pass.

    Correlated subqueries on the (case_id, ...) indexes: the first written denial, the
    form's signature date (``signature_approvals`` by case) and, for older approvals
    without that row, the approval's own date (its payload's, else the day recorded).
    ``complete``: :func:`every_approval_has_its_row`, if the caller knows it already.
    """
    tz = period.tz
    e, a = aliased(CaseEvent), aliased(CaseEvent)
    first_deny = (
        select(func.min(e.occurred_at))
        .where(e.case_id == Case.id, e.action.in_(DENY_ACTIONS))
        .scalar_subquery()
    )
    signed = (
        select(SignatureApproval.signature_date)
        .where(
            SignatureApproval.case_id == Case.id,
            SignatureApproval.decision == "approve",
            SignatureApproval.signature_date.is_not(None),
        )
        .order_by(SignatureApproval.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    approval = select(a.occurred_at).where(a.case_id == Case.id, a.action == SIGN_ACTION)
    approved: ColumnElement[Any] = approval.order_by(a.seq).limit(1).scalar_subquery()
    approved_text: ColumnElement[Any] = (
        select(a.payload["signature_date"].as_string())
        .where(a.case_id == Case.id, a.action == SIGN_ACTION)
        .order_by(a.seq)
        .limit(1)
        .scalar_subquery()
    )
    if complete is None:
        complete = every_approval_has_its_row(session)
    if complete:
        approved = approved_text = null()  # no older approvals to fall back on
    stmt = select(
        Case.id,
        Case.visa_type,
        Case.received_on,
        Case.response_due,
        first_deny,
        signed,
        approved,
        approved_text,
    ).where(Case.id.in_(ids))
    out: dict[int, Answering] = {}
    for cid, visa, received, due, deny_at, sig, approved_at, text in session.connection().execute(
        stmt
    ):
        days = []
        if deny_at is not None:
            days.append(local_date(deny_at, tz))
        if isinstance(sig, str):  # SQLite hands back a date from a subquery as text
            sig = dt.date.fromisoformat(sig)
        if sig is not None:
            days.append(sig)
        elif approved_at is not None:
            days.append(_signature_date({"signature_date": text}, local_date(approved_at, tz)))
        out[cid] = Answering(str(visa), received, due, min(days) if days else None)
    return out


def load_letters(
    session: Session, before_utc: dt.datetime, period: Period
) -> dict[int, list[Letter]]:
    stmt = (
        select(CaseEvent.case_id, CaseEvent.occurred_at, CaseEvent.payload)
        .where(CaseEvent.action == DELAY_ACTION, CaseEvent.occurred_at < before_utc)
        .order_by(CaseEvent.case_id, CaseEvent.seq)
    )
    letters: dict[int, list[Letter]] = defaultdict(list)
    for cid, at, payload in session.connection().execute(stmt).all():
        letters[cid].append(Letter(cid, local_date(at, period.tz), projected_date(payload)))
    return letters


def timely_letter(letters: list[Letter], due: dt.date) -> bool:
    return any(letter.sent_on <= due for letter in letters)


def compute_compliance(session: Session, period: Period, as_of: dt.date) -> Compliance:
    """§3 figures for ``period``; "passed" promised dates are those before ``as_of``."""
    slack = dt.timedelta(days=1)
    deny_window = select(CaseEvent.case_id).where(
        CaseEvent.action.in_(DENY_ACTIONS),
        CaseEvent.occurred_at >= period.start_utc - slack,
        CaseEvent.occurred_at < period.end_utc + slack,
    )
    # Every case with an approval row dated in the period (what :func:`answering` reads the
    # form's date from), whichever event the row points to.
    sign_window = select(SignatureApproval.case_id).where(
        SignatureApproval.decision == "approve",
        SignatureApproval.signature_date >= period.start,
        SignatureApproval.signature_date <= period.end,
    )
    # Older approvals without a signature row: recorded up to a month after the form's date.
    # (Skipped when every approval has its row: reading every approval event to find the
    # month's costs a tenth of a second at 100,000 cases and adds no case.)
    complete = every_approval_has_its_row(session)
    old_window = select(CaseEvent.case_id).where(
        CaseEvent.action == SIGN_ACTION,
        CaseEvent.occurred_at >= period.start_utc - slack,
        CaseEvent.occurred_at < period.end_utc + dt.timedelta(days=32),
    )
    last_utc = max(period.end_utc, day_start_utc(as_of, period.tz))
    letters = load_letters(session, last_utc, period)
    letter_ids = select(CaseEvent.case_id).where(
        CaseEvent.action == DELAY_ACTION, CaseEvent.occurred_at < last_utc
    )
    windows = (
        (deny_window, sign_window, letter_ids)
        if complete
        else (deny_window, sign_window, old_window, letter_ids)
    )
    candidates = union(*windows).subquery()
    ids = select(candidates.c.case_id)
    cases = answering(session, ids, period, complete=complete)
    out = Compliance()
    for cid, case in cases.items():
        day, visa, received, due = case.first, case.visa, case.received, case.due
        if day is None or not period.contains(day):
            continue
        if day <= due:
            kind: Timeliness = "within_90_days"
        elif timely_letter(letters.get(cid, []), due):
            kind = "late_with_delay_letter"
        else:
            kind = "late_without_delay_letter"
        out.answered.append(Answered(visa, (day - received).days, kind))
    withdrawn = _withdrawals(session, letter_ids, period)
    for cid, case_letters in letters.items():
        if cid not in cases:
            continue
        visa = cases[cid].visa
        for letter in case_letters:
            if period.contains(letter.sent_on):
                out.letters_issued[visa] += 1
                if letter.projected is None:
                    out.no_projected_date[visa] += 1
        for i, letter in enumerate(case_letters):
            promised = letter.projected
            if promised is None or not period.contains(promised) or promised >= as_of:
                continue
            first = cases[cid].first
            if _promise_broken(promised, case_letters[i + 1 :], first, withdrawn.get(cid)):
                out.promised_passed[visa] += 1
                break
    return out


def _promise_broken(
    promised: dt.date, later: list[Letter], answered: dt.date | None, withdrawn: dt.date | None
) -> bool:
    if answered is not None and answered <= promised:
        return False
    if withdrawn is not None and withdrawn <= promised:
        return False
    return not any(newer.sent_on <= promised for newer in later)


def _withdrawals(session: Session, ids: Select[Any], period: Period) -> dict[int, dt.date]:
    stmt = (
        select(CaseEvent.case_id, func.min(CaseEvent.occurred_at))
        .where(CaseEvent.action == "withdraw", CaseEvent.case_id.in_(ids))
        .group_by(CaseEvent.case_id)
    )
    return {cid: local_date(at, period.tz) for cid, at in session.connection().execute(stmt).all()}


@dataclass(frozen=True)
class PastDue:
    """Open cases past their due date and never answered, as of a day."""

    with_letter: Counter[str]
    without_letter: Counter[str]


def past_due_unanswered(
    session: Session,
    due_before: dt.date,
    state_utc: dt.datetime,
    period: Period,
    *,
    recent: bool = True,
) -> PastDue:
    """Cases open at ``state_utc``, due before ``due_before``, with no answer before ``state_utc``.

    ``recent``: ``state_utc`` is about now, so :func:`maybe_open_at` narrows the cases to
    replay cheaply; for a day long past (a year end) most cases changed since, and the
    narrowing costs more than it saves (measured: 0.47 s against 0.34 s at 100,000 cases).
    """
    e = aliased(CaseEvent)
    answered = exists().where(
        e.case_id == Case.id, e.action.in_(ANSWER_ACTIONS), e.occurred_at < state_utc
    )
    # The state first: SQLite tests the conditions in this order, and the state (the last
    # event before then, one step down the index) rules out more cases for less than the
    # search for an answer among all of a case's events.
    rows = (
        session.connection()
        .execute(
            select(Case.id, Case.visa_type, Case.response_due).where(
                Case.response_due < due_before,
                maybe_open_at(state_utc) if recent else true(),
                state_at(state_utc).in_(open_values()),
                ~answered,
            )
        )
        .all()
    )
    letters = load_letters(session, state_utc, period) if rows else {}
    out = PastDue(Counter(), Counter())
    for cid, visa, due in rows:
        bucket = out.with_letter if timely_letter(letters.get(cid, []), due) else out.without_letter
        bucket[str(visa)] += 1
    return out
