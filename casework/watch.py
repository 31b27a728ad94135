"""The deadline watch: the 90-day clock, a delay's projected date, the U filing window.

Each run looks at the open cases and sends, at most once per mark (emails are keyed
in ``notifications``):

- reminders to the assigned certifier at the policy's marks before the due date,
  with the Chief copied from ``chief_copy_days`` before it;
- an alert to the Chief ``escalation_days`` before the due date when the case has no
  answer and no delay explanation (before day 90, not after), and another if it passes;
- for a case the Chief marked delayed (G.L. c. 258F §3(iii)): the delay letter, then
  the same reminders and alerts against the letter's projected date;
- for signed U certifications only: warnings to the requester before the six-month
  filing window closes (8 CFR 214.14(c)(2)(i); T declarations have no window).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from casework import documents, steps
from casework.checkpoints import write_checkpoint
from casework.db import Store
from casework.deadlines import DEFAULT_POLICY, Policy, last_filing_day
from casework.i18n import N_, format_date, gettext_for
from casework.i18n.copies import Languages, compose
from casework.models import Case
from casework.notify import send_email
from casework.roster import chief
from casework.states import OPEN_STATES, State

# i18n: max=120 (email subject line)
FILING_SUBJECT = N_("Case %(case_number)s: the signed Supplement B must be filed by %(last_day)s")
FILING_BODY = N_(
    "The certification for case %(case_number)s can be filed with USCIS until %(last_day)s "
    "(%(left)s days left). After that a new signature is needed."
)


@dataclass
class WatchReport:
    reminders: int = 0
    escalations: int = 0
    delay_letters: int = 0
    delay_reminders: int = 0
    delay_escalations: int = 0
    filing_warnings: int = 0


@dataclass(frozen=True)
class _Open:
    number: str
    case_id: int
    due: dt.date
    marks: tuple[int, ...]
    assignee: str | None
    delay_seq: int | None  # the latest delay explanation, if any
    projected: dt.date | None  # its projected date


def _open_cases(store: Store, policy: Policy) -> tuple[str, list[_Open]]:
    with store.reading() as s:
        head = chief(s).email
        out = []
        for case in s.scalars(select(Case).where(Case.state_.in_([x.value for x in OPEN_STATES]))):
            delay = documents.last_event(s, case, "mark_delayed")
            projected = (delay.payload or {}).get("projected_date") if delay else None
            out.append(
                _Open(
                    case.case_number,
                    case.id,
                    case.response_due,
                    policy.expedited_reminder_days if case.expedited else policy.reminder_days,
                    case.assigned_certifier.email if case.assigned_certifier else None,
                    delay.seq if delay else None,
                    dt.date.fromisoformat(projected) if projected else None,
                )
            )
    return head, out


def _filing_body(number: str, last_day: dt.date, left: int, langs: Languages) -> str:
    def body(lang: str) -> str:
        _ = gettext_for(lang)
        return _(FILING_BODY, case_number=number, last_day=format_date(last_day, lang), left=left)

    return compose(body, langs)


def _filing_windows(store: Store) -> list[tuple[str, int, str, dt.date, Languages]]:
    signed = (State.CERTIFIED.value, State.DELIVERED.value)
    with store.reading() as s:
        out = []
        for case in s.scalars(select(Case).where(Case.state_.in_(signed), Case.visa_type == "U")):
            approval = steps.latest_approval(s, case)
            if approval and approval.signature_date:
                out.append(
                    (
                        case.case_number,
                        case.id,
                        case.requester.email,
                        last_filing_day(approval.signature_date),
                        documents.languages(case),
                    )
                )
    return out


def _clock(
    store: Store,
    c: _Open,
    head: str,
    today: dt.date,
    policy: Policy,
    *,
    due: dt.date,
    marks: tuple[int, ...],
    key: str,
    what: str,
) -> tuple[int, int]:
    """Reminders and alerts against one date; (reminders sent, alerts sent)."""
    left = (due - today).days
    reminders = alerts = 0
    hint = (
        f'To record a delay: casework delay {c.number} --reason "<why>" --process "<what next>" '
        f"--until <YYYY-MM-DD> --as {head}\n"
    )
    due_marks = [m for m in marks if 0 <= left <= m]
    if due_marks and c.assignee is not None:
        mark = min(due_marks)
        to = [c.assignee] + ([head] if left <= policy.chief_copy_days else [])
        if send_email(
            store,
            key=f"{key}reminder:{c.number}:{mark}",
            kind="reminder",
            to=to,
            subject=f"Case {c.number}: {left} days left to {what}",
            body=(
                f"Case {c.number} must {what} by {due.isoformat()} ({left} days left).\n"
                + (
                    "The Chief of Police is copied: the date is less than "
                    f"{policy.chief_copy_days + 1} days away.\n"
                    if head in to
                    else ""
                )
            ),
            case_id=c.case_id,
        ):
            reminders += 1
    if 0 <= left <= policy.escalation_days and send_email(
        store,
        key=f"{key}alert:{c.number}",
        kind="escalation",
        to=[head],
        subject=f"Case {c.number}: {left} days left to {what}, no answer yet",
        body=(
            f"Case {c.number} must {what} by {due.isoformat()} ({left} days left) and has no "
            "signature, written denial or written delay explanation yet.\n" + hint
        ),
        case_id=c.case_id,
    ):
        alerts += 1
    if left < 0 and send_email(
        store,
        key=f"{key}overdue:{c.number}",
        kind="escalation",
        to=[head],
        subject=f"Case {c.number} is overdue",
        body=f"Case {c.number} passed {due.isoformat()} {-left} day(s) ago without an answer.\n"
        + hint,
        case_id=c.case_id,
    ):
        alerts += 1
    return reminders, alerts


def run_watch(store: Store, today: dt.date, policy: Policy = DEFAULT_POLICY) -> WatchReport:
    from casework.workflow import send_letter  # workflow imports this module

    report = WatchReport()
    head, cases = _open_cases(store, policy)
    for c in cases:
        if c.delay_seq is None:
            r, a = _clock(
                store, c, head, today, policy,
                due=c.due, marks=c.marks, key="", what="respond (G.L. c. 258F, 90 days)",
            )  # fmt: skip
            report.reminders += r
            report.escalations += a
            continue
        if send_letter(store, c.number, "delay"):
            report.delay_letters += 1
        if c.projected is not None:
            r, a = _clock(
                store, c, head, today, policy,
                due=c.projected, marks=policy.delay_reminder_days,
                key=f"delay{c.delay_seq}-", what="respond by the date the delay letter gave",
            )  # fmt: skip
            report.delay_reminders += r
            report.delay_escalations += a
    for number, case_id, email, last_day, langs in _filing_windows(store):
        left = (last_day - today).days
        for mark in policy.filing_window_warning_days:
            if 0 <= left <= mark and send_email(
                store,
                key=f"filing-window:{number}:{mark}",
                kind="filing_window",
                to=[email],
                subject=gettext_for("en")(
                    FILING_SUBJECT, case_number=number, last_day=last_day.isoformat()
                ),
                body=_filing_body(number, last_day, left, langs),
                case_id=case_id,
                language=langs,
            ):
                report.filing_warnings += 1
                break
    write_checkpoint(store)  # sign the ledger daily (casework verify-history checks against it)
    return report
