"""The Mayor's record on request: how certification requests were handled in a period.

All figures are aggregated in SQL from the state history (``case_events``
joined to ``cases``); no case is loaded as an object and no victim field is
read, so the record carries no personal identifying information. Definitions
(the tests compute each one independently from the scenario they build):

* **Requests received by month**, **expedited** and **preferred languages**:
  requests whose ``received_on`` falls in the period (see
  :mod:`casework.reports.annual` for why receipt, not the ``submit`` timestamp),
  by the victim's ``preferred_language`` ("not stated" when empty) and the
  ``expedited`` flag set at intake.
* **Outcomes**: distinct cases with the deciding event *in the period*:
  certified = ``approve_signature``; denied = ``deny``/``deny_at_signature``;
  withdrawn = ``withdraw``; revoked = ``revoke``. **Open at the end of the
  period** = cases received by then whose state *as of the end of the period*
  (replayed from the history, not the current state) is an open state.
* **Denial reasons**: each case denied in the period once, under the
  ``payload["reason_code"]`` of its last denial in the period.
* **Time to response** (G.L. c. 258F §3): days from ``received_on`` to the local
  date of the case's *first* answering event (``approve_signature``, ``deny``,
  ``deny_at_signature``), for cases whose first answer falls in the period.
  Median (mean of the two middle values for an even count) and 90th
  percentile by the nearest-rank method (the ceil(0.9 n)-th smallest); "within
  90 days" = at most 90 days. A reopened case keeps its first answer.
* **Overdue today**: cases whose state as of the end of ``today`` is open, whose
  ``response_due`` is before ``today``, with no answering event and no written
  delay explanation (``mark_delayed``) up to then.
* **Written delay explanations issued**: ``mark_delayed`` events in the period.
* **DA consultation positions**: ``record_da_consultation`` events in the
  period by ``payload["position"]``.
* **Certifiers' workload**: per certifier (staff, so named), distinct cases
  assigned to them by an ``assign`` event in the period, and cases open as of
  ``today`` whose latest assignment (as of ``today``) is to them.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from casework.deadlines import DEFAULT_POLICY
from casework.models import Case, CaseEvent, Person
from casework.policy import DA_POSITIONS, DENIAL_REASONS
from casework.reports.annual import distinct_cases_with
from casework.reports.model import (
    ANSWER_ACTIONS,
    DELAY_ACTION,
    DENY_ACTIONS,
    LOCAL_TZ,
    SIGN_ACTION,
    UT_COLUMNS,
    Period,
    Report,
    Section,
    Value,
    day_start_utc,
    local_date,
    ut_row,
)
from casework.roster import get_agency
from casework.states import OPEN_STATES, State

TITLE = "Record of U and T visa certification requests (Mayor's executive order)"
NOT_STATED = "not stated"
UNASSIGNED = "(not assigned)"

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ht": "Haitian Creole",
    "km": "Khmer",
    "ko": "Korean",
    "ne": "Nepali",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "so": "Somali",
    "sw": "Swahili",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

DEFINITIONS = {
    "requests_by_month": "Requests by the month they were received.",
    "outcomes": (
        "Cases with the decision in the period; 'open' is replayed from the history as of "
        "the end of the period."
    ),
    "time_to_response": (
        "Days from receipt to the first signature or written denial (G.L. c. 258F s. 3), "
        "for cases first answered in the period; 90th percentile by nearest rank."
    ),
    "deadlines": (
        "Overdue: open past the 90-day due date with no answer and no written delay "
        "explanation, as of the date shown."
    ),
}


def _open_values() -> list[str]:
    return sorted(s.value for s in OPEN_STATES)


def _in_period(period: Period) -> ColumnElement[bool]:
    return and_(CaseEvent.occurred_at >= period.start_utc, CaseEvent.occurred_at < period.end_utc)


def state_at(at_utc: dt.datetime) -> ColumnElement[str]:
    """A case's state as of ``at_utc``: the ``to_state`` of its last event before then.

    A correlated subquery walking the (case_id, seq) index backwards, so it costs a
    few index steps per case. A case exists, as submitted, from its ``received_on``
    date even when its ``submit`` event was keyed in later (a request received on
    paper), hence the default.
    """
    e = aliased(CaseEvent)
    last = (
        select(e.to_state)
        .where(e.case_id == Case.id, e.occurred_at < at_utc)
        .order_by(e.seq.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(last, State.SUBMITTED.value)


def maybe_open_at(at_utc: dt.datetime) -> ColumnElement[bool]:
    """A cheap superset of "open as of ``at_utc``", to evaluate :func:`state_at` on fewer rows.

    A case open at ``at_utc`` is either open now or has changed since (an event at or
    after ``at_utc``); for a report as of today that leaves little more than the open cases.
    """
    changed_since = select(CaseEvent.case_id).where(CaseEvent.occurred_at >= at_utc)
    return or_(Case.state_.in_(_open_values()), Case.id.in_(changed_since))


def assignee_at(at_utc: dt.datetime) -> ColumnElement[int]:
    """The certifier id of a case's latest ``assign`` event before ``at_utc`` (or NULL)."""
    e = aliased(CaseEvent)
    return (
        select(e.payload["assigned_to_id"].as_integer())
        .where(e.case_id == Case.id, e.action == "assign", e.occurred_at < at_utc)
        .order_by(e.seq.desc())
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class OpenToday:
    """Open cases as of the end of ``today``: per visa type and certifier, overdue or not."""

    rows: list[tuple[str, int | None, bool, int]]  # visa type, certifier id, overdue, count

    @classmethod
    def load(cls, session: Session, today: dt.date, end_today: dt.datetime) -> OpenToday:
        answered_or_explained = exists().where(
            CaseEvent.case_id == Case.id,
            CaseEvent.action.in_((*ANSWER_ACTIONS, DELAY_ACTION)),
            CaseEvent.occurred_at < end_today,
        )
        overdue = case((and_(Case.response_due < today, ~answered_or_explained), 1), else_=0).label(
            "overdue"
        )
        inner = (
            select(
                Case.visa_type.label("visa_type"),
                assignee_at(end_today).label("who"),
                overdue,
                state_at(end_today).label("state"),
            )
            .where(Case.received_on <= today, maybe_open_at(end_today))
            .subquery()
        )
        stmt = (
            select(inner.c.visa_type, inner.c.who, inner.c.overdue, func.count())
            .where(inner.c.state.in_(_open_values()))
            .group_by(inner.c.visa_type, inner.c.who, inner.c.overdue)
        )
        return cls([(str(v), w, bool(o), int(n)) for v, w, o, n in session.execute(stmt).all()])


def _split(rows: list[tuple[str, int]]) -> dict[str, Value]:
    u = sum(n for v, n in rows if v == "U")
    t = sum(n for v, n in rows if v == "T")
    return ut_row(u, t)


def _nearest_rank(sorted_values: list[int], q: float) -> int:
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def response_stats(days: list[int], limit: int = DEFAULT_POLICY.response_days) -> dict[str, Value]:
    values = sorted(days)
    n = len(values)
    within = sum(1 for d in values if d <= limit)
    return {
        "answered": n,
        "within_90_days": within,
        "share_within_90_days": round(100.0 * within / n, 1) if n else None,
        "median_days": float(statistics.median(values)) if n else None,
        "p90_days": _nearest_rank(values, 0.9) if n else None,
    }


def compute_records(
    session: Session,
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date | None = None,
    produced_on: dt.date | None = None,
    tz: ZoneInfo = LOCAL_TZ,
) -> Report:
    """The exact figures for ``start``..``end`` (publish through :func:`suppress.publish`)."""
    today = today or dt.date.today()
    period = Period(start, end, tz)
    end_today = day_start_utc(today + dt.timedelta(days=1), tz)
    open_today = OpenToday.load(session, today, end_today)
    by_month, received, languages = _received_sections(session, period)
    outcomes, reasons = _outcome_sections(session, period)
    sections = [
        by_month,
        received,
        outcomes,
        reasons,
        _response_section(session, period, tz),
        _deadline_section(session, period, today, open_today),
        _da_section(session, period),
        _workload_section(session, period, today, open_today),
        languages,
    ]
    return Report(
        kind="records",
        title=TITLE,
        agency=get_agency(session).name,
        period=period,
        produced_on=produced_on or dt.date.today(),
        sections=sections,
        as_of=today,
        definitions=dict(DEFINITIONS),
    )


def _received_sections(session: Session, period: Period) -> tuple[Section, Section, Section]:
    stmt = (
        select(
            Case.received_on,
            Case.visa_type,
            Case.expedited,
            Case.preferred_language,
            func.count(),
        )
        .where(Case.received_on >= period.start, Case.received_on <= period.end)
        .group_by(Case.received_on, Case.visa_type, Case.expedited, Case.preferred_language)
    )
    months: dict[str, dict[str, int]] = {m: {"U": 0, "T": 0} for m in period.months()}
    expedited = {"U": 0, "T": 0}
    received = {"U": 0, "T": 0}
    languages: dict[str, dict[str, int]] = defaultdict(lambda: {"U": 0, "T": 0})
    for day, visa, is_expedited, language, n in session.execute(stmt).all():
        visa = str(visa)
        months[f"{day.year:04d}-{day.month:02d}"][visa] += n
        received[visa] += n
        if is_expedited:
            expedited[visa] += n
        languages[language or NOT_STATED][visa] += n
    lang_order = sorted(languages, key=lambda k: (-sum(languages[k].values()), k))
    return (
        Section(
            key="requests_by_month",
            title="Requests received by month",
            columns=UT_COLUMNS,
            rows={m: ut_row(c["U"], c["T"]) for m, c in months.items()},
        ),
        Section(
            key="requests",
            title="Requests received in the period",
            columns=UT_COLUMNS,
            rows={
                "received": ut_row(received["U"], received["T"]),
                "expedited": ut_row(expedited["U"], expedited["T"]),
            },
            row_labels={
                "received": "Requests received",
                "expedited": "Expedited (removal proceedings, detention, family member near 21)",
            },
        ),
        Section(
            key="languages",
            title="Preferred languages of the victims (requests received)",
            columns=UT_COLUMNS,
            rows={k: ut_row(languages[k]["U"], languages[k]["T"]) for k in lang_order},
            row_labels={k: f"{LANGUAGE_NAMES[k]} ({k})" for k in lang_order if k in LANGUAGE_NAMES},
        ),
    )


def _distinct_by_type(
    session: Session, actions: tuple[str, ...], period: Period
) -> dict[str, Value]:
    return _split(list(distinct_cases_with(session, actions, period).items()))


def _outcome_sections(session: Session, period: Period) -> tuple[Section, Section]:
    open_rows = session.execute(
        select(Case.visa_type, func.count())
        .where(Case.received_on <= period.end, state_at(period.end_utc).in_(_open_values()))
        .group_by(Case.visa_type)
    ).all()
    outcomes = Section(
        key="outcomes",
        title="Outcomes in the period",
        columns=UT_COLUMNS,
        rows={
            "certified": _distinct_by_type(session, (SIGN_ACTION,), period),
            "denied": _distinct_by_type(session, DENY_ACTIONS, period),
            "withdrawn": _distinct_by_type(session, ("withdraw",), period),
            "revoked": _distinct_by_type(session, ("revoke",), period),
            "open_at_end": _split([(str(v), int(n)) for v, n in open_rows]),
        },
        row_labels={
            "certified": "Certified (form signed)",
            "denied": "Denied in writing",
            "withdrawn": "Withdrawn by the requester",
            "revoked": "Revoked by the department",
            "open_at_end": "Open at the end of the period",
        },
    )
    last = (
        select(CaseEvent.case_id.label("case_id"), func.max(CaseEvent.seq).label("seq"))
        .where(CaseEvent.action.in_(DENY_ACTIONS), _in_period(period))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    code = CaseEvent.payload["reason_code"].as_string()
    reason_rows = session.execute(
        select(code, Case.visa_type, func.count())
        .select_from(last)
        .join(CaseEvent, and_(CaseEvent.case_id == last.c.case_id, CaseEvent.seq == last.c.seq))
        .join(Case, Case.id == CaseEvent.case_id)
        .group_by(code, Case.visa_type)
    ).all()
    by_reason: dict[str, dict[str, int]] = {r: {"U": 0, "T": 0} for r in DENIAL_REASONS}
    for reason, visa, n in reason_rows:
        by_reason.setdefault(reason or "unrecorded", {"U": 0, "T": 0})[str(visa)] += int(n)
    reasons = Section(
        key="denial_reasons",
        title="Denials by the policy reason given",
        columns=UT_COLUMNS,
        rows={r: ut_row(c["U"], c["T"]) for r, c in by_reason.items()},
        row_labels={r: r.replace("_", " ").capitalize() for r in by_reason},
    )
    return outcomes, reasons


def _response_section(session: Session, period: Period, tz: ZoneInfo) -> Section:
    first = (
        select(CaseEvent.case_id.label("case_id"), func.min(CaseEvent.occurred_at).label("first"))
        .where(CaseEvent.action.in_(ANSWER_ACTIONS))
        .group_by(CaseEvent.case_id)
        .having(
            func.min(CaseEvent.occurred_at) >= period.start_utc,
            func.min(CaseEvent.occurred_at) < period.end_utc,
        )
        .subquery()
    )
    rows = session.execute(
        select(Case.visa_type, Case.received_on, first.c.first).join(
            first, first.c.case_id == Case.id
        )
    ).all()
    days: dict[str, list[int]] = {"U": [], "T": []}
    for visa, received, answered in rows:
        if isinstance(answered, str):  # SQLite may hand back text from an aggregate
            answered = dt.datetime.fromisoformat(answered)
        days[str(visa)].append((local_date(answered, tz) - received).days)
    stats = {
        "U": response_stats(days["U"]),
        "T": response_stats(days["T"]),
        "total": response_stats(days["U"] + days["T"]),
    }
    measures = ("answered", "within_90_days", "share_within_90_days", "median_days", "p90_days")
    return Section(
        key="time_to_response",
        title="Time to response (G.L. c. 258F s. 3: 90 days)",
        columns=UT_COLUMNS,
        rows={m: {c: stats[c][m] for c in UT_COLUMNS} for m in measures},
        stat_rows=("share_within_90_days", "median_days", "p90_days"),
        stat_base_row="answered",
        row_labels={
            "answered": "Requests first answered in the period",
            "within_90_days": "Answered within 90 days",
            "share_within_90_days": "Share answered within 90 days (%)",
            "median_days": "Median days to response",
            "p90_days": "90th percentile, days to response",
        },
    )


def _deadline_section(
    session: Session, period: Period, today: dt.date, open_today: OpenToday
) -> Section:
    overdue = [(v, n) for v, _who, late, n in open_today.rows if late]
    delays = session.execute(
        select(Case.visa_type, func.count())
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.action == DELAY_ACTION, _in_period(period))
        .group_by(Case.visa_type)
    ).all()
    return Section(
        key="deadlines",
        title="Deadlines",
        columns=UT_COLUMNS,
        rows={
            "overdue_today": _split([(str(v), int(n)) for v, n in overdue]),
            "delay_explanations": _split([(str(v), int(n)) for v, n in delays]),
        },
        row_labels={
            "overdue_today": f"Cases overdue on {today.isoformat()} (no answer, no delay letter)",
            "delay_explanations": "Written delay explanations issued in the period (s. 3(iii))",
        },
    )


def _da_section(session: Session, period: Period) -> Section:
    position = CaseEvent.payload["position"].as_string()
    rows = session.execute(
        select(position, Case.visa_type, func.count())
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.action == "record_da_consultation", _in_period(period))
        .group_by(position, Case.visa_type)
    ).all()
    by_position: dict[str, dict[str, int]] = {p: {"U": 0, "T": 0} for p in DA_POSITIONS}
    for pos, visa, n in rows:
        by_position.setdefault(pos or "unrecorded", {"U": 0, "T": 0})[str(visa)] += int(n)
    return Section(
        key="da_positions",
        title="District Attorney consultations recorded in the period, by position",
        columns=UT_COLUMNS,
        rows={p: ut_row(c["U"], c["T"]) for p, c in by_position.items()},
        row_labels={p: p.replace("_", " ").capitalize() for p in by_position},
    )


