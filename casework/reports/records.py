"""The Mayor's record on request, computed from the history and the registers.

Its parts follow the executive order's policies: ``detainers``, ``unlicensed_operators``
and ``language_access`` from the registers (:mod:`.register_figures`,
:mod:`.register_layout`), and ``certifications``, described here.

All figures are aggregated from the state history (``case_events`` joined to
``cases``, and the form's signature date); no victim field is read, so the
record carries no personal identifying information. Definitions (the tests
compute each one independently from the scenario they build):

* **Requests received by month**, **expedited** and **preferred languages**:
  requests whose ``received_on`` falls in the period (see :mod:`.annual` for why
  receipt), by the victim's ``preferred_language`` ("not stated" when empty) and
  the ``expedited`` flag set at intake.
* **Outcomes**: certified = forms whose *signature date* is in the period (as in the
  §4 report); denied = distinct cases with a ``deny``/``deny_at_signature`` event in
  the period; withdrawn = ``withdraw``; revoked = ``revoke``. **Open at the end of
  the period** = cases received by then whose state *as of the end of the period*
  (replayed from the history) is an open state.
* **Denial reasons**: each case denied in the period once, under the
  ``payload["reason_code"]`` of its last denial in the period.
* **Time to response** (G.L. c. 258F §3, see :mod:`.compliance`): days from
  ``received_on`` to the first answer, for cases first answered in the period,
  split by timeliness. Median (mean of the two middle values for an even count) and
  90th percentile by the nearest-rank method.
* **Overdue today**: open as of the end of ``today``, due before ``today``, never
  answered, and no delay letter sent by the due date; **past due with a letter**:
  the same with a timely letter. **Delay letters**: ``mark_delayed`` events in the
  period; their projected dates as in :mod:`.compliance`.
* **DA consultation positions**: ``record_da_consultation`` events in the period by
  ``payload["position"]``.
* **Certifiers' workload**: per certifier (staff, so named), distinct cases
  assigned to them by an ``assign`` event in the period, and cases open as of
  ``today`` whose latest assignment (as of ``today``) is to them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from casework.models import Case, CaseEvent, Person
from casework.reports.compliance import Compliance, PastDue, compute_compliance, past_due_unanswered
from casework.reports.model import (
    DENY_ACTIONS,
    LOCAL_TZ,
    Period,
    Report,
    day_start_utc,
)
from casework.reports.queries import (
    assignee_at,
    distinct_cases_with,
    in_period,
    maybe_open_at,
    open_counts_at,
    open_values,
    signed_counts,
    state_at,
)
from casework.reports.records_layout import DEFINITIONS, TITLE, records_sections
from casework.reports.register_figures import RegisterData, gather_registers
from casework.roster import get_agency

NOT_STATED = "not stated"
UNASSIGNED = "(not assigned)"


@dataclass
class RecordsData:
    """The plain counts the record is laid out from (no SQL, no victim data)."""

    period: Period
    today: dt.date
    #: (month "YYYY-MM", visa, language, expedited) -> requests received
    received: Counter[tuple[str, str, str, bool]] = field(default_factory=Counter)
    #: outcome -> visa -> cases (certified, denied, withdrawn, revoked, open_at_end)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    #: reason code -> visa -> cases denied in the period under that reason
    reasons: dict[str, Counter[str]] = field(default_factory=dict)
    compliance: Compliance = field(default_factory=Compliance)
    past_due_today: PastDue = field(default_factory=lambda: PastDue(Counter(), Counter()))
    da_positions: dict[str, Counter[str]] = field(default_factory=dict)
    #: certifier name -> (assigned in the period, open today)
    workload: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: The registers' counts, the letters' languages, interpreter needs, the access log.
    registers: RegisterData = field(default_factory=RegisterData)


def gather_records(
    session: Session,
    period: Period,
    today: dt.date,
    tz: ZoneInfo = LOCAL_TZ,
    memo: dict[Any, Any] | None = None,
) -> RecordsData:
    """The counts for ``period``. ``memo`` keeps the figures that depend on ``today`` only
    (past due, workload) across calls for several periods (the release check)."""
    memo = {} if memo is None else memo
    data = RecordsData(period, today)
    end_today = day_start_utc(today + dt.timedelta(days=1), tz)
    stmt = (
        select(
            Case.received_on, Case.visa_type, Case.expedited, Case.preferred_language, func.count()
        )
        .where(Case.received_on >= period.start, Case.received_on <= period.end)
        .group_by(Case.received_on, Case.visa_type, Case.expedited, Case.preferred_language)
    )
    for day, visa, expedited, language, n in session.execute(stmt).all():
        key = (
            f"{day.year:04d}-{day.month:02d}",
            str(visa),
            language or NOT_STATED,
            bool(expedited),
        )
        data.received[key] += int(n)
    signed = signed_counts(session, period)
    open_rows = open_counts_at(session, period.end, period.end_utc)
    data.outcomes = {
        "certified": signed,
        "denied": Counter(distinct_cases_with(session, DENY_ACTIONS, period)),
        "withdrawn": Counter(distinct_cases_with(session, ("withdraw",), period)),
        "revoked": Counter(distinct_cases_with(session, ("revoke",), period)),
        "open_at_end": open_rows,
    }
    data.reasons = _reasons(session, period)
    data.compliance = compute_compliance(session, period, today)
    due_key = ("past due", today)
    if due_key not in memo:
        memo[due_key] = past_due_unanswered(session, today, end_today, period)
    data.past_due_today = memo[due_key]
    data.da_positions = _da_positions(session, period)
    data.workload = _workload(session, period, today, end_today, memo)
    data.registers = gather_registers(session, period)
    return data


def _reasons(session: Session, period: Period) -> dict[str, Counter[str]]:
    last = (
        select(CaseEvent.case_id.label("case_id"), func.max(CaseEvent.seq).label("seq"))
        .where(CaseEvent.action.in_(DENY_ACTIONS), in_period(period))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    code = CaseEvent.payload["reason_code"].as_string()
    rows = session.execute(
        select(code, Case.visa_type, func.count())
        .select_from(last)
        .join(CaseEvent, and_(CaseEvent.case_id == last.c.case_id, CaseEvent.seq == last.c.seq))
        .join(Case, Case.id == CaseEvent.case_id)
        .group_by(code, Case.visa_type)
    ).all()
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for reason, visa, n in rows:
        out[reason or "unrecorded"][str(visa)] += int(n)
    return dict(out)


def _da_positions(session: Session, period: Period) -> dict[str, Counter[str]]:
    position = CaseEvent.payload["position"].as_string()
    rows = session.execute(
        select(position, Case.visa_type, func.count())
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.action == "record_da_consultation", in_period(period))
        .group_by(position, Case.visa_type)
    ).all()
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for pos, visa, n in rows:
        out[pos or "unrecorded"][str(visa)] += int(n)
    return dict(out)


def _workload(
    session: Session,
    period: Period,
    today: dt.date,
    end_today: dt.datetime,
    memo: dict[Any, Any],
) -> dict[str, tuple[int, int]]:
    assignee = CaseEvent.payload["assigned_to_id"].as_integer()
    assigned: dict[int | None, int] = {
        who: int(n)
        for who, n in session.execute(
            select(assignee, func.count(func.distinct(CaseEvent.case_id)))
            .where(CaseEvent.action == "assign", in_period(period))
            .group_by(assignee)
        ).all()
    }
    inner = (
        select(assignee_at(end_today).label("who"), state_at(end_today).label("state"))
        .where(Case.received_on <= today, maybe_open_at(end_today))
        .subquery()
    )
    key = ("open per certifier", today)
    if key not in memo:
        memo[key] = {
            who: int(n)
            for who, n in session.execute(
                select(inner.c.who, func.count())
                .where(inner.c.state.in_(open_values()))
                .group_by(inner.c.who)
            ).all()
        }
    open_now: dict[int | None, int] = memo[key]
    ids = {i for i in (*assigned, *open_now) if i is not None}
    names = {p.id: p.full_name for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    out: dict[str, tuple[int, int]] = {}
    for pid in sorted(ids, key=lambda i: (names.get(i, ""), i)):
        out[names.get(pid, f"person #{pid}")] = (assigned.get(pid, 0), open_now.get(pid, 0))
    if None in open_now or None in assigned:
        out[UNASSIGNED] = (assigned.get(None, 0), open_now.get(None, 0))
    return out


def build_records(
    data: RecordsData, *, agency: str, produced_on: dt.date, tz: ZoneInfo = LOCAL_TZ
) -> Report:
    """Lay the counts out as the record (exact; publish through :func:`suppress.publish`)."""
    sections, relations = records_sections(data)
    return Report(
        kind="records",
        title=TITLE,
        agency=agency,
        period=data.period,
        produced_on=produced_on,
        sections=sections,
        as_of=data.today,
        definitions=DEFINITIONS,
        relations=relations,
    )


def compute_records(
    session: Session,
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date | None = None,
    produced_on: dt.date | None = None,
    tz: ZoneInfo = LOCAL_TZ,
    memo: dict[Any, Any] | None = None,
) -> Report:
    """The exact figures for ``start``..``end`` (publish through :func:`suppress.publish`)."""
    period = Period(start, end, tz)
    data = gather_records(session, period, today or dt.date.today(), tz, memo)
    return build_records(
        data, agency=get_agency(session).name, produced_on=produced_on or dt.date.today(), tz=tz
    )
