"""What a certifier records when recommending certification: the facts the form needs."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forms.activities import OTHER_RELATED, allowed_activities


class FamilyMemberFinding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(min_length=1, max_length=200)
    involvement: str = Field(min_length=1, max_length=5000)


class Findings(BaseModel):
    """Part 3 to 5 of Supplement B as confirmed by the certifier."""

    model_config = ConfigDict(extra="forbid")
    visa_type: Literal["U", "T"]
    qualifying_activities: list[str] = Field(min_length=1)
    other_activity_description: str | None = None
    activity_dates: list[dt.date] = Field(min_length=1)
    statutory_citations: list[str] = Field(default_factory=list)
    occurred_in_us: bool = True
    location_explanation: str | None = None
    description: str = Field(min_length=1)
    known_injuries: str | None = None
    case_status: Literal["ongoing", "completed"] = "ongoing"
    possesses_information: bool
    has_been_helpful: bool
    is_being_helpful: bool
    likely_to_be_helpful: bool
    refused_or_failed_to_assist: bool = False
    refusal_explanation: str | None = None
    other_information: str | None = None
    family_members: list[FamilyMemberFinding] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rules(self) -> Findings:
        problems = []
        allowed = allowed_activities(self.visa_type)
        bad = [a for a in self.qualifying_activities if a not in allowed]
        if bad:
            problems.append(f"qualifying_activities: not valid for a {self.visa_type} case: {bad}")
        if OTHER_RELATED in self.qualifying_activities and not self.other_activity_description:
            problems.append("other_activity_description: required when other_related is chosen")
        if any(d > dt.date.today() for d in self.activity_dates):
            problems.append("activity_dates: a date is in the future")
        if self.refused_or_failed_to_assist and not self.refusal_explanation:
            problems.append(
                "refusal_explanation: required when the victim refused or failed to assist"
            )
        if not self.occurred_in_us and not self.location_explanation:
            problems.append("location_explanation: required when the activity was outside the U.S.")
        if not (self.has_been_helpful or self.is_being_helpful or self.likely_to_be_helpful):
            problems.append(
                "helpfulness: a certification needs past, present or likely future helpfulness"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self
