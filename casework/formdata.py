"""Adapter: a stored case -> the forms package's input models (form and letters).

This is the only place that decides which recorded fact fills which item:
victim identity from intake, agency and official from the roster and the
Chief's approval, Parts 3-5 from the certifier's findings.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from casework import officialforms, signing
from casework.crypto import keyring
from casework.deadlines import DEFAULT_POLICY, Policy, last_filing_day
from casework.errors import CaseworkError
from casework.models import Case
from casework.roster import chief, get_agency
from casework.steps import latest_approval, latest_da_consultation, latest_findings
from forms.letters import LetterContext
from forms.model import (
    AgencyInfo,
    FamilyMember,
    Helpfulness,
    Name,
    Person,
    Signature,
    SupplementBInput,
)
from forms.spec import load_spec


def _person(o: signing.Official | None) -> Person | None:
    if o is None:
        return None
    return Person(family_name=o.family_name, given_name=o.given_name, middle_name=o.middle_name)


def _name(raw: object) -> Name:
    """A stored other name: an object as intake takes it now, or a plain string stored
    before names were structured (kept whole, never split)."""
    if isinstance(raw, str):
        return Name(as_written=raw)
    assert isinstance(raw, dict)
    return Name(
        family_name=raw.get("family_name") or "",
        given_name=raw.get("given_name") or "",
        middle_name=raw.get("middle_name") or None,
    )


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


def officials(session: Session, case: Case) -> signing.Recorded:
    """Who the form names: as the approval recorded them; before approval (drafts) the
    Chief and, for T, the agency's default supervising official."""
    approval = latest_approval(session, case)
    if approval is not None and approval.signature_date is not None:
        return signing.recorded(session, approval)
    supervisor, _ = signing.supervising_official(session, case)
    return signing.Recorded(
        signing.Official.of(chief(session)),
        None,
        signing.Official.of(supervisor) if supervisor else None,
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
    who = officials(session, case)
    signer = who.signer
    signed = approval is not None and approval.signature_date is not None
    signature = Signature(
        approved=signed, signature_date=approval.signature_date if approval else None
    )
    narrative = findings.helpfulness_narrative or _request_summary(case)
    location = findings.location_explanation or next(
        (inc.location for inc in case.incidents if inc.location), None
    )
    return SupplementBInput(
        visa_type=case.visa_type,  # type: ignore[arg-type]
        edition=load_spec(case.visa_type).edition,
        case_number=case.case_number,
        victim=Person(
            family_name=victim["family_name"],
            given_name=victim["given_name"],
            middle_name=victim.get("middle_name") or None,
        ),
        other_names=[_name(n) for n in victim.get("other_names") or []],
        date_of_birth=dt.date.fromisoformat(victim["date_of_birth"]),
        gender=victim.get("gender"),
        a_number=victim.get("a_number"),
        agency=agency_info(session),
        certifying_official=_person(signer),  # type: ignore[arg-type]
        official_title=signer.title,
        official_phone=signer.phone or "",
        agency_head=_person(who.agency_head) if case.visa_type == "U" else None,
        supervising_official=_person(who.supervising_official),
        supervising_official_title=(
            who.supervising_official.title if who.supervising_official else None
        ),
        case_status=findings.case_status,
        report_numbers=[n for inc in case.incidents for n in inc.report_numbers],
        qualifying_activities=findings.qualifying_activities,
        other_activity_description=findings.other_activity_description or None,
        activity_dates=findings.activity_dates,
        statutory_citations=findings.statutory_citations,
        occurred_in_us=findings.occurred_in_us,
        location=location,
        extraterritorial=findings.extraterritorial_jurisdiction,
        extraterritorial_authority=findings.extraterritorial_authority or None,
        description=findings.description,
        known_injuries=findings.known_injuries or None,
        helpfulness=Helpfulness(
            possesses_information=findings.possesses_information,
            has_been_helpful=findings.has_been_helpful,
            is_being_helpful=findings.is_being_helpful,
            likely_to_be_helpful=findings.likely_to_be_helpful,
            refused_or_failed_to_assist=findings.refused_or_failed_to_assist,
            refusal_explanation=findings.refusal_explanation or None,
            narrative=narrative,
            other_information=findings.other_information or None,
            cooperation=None if findings.cooperation == "not_stated" else findings.cooperation,
        ),
        family_members=[
            FamilyMember(
                family_name=m.family_name,
                given_name=m.given_name,
                middle_name=m.middle_name or None,
                as_written=m.name_as_written or None,
                relationship=m.relationship,
                involvement=m.involvement,
            )
            for m in findings.family_members
        ],
        signature=signature,
    )


def _request_summary(case: Case) -> str:
    """The requester's helpfulness summary (decrypted), or "" when the request had none."""
    if case.helpfulness is None:
        return ""
    return str(keyring().decrypt_json(case.helpfulness.summary_enc))


def letter_context(
    session: Session,
    case: Case,
    *,
    today: dt.date | None = None,
    reason: str | None = None,
    requested_items: str | None = None,
    delay_process: str | None = None,
    projected_time_frame: str | None = None,
    projected_date: dt.date | None = None,
    status_url: str | None = None,
    signer: signing.Official | None = None,
    form_is_facsimile: bool | None = None,
    policy: Policy = DEFAULT_POLICY,
    with_summary: bool = False,
) -> LetterContext:
    """What a letter or email says about the case. ``signer`` signs the letter (the person
    whose decision it conveys); the cover letter is signed by the recorded official.
    ``form_is_facsimile`` defaults to whether no official form is installed for the case.
    ``with_summary`` decrypts the request's helpfulness summary (only the DA memo prints it;
    the caller writes the access-log entry)."""
    today = today or dt.date.today()
    if form_is_facsimile is None:
        ed = load_spec(case.visa_type).edition
        form_is_facsimile = officialforms.record_for(session, case.visa_type, ed) is None
    approval = latest_approval(session, case)
    da = latest_da_consultation(session, case)
    signed = approval.signature_date if approval else None
    if signer is None and approval is not None and signed is not None:
        signer = signing.recorded(session, approval).signer
    certifier = case.assigned_certifier
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
        # The six-month filing window is U only (8 CFR 214.14(c)(2)(i)); T has none.
        last_filing_day=last_filing_day(signed) if signed and case.visa_type == "U" else None,
        delay_process=delay_process,
        projected_time_frame=projected_time_frame,
        projected_date=projected_date,
        da_contact_name=da.consulted_name if da else None,
        da_answer_by=case.received_on + dt.timedelta(days=policy.da_answer_days),
        incident_summary=_incident_summary(case),
        helpfulness_summary=(_request_summary(case) or None) if with_summary else None,
        report_numbers=[n for inc in case.incidents for n in inc.report_numbers],
        signer_name=signer.full_name if signer else None,
        signer_title=signer.title if signer else None,
        memo_from=f"{certifier.full_name}, {certifier.title}" if certifier else None,
        status_url=status_url,
        received_date=case.received_on,
        form_is_facsimile=form_is_facsimile,
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
