"""Drive a stored case through the domain steps (no Prefect) for the document tests."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from typing import Any

from pypdf import PdfReader

from casework import steps
from casework.blobs import BlobStore
from casework.db import Store
from casework.findings import FamilyMemberFinding, Findings
from casework.intake.service import submit
from casework.models import Person
from casework.roster import chief, find_person
from casework.states import Role
from casework.transitions import Actor
from casework.views import get_case
from tests.conftest import EXAMPLES, example_request

TODAY = dt.date.today()
T_EXAMPLE = EXAMPLES / "request-t-family-names.json"


def t_example(**changes: Any) -> dict[str, Any]:
    raw = json.loads(T_EXAMPLE.read_text())
    raw.update(copy.deepcopy(changes))
    return raw


def hard_names_u(report: str = "NAMES-1") -> dict[str, Any]:
    """A U request with names a heuristic would break."""
    return example_request(
        victim={
            "family_name": "Nguyễn",
            "given_name": "Thị Hoa",
            "middle_name": "",
            "other_names": [
                {"family_name": "Gonçalves da Silva", "given_name": "Maria José", "middle_name": ""}
            ],
        },
        incident={"police_report_numbers": [report]},
        family_members_implicated=[
            {
                "family_name": "Gonçalves da Silva",
                "given_name": "João",
                "middle_name": "",
                "relationship": "brother-in-law",
                "involvement": "",
            }
        ],
    )


def submitted(store: Store, raw: dict[str, Any]) -> str:
    return submit(store, raw, base_dir=EXAMPLES, received=TODAY).case_number


def findings_for(store: Store, number: str, **extra: Any) -> Findings:
    """What a certifier confirms: the request's facts, family members completed."""
    with store.reading() as s:
        case = get_case(s, number)
        from casework.views import detail

        info = detail(case)
    inc = info["incidents"][0]
    members = [
        FamilyMemberFinding(
            family_name=m["family_name"],
            given_name=m["given_name"],
            middle_name=m.get("middle_name") or "",
            relationship=m["relationship"],
            involvement=m.get("involvement") or "Took part in the criminal activity.",
        )
        for m in info["family_members_implicated"]
    ]
    base: dict[str, Any] = {
        "visa_type": info["visa_type"],
        "qualifying_activities": inc["qualifying_activities"],
        "activity_dates": [dt.date.fromisoformat(d) for d in inc["dates"]],
        "statutory_citations": inc["statutory_citations"],
        "description": inc["description"],
        "known_injuries": inc.get("known_injuries"),
        "possesses_information": True,
        "has_been_helpful": True,
        "is_being_helpful": True,
        "likely_to_be_helpful": True,
        "helpfulness_narrative": info["helpfulness"]["summary"],
        "family_members": members,
    }
    if info["visa_type"] == "T":
        base["cooperation"] = "complied"
    base.update(extra)
    return Findings(**base)


def to_signature(store: Store, number: str, findings: Findings | None = None) -> None:
    findings = findings or findings_for(store, number)
    with store.unit_of_work() as s:
        case = get_case(s, number)
        if case.assigned_certifier_id is None:
            steps.assign(s, case, Actor.system(), case.version)
        steps.start_da_consultation(s, case, case.version)
        who = Actor.person(case.assigned_certifier, Role.CERTIFIER)  # type: ignore[arg-type]
        steps.record_da_consultation(
            s,
            case,
            who,
            case.version,
            consulted_name="ADA Greene",
            consulted_on=TODAY,
            position="supports",
        )
        steps.recommend_certification(s, case, who, case.version, findings=findings)


def approve(
    store: Store,
    number: str,
    signer_email: str | None = None,
    supervisor_email: str | None = None,
) -> None:
    with store.unit_of_work() as s:
        case = get_case(s, number)
        head = chief(s)
        signer: Person = find_person(s, signer_email) if signer_email else head
        steps.approve_signature(
            s,
            case,
            Actor.person(head, Role.CHIEF),
            case.version,
            signature_date=TODAY,
            signer=signer,
            signer_title=signer.title,
            supervising_official=find_person(s, supervisor_email) if supervisor_email else None,
        )


def blobs(store: Store) -> BlobStore:
    return BlobStore(store.settings.documents_dir)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
