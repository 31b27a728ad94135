"""Adapter: a stored case -> the forms package's input models (form and letters).

This is the only place that decides which recorded fact fills which item:
victim identity from intake, agency and official from the roster and the
Chief's approval, Parts 3-5 from the certifier's findings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from casework.config import load_settings
from casework.crypto import keyring
from casework.deadlines import last_filing_day
from casework.errors import CaseworkError
from casework.models import Case, Person
from casework.roster import chief, get_agency
from casework.steps import latest_approval, latest_da_consultation, latest_findings
from forms.letters import LetterContext
from forms.model import AgencyInfo, FamilyMember, Helpfulness, Signature, SupplementBInput
from forms.model import Person as FormPerson
from forms.spec import load_spec


def _person(p: Person) -> FormPerson:
    return FormPerson(family_name=p.family_name, given_name=p.given_name, middle_name=p.middle_name)


def agency_info(session: Session) -> AgencyInfo:
    a = get_agency(session)
    return AgencyInfo(
        name=a.name,
        street=a.street,
        suite=a.suite,
        city=a.city,
        state=a.state,
        zip_code=a.zip_code,
        agency_type=a.agency_type,  # type: ignore[arg-type]
        category=a.category,  # type: ignore[arg-type]
        phone=a.phone,
        fax=a.fax,
        email=a.email,
    )


def supplement_b_input(session: Session, case: Case) -> SupplementBInput:
    """The form's content. Before the certifier's findings exist it cannot be built."""
    findings = latest_findings(session, case)
    if findings is None:
        raise CaseworkError(
            f"{case.case_number}: no certifier findings are recorded yet; the form is built "
            "from the findings of a recommendation to certify"
        )
    ring = keyring()
    victim = ring.decrypt_json(case.victim_enc)
    approval = latest_approval(session, case)
    signer = chief(session)  # the agency head signs (designees sign only through their approval)
    reports = [n for inc in case.incidents for n in inc.report_numbers]
    signature = Signature(approved=False)
    if approval is not None and approval.signature_date is not None:
        signature = Signature(
            approved=True,
            signer=_person(signer),
            signer_title=approval.signer_title or signer.title,
            signature_date=approval.signature_date,
        )
    return SupplementBInput(
        visa_type=case.visa_type,  # type: ignore[arg-type]
        edition=load_spec(case.visa_type).edition,
        case_number=case.case_number,
        victim=FormPerson(
            family_name=victim["family_name"],
            given_name=victim["given_name"],
            middle_name=victim.get("middle_name"),
        ),
        other_names=victim.get("other_names") or [],
        date_of_birth=dt.date.fromisoformat(victim["date_of_birth"]),
        gender=victim.get("gender"),
        a_number=victim.get("a_number"),
        agency=agency_info(session),
        certifying_official=_person(signer),
        official_title=signer.title,
        agency_head=None,
        case_status=findings.case_status,
        report_numbers=reports,
        qualifying_activities=findings.qualifying_activities,
        other_activity_description=findings.other_activity_description,
        activity_dates=findings.activity_dates,
        statutory_citations=findings.statutory_citations,
        occurred_in_us=findings.occurred_in_us,
        location_explanation=findings.location_explanation,
        description=findings.description,
        known_injuries=findings.known_injuries,
        helpfulness=Helpfulness(
            possesses_information=findings.possesses_information,
            has_been_helpful=findings.has_been_helpful,
            is_being_helpful=findings.is_being_helpful,
            likely_to_be_helpful=findings.likely_to_be_helpful,
            refused_or_failed_to_assist=findings.refused_or_failed_to_assist,
            refusal_explanation=findings.refusal_explanation,
            other_information=findings.other_information,
        ),
        family_members=[
            FamilyMember(
                full_name=m.full_name, relationship=m.relationship, involvement=m.involvement
            )
            for m in findings.family_members
        ],
        signature=signature,
    )


def official_pdf_for(visa_type: str, edition: str) -> Path | None:
    """The department's copy of the official fillable PDF, if it placed one in the forms folder.

    File name: ``i-918-supb-01-20-25.pdf`` (U) or ``i-914-supb-01-20-25.pdf`` (T).
    """
    form = "i-918" if visa_type == "U" else "i-914"
    path = load_settings().official_forms_dir / f"{form}-supb-{edition.replace('/', '-')}.pdf"
    return path if path.is_file() else None


def letter_context(
    session: Session,
    case: Case,
    *,
    today: dt.date | None = None,
    reason: str | None = None,
    requested_items: str | None = None,
    delay_process: str | None = None,
    projected_time_frame: str | None = None,
    status_url: str | None = None,
) -> LetterContext:
    today = today or dt.date.today()
    approval = latest_approval(session, case)
    da = latest_da_consultation(session, case)
    signed = approval.signature_date if approval else None
    return LetterContext(
        case_number=case.case_number,
        visa_type=case.visa_type,
        today=today,
        agency=agency_info(session),
        requester_name=case.requester.name,
        requester_organization=case.requester.organization,
        requester_email=case.requester.email,
        requester_address=case.requester.mailing_address,
        response_due=case.response_due,
        reason=reason,
        requested_items=requested_items,
        signature_date=signed,
        last_filing_day=last_filing_day(signed) if signed else None,
        delay_process=delay_process,
        projected_time_frame=projected_time_frame,
        da_contact_name=da.consulted_name if da else None,
        incident_summary=_incident_summary(case),
        report_numbers=[n for inc in case.incidents for n in inc.report_numbers],
        signer_name=approval.signer_name if approval else None,
        signer_title=approval.signer_title if approval else None,
        status_url=status_url,
        received_date=case.received_on,
    )


def _incident_summary(case: Case) -> str:
    """Crimes, dates and places only: no victim identity (the memo goes by email)."""
    parts = []
    for inc in case.incidents:
        parts.append(
            f"Report(s) {', '.join(inc.report_numbers)}; "
            f"activities: {', '.join(a.replace('_', ' ') for a in inc.qualifying_activities)}; "
            f"dates: {', '.join(inc.dates)}"
            + (f"; location: {inc.location}" if inc.location else "")
        )
    return " / ".join(parts)
