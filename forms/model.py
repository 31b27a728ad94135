"""Input model for Form I-918 / I-914 Supplement B (both rendering paths).

The casework adapter (``casework/formdata.py``) builds a :class:`SupplementBInput`;
nothing in ``forms`` imports casework or prefect.

Names are structured exactly as the form's boxes are (family, given, middle name)
and are never split from one string. A name recorded before names were
structured is carried whole in ``as_written``: the form's boxes then point to the
additional-information part, which prints the name as written.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from forms.activities import OTHER_RELATED, allowed_activities

Cooperation = Literal["complied", "not_complied", "under_18", "trauma"]


class Person(BaseModel):
    family_name: str
    given_name: str
    middle_name: str | None = None

    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)


class Name(BaseModel):
    """A name in the form's boxes; any part may be empty (printed as N/A)."""

    family_name: str = ""
    given_name: str = ""
    middle_name: str | None = None
    as_written: str | None = None  # an old, unstructured name: printed whole, never split

    def describe(self) -> str:
        """For the additional-information part: every box named, nothing guessed."""
        if self.as_written:
            return f"{self.as_written} (as written; not divided into family, given and middle name)"
        return (
            f"Family Name: {self.family_name or 'N/A'}, Given Name: {self.given_name or 'N/A'}, "
            f"Middle Name: {self.middle_name or 'N/A'}"
        )


class AgencyInfo(BaseModel):
    name: str
    street: str
    suite: str | None = None
    city: str
    state: str
    zip_code: str
    agency_type: Literal["federal", "state", "local"]
    category: Literal["law_enforcement", "prosecutor", "judge", "other"]
    category_other: str | None = None
    phone: str
    fax: str | None = None
    email: str


class FamilyMember(Name):
    relationship: str
    involvement: str


class Helpfulness(BaseModel):
    possesses_information: bool
    has_been_helpful: bool
    is_being_helpful: bool
    likely_to_be_helpful: bool
    refused_or_failed_to_assist: bool = False
    refusal_explanation: str | None = None
    narrative: str = ""  # the certifier's description of the helpfulness (Part 4, item 5)
    other_information: str | None = None
    cooperation: Cooperation | None = None  # T: complied, or an exception to cooperation

    @property
    def helpful(self) -> bool:
        return self.has_been_helpful or self.is_being_helpful or self.likely_to_be_helpful


class Signature(BaseModel):
    approved: bool  # the Chief's recorded approval exists
    signature_date: date | None = None
    signature_image: bytes | None = None  # only used when approved


class SupplementBInput(BaseModel):
    visa_type: Literal["U", "T"]
    edition: str  # "01/20/25" for I-918 Supplement B; "01/20/25" for I-914 Supplement B
    case_number: str  # document metadata only: the edition has no tracking box
    victim: Person
    other_names: list[Name] = Field(default_factory=list)
    date_of_birth: date
    gender: Literal["female", "male"] | None = None
    a_number: str | None = None  # "A" + 9 digits, or 9 digits
    agency: AgencyInfo
    certifying_official: Person  # the recorded signer (the Chief or a designee)
    official_title: str  # title and division/office
    official_phone: str  # the signer's own daytime telephone (Part 6)
    agency_head: Person | None = None  # U: filled where the signer is a designee (Part 2, item 4)
    supervising_official: Person | None = None  # T: the supervising official who signs (Part 6)
    supervising_official_title: str | None = None
    case_status: Literal["ongoing", "completed"]
    report_numbers: list[str]
    fbi_or_sid_number: str | None = None
    qualifying_activities: list[str]
    other_activity_description: str | None = None
    activity_dates: list[date]
    statutory_citations: list[str]
    occurred_in_us: bool = True
    location: str | None = None  # where the criminal activity occurred (Part 3, item 4.b)
    extraterritorial: bool = False  # violated a Federal extraterritorial jurisdiction statute
    extraterritorial_authority: str | None = None
    description: str
    known_injuries: str | None = None
    helpfulness: Helpfulness
    family_members: list[FamilyMember] = Field(default_factory=list)
    signature: Signature

    @model_validator(mode="after")
    def _check_activities(self) -> SupplementBInput:
        allowed = allowed_activities(self.visa_type)
        bad = [a for a in self.qualifying_activities if a not in allowed]
        if bad:
            raise ValueError(f"unknown qualifying activities for {self.visa_type}: {bad}")
        if OTHER_RELATED in self.qualifying_activities and not self.other_activity_description:
            raise ValueError("other_related needs other_activity_description")
        return self

    @property
    def a_number_digits(self) -> str:
        """The nine digits the official field expects after its printed "A-"."""
        if not self.a_number:
            return ""
        digits = "".join(c for c in self.a_number if c.isdigit())
        return digits.zfill(9)
