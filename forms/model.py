"""Input model for Form I-918 / I-914 Supplement B (both rendering paths).

The lead's casework adapter builds a :class:`SupplementBInput`; nothing in
``forms`` imports casework or prefect.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from forms.activities import OTHER_RELATED, allowed_activities


class Person(BaseModel):
    family_name: str
    given_name: str
    middle_name: str | None = None

    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)


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


class FamilyMember(BaseModel):
    full_name: str
    relationship: str
    involvement: str


class Helpfulness(BaseModel):
    possesses_information: bool
    has_been_helpful: bool
    is_being_helpful: bool
    likely_to_be_helpful: bool
    refused_or_failed_to_assist: bool = False
    refusal_explanation: str | None = None
    other_information: str | None = None

    @property
    def helpful(self) -> bool:
        return self.has_been_helpful or self.is_being_helpful or self.likely_to_be_helpful


class Signature(BaseModel):
    approved: bool  # the Chief's recorded approval exists
    signer: Person | None = None
    signer_title: str | None = None
    signature_date: date | None = None
    signature_image: bytes | None = None  # only used when approved


class SupplementBInput(BaseModel):
    visa_type: Literal["U", "T"]
    edition: str  # "01/20/25" for I-918 Supplement B; "01/20/25" for I-914 Supplement B
    case_number: str  # tracking box, e.g. "NPD-U-2026-0007"
    victim: Person
    other_names: list[str] = Field(default_factory=list)
    date_of_birth: date
    gender: Literal["female", "male"] | None = None
    a_number: str | None = None
    agency: AgencyInfo
    certifying_official: Person
    official_title: str  # title and division/office
    agency_head: Person | None = None  # filled where the signer is a designee
    case_status: Literal["ongoing", "completed"]
    report_numbers: list[str]
    fbi_or_sid_number: str | None = None
    qualifying_activities: list[str]
    other_activity_description: str | None = None
    activity_dates: list[date]
    statutory_citations: list[str]
    occurred_in_us: bool = True
    location_explanation: str | None = None
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