def _workload_section(
    session: Session, period: Period, today: dt.date, open_today: OpenToday
) -> Section:
    assignee = CaseEvent.payload["assigned_to_id"].as_integer()
    assigned: dict[int | None, int] = dict(
        session.execute(
            select(assignee, func.count(func.distinct(CaseEvent.case_id)))
            .where(CaseEvent.action == "assign", _in_period(period))
            .group_by(assignee)
        ).all()
    )
    open_now: dict[int | None, int] = defaultdict(int)
    for _visa, who, _late, n in open_today.rows:
        open_now[who] += n
    ids = {i for i in (*assigned, *open_now) if i is not None}
    names = {p.id: p.full_name for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    rows: dict[str, dict[str, Value]] = {}
    for pid in sorted(ids, key=lambda i: (names.get(i, ""), i)):
        label = names.get(pid, f"person #{pid}")
        rows[label] = {
            "assigned_in_period": assigned.get(pid, 0),
            "open_today": open_now.get(pid, 0),
        }
    if None in open_now or None in assigned:
        rows[UNASSIGNED] = {
            "assigned_in_period": assigned.get(None, 0),
            "open_today": open_now.get(None, 0),
        }
    return Section(
        key="certifier_workload",
        title="Certifiers' workload",
        columns=("assigned_in_period", "open_today"),
        rows=rows,
        suppress=False,
        column_labels={
            "assigned_in_period": "Assigned in the period",
            "open_today": f"Open on {today.isoformat()}",
        },
        note="Certifiers are department staff; their names are not personal data of victims.",
    )
