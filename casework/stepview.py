"""What a waiting human step shows: a markdown briefing and the form's starting values.

Shown in the Prefect UI, so it names the case by number and carries no victim
name or date of birth.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.crypto import keyring
from casework.decisions import Step
from casework.models import Case, CaseEvent
from casework.policy import DA_POSITIONS
from casework.steps import latest_da_consultation, latest_findings
from forms.activities import T_TYPE_LABELS, U_ACTIVITY_LABELS

_ASK = {
    "da": "Record the consultation with the District Attorney's Office.",
    "review": "Decide: **certify** (confirm the findings below), **deny** (give the policy reason) "
    "or **request_more_info** (say what is missing).",
    "signature": "Decide: **approve** the signature (give the signature date), **return** it to the "
    "certifier with comments, or **deny**.",
}


def _label(key: str) -> str:
    return U_ACTIVITY_LABELS.get(key) or T_TYPE_LABELS.get(key) or key.replace("_", " ")


def describe_step(session: Session, case: Case, step: Step) -> str:
    today = dt.date.today()
    days_left = (case.response_due - today).days
    lines = [
        f"### Case {case.case_number} — {case.visa_type} visa ({'I-918' if case.visa_type == 'U' else 'I-914'} Supplement B)",
        f"**Response due {case.response_due.isoformat()} ({days_left} days left)**"
        + (" — EXPEDITED" if case.expedited else ""),
        "",
        _ASK[step.stage],
        "",
        f"Waiting for **{step.person.full_name}** ({step.person.email}). Enter your email and the "
        "one-time action code from the notification email.",
        "",
    ]
    if case.last_refusal:
        lines += [f"> **The last answer was not accepted:** {case.last_refusal}", ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| Received | {case.received_on.isoformat()} |",
        f"| Response due (G.L. c. 258F) | {case.response_due.isoformat()} ({days_left} days left) |",
        f"| Expedited | {'yes' if case.expedited else 'no'} |",
    ]
    for inc in case.incidents:
        lines += [
            f"| Report numbers | {', '.join(inc.report_numbers)} |",
            f"| Dates | {', '.join(inc.dates)} |",
            f"| Crimes | {', '.join(_label(a) for a in inc.qualifying_activities)} |",
            f"| Citations | {'; '.join(inc.statutory_citations) or '-'} |",
        ]
    da = latest_da_consultation(session, case)
    if da is not None:
        lines.append(
            f"| DA's position | {DA_POSITIONS.get(da.position, da.position)} ({da.consulted_name}, {da.consulted_on.isoformat()}) |"
        )
    lines.append(
        f"| Assigned certifier | {case.assigned_certifier.full_name if case.assigned_certifier else '-'} |"
    )
    decisions = _previous_decisions(session, case)
    if decisions:
        lines += ["", "**Previous decisions and comments**", ""] + [f"- {d}" for d in decisions]
    if case.attachments:
        lines += ["", "**Attachments** (open with `casework show " + case.case_number + "`)", ""]
        lines += [
            f"- {a.filename} ({a.page_count} pages, sha256 {a.sha256[:12]}…)"
            for a in case.attachments
        ]
    return "\n".join(lines)


def _previous_decisions(session: Session, case: Case) -> list[str]:
    events = session.scalars(
        select(CaseEvent)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.action.in_(
                [
                    "request_information",
                    "supplement",
                    "recommend_certification",
                    "return_to_certifier",
                    "deny",
                    "deny_at_signature",
                    "reopen",
                    "mark_delayed",
                ]
            ),
        )
        .order_by(CaseEvent.seq)
    )
    out = []
    for ev in events:
        text = f"{ev.occurred_at:%Y-%m-%d} {ev.action.replace('_', ' ')} by {ev.actor_name}"
        if ev.reason:
            text += f": {ev.reason}"
        out.append(text)
    return out


def prefill_for(session: Session, case: Case, step: Step) -> dict[str, Any]:
    """Starting values: the requester's claims, or the certifier's last findings on a return."""
    if step.stage == "da":
        return {"consulted_on": dt.date.today().isoformat(), "position": "no_objection"}
    if step.stage == "signature":
        return {
            "decision": "approve",
            "signature_date": dt.date.today().isoformat(),
            "signer_title": step.person.title,
        }
    findings = latest_findings(session, case)
    if findings is not None:
        return {
            "qualifying_activities": findings.qualifying_activities,
            "activity_dates": ", ".join(d.isoformat() for d in findings.activity_dates),
            "statutory_citations": "\n".join(findings.statutory_citations),
            "description": findings.description,
            "known_injuries": findings.known_injuries or "",
            "possesses_information": findings.possesses_information,
            "has_been_helpful": findings.has_been_helpful,
            "is_being_helpful": findings.is_being_helpful,
            "likely_to_be_helpful": findings.likely_to_be_helpful,
        }
    ring = keyring()
    inc = case.incidents[0]
    narrative = ring.decrypt_json(inc.narrative_enc)
    out: dict[str, Any] = {
        "qualifying_activities": inc.qualifying_activities,
        "other_activity_description": inc.other_activity_description or "",
        "activity_dates": ", ".join(inc.dates),
        "statutory_citations": "\n".join(inc.statutory_citations),
        "description": narrative.get("description") or "",
        "known_injuries": narrative.get("known_injuries") or "",
    }
    if case.helpfulness is not None:
        h = case.helpfulness
        out.update(
            possesses_information=h.possesses_information,
            has_been_helpful=h.has_been_helpful,
            is_being_helpful=h.is_being_helpful,
            likely_to_be_helpful=h.likely_to_be_helpful,
        )
    return out


__all__ = ["describe_step", "prefill_for"]
