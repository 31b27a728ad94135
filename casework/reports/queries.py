"""Queries over the state history that both reports share.

All figures come from ``case_events`` (and, for signatures, the form's
signature date in ``signature_approvals``), never from a case's current state,
so a past period's figures do not change as cases move on. No victim field is
read here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from casework.db import as_date, raw_rows
from casework.models import Case, CaseEvent, SignatureApproval
from casework.reports.model import SIGN_ACTION, Period, local_date
from casework.states import OPEN_STATES, State


def open_values() -> list[str]:
    return sorted(s.value for s in OPEN_STATES)


def in_period(period: Period) -> ColumnElement[bool]:
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
    return or_(Case.state_.in_(open_values()), Case.id.in_(changed_since))


def narrowing_pays(session: Session, received_by: dt.date, at_utc: dt.datetime) -> bool:
    """Whether :func:`maybe_open_at` costs less than replaying every case received by then.

    The narrowing reads every event at or after ``at_utc``; the replay takes one index step
    per case. Two index-only counts decide (measured on SQLite at 100,000 cases: as of today
    the narrowing leaves the open cases, for nothing; as of a year end mid-history it reads
    214,000 events, 0.6 s, against 0.3 s to replay the 67,000 cases).
    """
    since = session.scalar(
        select(func.count()).select_from(CaseEvent).where(CaseEvent.occurred_at >= at_utc)
    )
    cases = session.scalar(
        select(func.count()).select_from(Case).where(Case.received_on <= received_by)
    )
    return (since or 0) <= (cases or 0) // 2


def open_counts_at(session: Session, received_by: dt.date, at_utc: dt.datetime) -> Counter[str]:
    """Cases received by ``received_by`` and open at ``at_utc``, per visa type.

    Two plans for one answer, by database (measured on 100,000 cases): SQLite replays
    the state of each case that may be open (:func:`maybe_open_at`) in about a second for
    any date, but takes minutes over a join to each case's last event; PostgreSQL does
    the join in half a second, but took 30 s over the replay for a date mid-way through
    the history.
    """
    if session.get_bind().dialect.name != "postgresql":
        narrow = maybe_open_at(at_utc) if narrowing_pays(session, received_by, at_utc) else true()
        rows = session.execute(
            select(Case.visa_type, func.count())
            .where(
                Case.received_on <= received_by,
                narrow,
                state_at(at_utc).in_(open_values()),
            )
            .group_by(Case.visa_type)
        ).all()
    else:
        last = (
            select(CaseEvent.case_id.label("cid"), func.max(CaseEvent.seq).label("seq"))
            .where(CaseEvent.occurred_at < at_utc)
            .group_by(CaseEvent.case_id)
            .subquery()
        )
        states = (
            select(CaseEvent.case_id.label("cid"), CaseEvent.to_state.label("state"))
            .join(last, and_(CaseEvent.case_id == last.c.cid, CaseEvent.seq == last.c.seq))
            .subquery()
        )
        state = func.coalesce(states.c.state, State.SUBMITTED.value)
        rows = session.execute(
            select(Case.visa_type, func.count())
            .outerjoin(states, states.c.cid == Case.id)
            .where(Case.received_on <= received_by, state.in_(open_values()))
            .group_by(Case.visa_type)
        ).all()
    return Counter({str(v): int(n) for v, n in rows})


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


def distinct_cases_with(
    session: Session, actions: tuple[str, ...], period: Period
) -> dict[str, int]:
    """Distinct cases per visa type with at least one of ``actions`` in the period."""
    stmt = (
        select(Case.visa_type, func.count(func.distinct(CaseEvent.case_id)))
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.action.in_(actions), in_period(period))
        .group_by(Case.visa_type)
    )
    return {str(v): int(n) for v, n in session.execute(stmt).all()}


@dataclass(frozen=True)
class Signature:
    """A completed and signed form: counted by its signature date."""

    case_id: int
    case_number: str
    visa_type: str
    received_on: dt.date
    signature_date: dt.date
    recorded_on: dt.date  # local date of the approval event


def _signature_date(payload: object, recorded_on: dt.date) -> dt.date:
    """The form's date when no approval row carries it (older data): the event's payload, else
    the day the approval was recorded."""
    if isinstance(payload, dict) and isinstance(payload.get("signature_date"), str):
        try:
            return dt.date.fromisoformat(payload["signature_date"])
        except ValueError:
            pass
    return recorded_on


def every_approval_has_its_row(session: Session) -> bool:
    """Whether every approval event has its ``signature_approvals`` row (so the fallback for
    older data, which costs a probe per approval, can be skipped)."""
    events = session.scalar(
        select(func.count()).select_from(CaseEvent).where(CaseEvent.action == SIGN_ACTION)
    )
    rows = session.scalar(
        select(func.count(func.distinct(SignatureApproval.case_id))).where(
            SignatureApproval.decision == "approve", SignatureApproval.signature_date.is_not(None)
        )
    )
    return bool(rows is not None and events is not None and rows >= events)


_Stmt = TypeVar("_Stmt", bound=Select[*tuple[Any, ...]])


def _signed_with_row(stmt: _Stmt, start: dt.date, end: dt.date) -> _Stmt:
    """``stmt`` over the approval events whose ``signature_approvals`` row dates the form in
    ``start``..``end``, joined to their case: what "signed" means for both reports."""
    sa = SignatureApproval
    return (
        stmt.select_from(CaseEvent)
        .join(sa, and_(sa.event_id == CaseEvent.id, sa.decision == "approve"))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.action == SIGN_ACTION, sa.signature_date >= start, sa.signature_date <= end
        )
    )


def signatures(session: Session, start: dt.date, end: dt.date, period: Period) -> list[Signature]:
    """Forms whose signature date is in ``start``..``end`` (one per case: a case is signed once).

    The date is ``SignatureApproval.signature_date``; an approval event without that row
    (older data) uses its payload's date or, failing that, the day it was recorded.
    """
    cols = (
        Case.id,
        Case.case_number,
        Case.visa_type,
        Case.received_on,
        CaseEvent.occurred_at,
    )
    with_row = _signed_with_row(select(*cols, SignatureApproval.signature_date), start, end)
    # Older data: a form dated on or before the day its approval was recorded, within a month.
    slack = Period(start, end + dt.timedelta(days=31), period.tz)
    without_row = (
        select(*cols, CaseEvent.payload)
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.action == SIGN_ACTION,
            in_period(slack),
            ~exists().where(
                SignatureApproval.case_id == CaseEvent.case_id,
                SignatureApproval.decision == "approve",
            ),
        )
    )
    seen: dict[int, Signature] = {}
    for cid, number, visa, received, at, signed in raw_rows(session, with_row):
        if signed is not None:
            seen[cid] = Signature(
                cid,
                number,
                str(visa),
                as_date(received),
                as_date(signed),
                local_date(at, period.tz),
            )
    older = (
        []
        if every_approval_has_its_row(session)
        else session.connection().execute(without_row).all()
    )
    for cid, number, visa, received, at, payload in older:
        recorded = local_date(at, period.tz)
        signed = _signature_date(payload, recorded)
        if start <= signed <= end and cid not in seen:
            seen[cid] = Signature(cid, number, str(visa), received, signed, recorded)
    return sorted(seen.values(), key=lambda s: (s.signature_date, s.case_number))


def signed_counts(session: Session, period: Period) -> Counter[str]:
    """Forms signed in the period per visa type: :func:`signatures` counted by visa type, by
    the database when every approval has its row (the records report needs no more)."""
    if not every_approval_has_its_row(session):
        found = signatures(session, period.start, period.end, period)
        return Counter(s.visa_type for s in found)
    counted = select(Case.visa_type, func.count(func.distinct(CaseEvent.case_id)))
    stmt = _signed_with_row(counted, period.start, period.end).group_by(Case.visa_type)
    return Counter({str(v): int(n) for v, n in session.execute(stmt).all()})


def approvals_signed_outside(session: Session, period: Period) -> list[Signature]:
    """Approvals recorded in the period for forms whose signature date is outside it.

    ``signature_approvals`` is joined by case (indexed), not by ``event_id`` (not indexed:
    SQLite would scan the table once per approval); a case is approved at most once.
    """
    stmt = (
        select(
            Case.id,
            Case.case_number,
            Case.visa_type,
            Case.received_on,
            CaseEvent.occurred_at,
            SignatureApproval.signature_date,
        )
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .join(
            SignatureApproval,
            and_(
                SignatureApproval.case_id == CaseEvent.case_id,
                SignatureApproval.decision == "approve",
            ),
        )
        .where(
            CaseEvent.action == SIGN_ACTION,
            in_period(period),
            or_(
                SignatureApproval.signature_date < period.start,
                SignatureApproval.signature_date > period.end,
            ),
        )
    )
    return [
        Signature(
            cid, number, str(visa), as_date(received), as_date(signed), local_date(at, period.tz)
        )
        for cid, number, visa, received, at, signed in raw_rows(session, stmt)
        if signed is not None
    ]
