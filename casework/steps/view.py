"""What a waiting human step shows in its form: markdown built from the case store.

Written as paragraphs (no lists or tables): the Prefect UI shows it as the description of
the form's first field, whose renderer runs list items together, and a narrow dialog would
make a table scroll sideways.

Every value that a requester or a person typed is escaped (:func:`casework.escape.md`), so
a citation like ``[Approve here](http://evil.example)`` is shown as text, never as a link.
The form names the case by number and carries no victim name or date of birth; while it
waits it may show the narrative the person needs to decide, and Prefect's copy is deleted
once the answer is read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.escape import md, md_cell
from casework.findings import FamilyMemberFinding, FindingsFields
from casework.models import Case, CaseEvent
from casework.policy import DA_POSITIONS
from forms.activities import T_TYPE_LABELS, U_ACTIVITY_LABELS

FORM_NAME = {"U": "I-918 Supplement B", "T": "I-914 Supplement B"}
#: Events whose reasons and comments the next person should read.
DECISIONS = (
    "request_information",
    "supplement",
    "recommend_certification",
    "return_to_certifier",
    "deny",
    "deny_at_signature",
    "reopen",
    "mark_delayed",
)


def activity_label(key: str) -> str:
    return U_ACTIVITY_LABELS.get(key) or T_TYPE_LABELS.get(key) or key.replace("_", " ")


def heading(
    case: Case, task: str, person_name: str, person_email: str, refusal: str | None
) -> list[str]:
    """The reason the last answer was refused comes first, in bold; then the case and the ask."""
    days_left = (case.response_due - dt.date.today()).days
    lines = []
    if refusal:
        lines += [f"**Not accepted: {md(' '.join(refusal.split()))}**", ""]
    lines += [
        f"### Case {case.case_number}: {task}",
        f"**Response due {case.response_due.isoformat()} ({days_left} days left)**"
        + (" — EXPEDITED" if case.expedited else "")
        + f" · {case.visa_type} visa, {FORM_NAME.get(case.visa_type, 'Supplement B')}",
        "",
        f"Waiting for **{md(person_name)}** ({md(person_email)}): enter your email and the "
        "action code from the email that sent you here.",
        "",
    ]
    return lines


def table(rows: list[tuple[str, object]]) -> list[str]:
    """Labelled facts, one paragraph each; the values are escaped."""
    out = []
    for label, value in rows:
        out += [f"{label}: **{md(' '.join(str(value).split())) or '-'}**", ""]
    return out


def request_table(session: Session, case: Case) -> list[str]:
    """Dates, report numbers, crimes and citations as the requester gave them, the DA's
    position, the assignee."""
    from casework.steps.da import latest_da_consultation

    rows: list[tuple[str, object]] = [
        ("Received", case.received_on.isoformat()),
        ("Response due (G.L. c. 258F)", case.response_due.isoformat()),
        ("Expedited", "yes" if case.expedited else "no"),
    ]
    for inc in case.incidents:
        rows += [
            ("Report numbers", ", ".join(inc.report_numbers)),
            ("Dates", ", ".join(inc.dates)),
            (
                "Crimes (as requested)",
                "; ".join(activity_label(a) for a in inc.qualifying_activities),
            ),
            ("Citations (as requested)", "; ".join(inc.statutory_citations) or "-"),
        ]
    da = latest_da_consultation(session, case)
    if da is not None:
        position = DA_POSITIONS.get(da.position, da.position)
        rows.append(("DA's position", f"{position} ({da.consulted_name}, {da.consulted_on})"))
    assignee = case.assigned_certifier
    rows.append(
        ("Assigned certifier", f"{assignee.full_name} ({assignee.email})" if assignee else "-")
    )
    return table(rows)


def previous_decisions(session: Session, case: Case) -> list[str]:
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action.in_(DECISIONS))
        .order_by(CaseEvent.seq)
    )
    out = []
    for ev in events:
        text = f"{ev.occurred_at:%Y-%m-%d} {ev.action.replace('_', ' ')} by {ev.actor_name}"
        if ev.reason:
            text += f": {ev.reason}"
        if ev.notes and ev.action == "recommend_certification":
            text += f" (notes: {ev.notes})"
        out += [md(" ".join(text.split())), ""]
    return ["", "**Earlier decisions and comments**", "", *out] if out else []


def attachments(case: Case) -> list[str]:
    if not case.attachments:
        return []
    lines = ["", f"**Attachments** (open them with `casework show {case.case_number}`)", ""]
    for a in case.attachments:
        lines += [f"{md(a.filename)} ({a.page_count} pages, sha256 {a.sha256[:12]}…)", ""]
    return lines


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def findings_section(f: FindingsFields, certifier: str) -> list[str]:
    """The certifier's findings, everything the form will say in Parts 3 to 5."""
    rows: list[tuple[str, object]] = [
        ("Recommended by", certifier),
        ("Qualifying activity", "; ".join(activity_label(a) for a in f.qualifying_activities)),
    ]
    if f.other_activity_description:
        rows.append(("Similar activity (other_related)", f.other_activity_description))
    rows += [
        ("Dates of the activity", ", ".join(d.isoformat() for d in f.activity_dates)),
        ("Statutes (citations)", "; ".join(f.statutory_citations) or "-"),
        ("Occurred in the United States", yes_no(f.occurred_in_us)),
    ]
    if f.location_explanation:
        rows.append(("Location", f.location_explanation))
    rows += [
        ("Case status", f.case_status),
        ("Has information about the activity", yes_no(f.possesses_information)),
        ("Has been helpful", yes_no(f.has_been_helpful)),
        ("Is being helpful", yes_no(f.is_being_helpful)),
        ("Is likely to be helpful", yes_no(f.likely_to_be_helpful)),
        ("Refused or failed to assist", yes_no(f.refused_or_failed_to_assist)),
    ]
    if f.refusal_explanation:
        rows.append(("Refusal explained", f.refusal_explanation))
    lines = ["", "**The certifier's findings (Parts 3 to 5 of the form)**", ""] + table(rows)
    lines += ["", "**Description of the criminal activity (Part 3)**", "", md(f.description) or "-"]
    lines += ["", "**Known or documented injuries**", "", md(f.known_injuries) or "-"]
    lines += ["", "**Helpfulness (Part 4, item 5)**", "", md(f.helpfulness_narrative) or "-"]
    if f.other_information:
        lines += ["", "**Other information**", "", md(f.other_information)]
    lines += ["", "**Family members implicated (Part 5)**", ""] + family_table(f.family_members)
    return lines


def family_table(members: list[FamilyMemberFinding]) -> list[str]:
    if not members:
        return ["none"]
    rows = [
        "| family name | given name | middle name | relationship | involvement |",
        "|---|---|---|---|---|",
    ]
    for m in members:
        cells = (m.family_name, m.given_name, m.middle_name, m.relationship, m.involvement)
        rows.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    return rows
