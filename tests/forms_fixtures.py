"""Sample inputs for the forms tests (no mocks: real PDFs are produced and read back)."""

from __future__ import annotations

from datetime import date

from forms.model import (
    AgencyInfo,
    FamilyMember,
    Helpfulness,
    Name,
    Person,
    Signature,
    SupplementBInput,
)

AGENCY = AgencyInfo(
    name="Northampton Police Department",
    street="29 Center Street",
    suite="Suite 2",
    city="Northampton",
    state="MA",
    zip_code="01060",
    agency_type="local",
    category="law_enforcement",
    phone="413-587-1100",
    fax=None,
    email="uvisa@northamptonpd.example.org",
)


HELPFULNESS = (
    "She called 911, gave a recorded statement the same night, identified the suspect, "
    "and testified at the 209A hearing."
)


def u_case(**overrides: object) -> SupplementBInput:
    """The sample U request (request-u-domestic-violence.json), as the adapter would map it."""
    base = dict(
        visa_type="U",
        edition="01/20/25",
        case_number="NPD-U-2026-0007",
        victim=Person(family_name="Morales", given_name="Lucia", middle_name="Isabel"),
        other_names=[Name(family_name="Morales-Vega", given_name="Lucia")],
        date_of_birth=date(1991, 3, 8),
        gender="female",
        a_number=None,
        agency=AGENCY,
        certifying_official=Person(family_name="Kasper", given_name="Jody"),
        official_title="Chief of Police, Office of the Chief",
        official_phone="413-587-1101",
        agency_head=None,
        case_status="ongoing",
        report_numbers=["24-01187-OF"],
        qualifying_activities=["domestic_violence", "felonious_assault", "stalking"],
        activity_dates=[date(2024, 6, 14), date(2024, 7, 2)],
        statutory_citations=["M.G.L. c. 265 s. 13M", "M.G.L. c. 265 s. 15A", "M.G.L. c. 265 s. 43"],
        location="Northampton, Massachusetts",
        description=(
            "The victim's former partner assaulted her with a kitchen knife at their "
            "apartment and later followed her to work on several days."
        ),
        known_injuries=(
            "Laceration to the left forearm treated at Cooley Dickinson Hospital; "
            "ongoing anxiety treated by a counselor."
        ),
        helpfulness=Helpfulness(
            possesses_information=True,
            has_been_helpful=True,
            is_being_helpful=True,
            likely_to_be_helpful=True,
            narrative=HELPFULNESS,
        ),
        signature=Signature(approved=False),
    )
    base.update(overrides)
    return SupplementBInput.model_validate(base)


def approved_signature() -> Signature:
    return Signature(approved=True, signature_date=date(2026, 4, 1))


def t_case(**overrides: object) -> SupplementBInput:
    base = dict(
        visa_type="T",
        edition="01/20/25",
        case_number="NPD-T-2026-0003",
        victim=Person(family_name="Nguyễn", given_name="Thị Hoa", middle_name=""),
        other_names=[Name(family_name="Nguyen", given_name="Hoa")],
        date_of_birth=date(1999, 11, 2),
        gender="female",
        a_number="A123456789",
        agency=AGENCY,
        certifying_official=Person(family_name="Ortiz", given_name="Ana"),
        official_title="Detective Lieutenant, Criminal Investigations Division",
        official_phone="413-587-1124",
        supervising_official=Person(family_name="Reyes", given_name="Daniel"),
        supervising_official_title="Lieutenant, Criminal Investigation Bureau",
        case_status="completed",
        report_numbers=["25-00412-OF"],
        qualifying_activities=["labor_trafficking"],
        activity_dates=[date(2025, 1, 5)],
        statutory_citations=["18 U.S.C. 1589", "M.G.L. c. 265 s. 51"],
        location="Hadley, Massachusetts (nail salon)",
        description="The victim was made to work without pay to repay a travel debt.",
        helpfulness=Helpfulness(
            possesses_information=True,
            has_been_helpful=True,
            is_being_helpful=False,
            likely_to_be_helpful=True,
            narrative="She gave a recorded interview and the owner's text messages.",
            cooperation="complied",
        ),
        family_members=[
            FamilyMember(
                family_name="Gonçalves da Silva",
                given_name="Maria José",
                middle_name="",
                relationship="aunt",
                involvement="Collected the payments on the debt.",
            )
        ],
        signature=Signature(approved=False),
    )
    base.update(overrides)
    return SupplementBInput.model_validate(base)


LONG_DESCRIPTION = " ".join(
    f"Sentence {i}: on the stated dates the suspect threatened, followed and assaulted the "
    f"victim, Señora Núñez, at her workplace and at home."
    for i in range(40)
)


def big_u_case(**overrides: object) -> SupplementBInput:
    """More dates, activities and family members than fit; non-ASCII names."""
    return u_case(
        victim=Person(family_name="Núñez", given_name="María", middle_name="José"),
        other_names=[
            Name(family_name="Núñez-Ruiz", given_name="María"),
            Name(family_name="Nguyễn", given_name="Thị Mai"),
            Name(family_name="Nunez", given_name="Maria"),
        ],
        qualifying_activities=[
            "domestic_violence",
            "felonious_assault",
            "stalking",
            "witness_tampering",
            "abduction",
            "other_related",
        ],
        other_activity_description="Armed robbery, substantially similar to felonious assault.",
        activity_dates=[date(2024, 1, d) for d in (3, 9, 14, 20, 25, 30)],
        family_members=[
            FamilyMember(
                family_name="Núñez",
                given_name=f"Pedro{i}",
                relationship="brother",
                involvement=f"Helped the suspect {i}",
            )
            for i in range(5)
        ],
        description=LONG_DESCRIPTION,
        **overrides,
    )
