"""What a certifier records when recommending certification: the facts the form needs."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forms.activities import OTHER_RELATED, allowed_activities


class FamilyMemberFinding(BaseModel):
    """A family member implicated, named as the form's boxes are (never split from one string).

    Findings recorded before names were structured carry ``full_name``; they read back with
    the name kept whole in ``name_as_written`` (the form prints it whole in Part 7).
    """

    model_config = ConfigDict(extra="forbid")
    family_name: str = Field(default="", max_length=200)
    given_name: str = Field(default="", max_length=200)
    middle_name: str = Field(default="", max_length=200)
    name_as_written: str | None = Field(default=None, max_length=200)
    relationship: str = Field(min_length=1, max_length=200)
    involvement: str = Field(min_length=1, max_length=5000)

    @model_validator(mode="before")
    @classmethod
    def _old_shape(cls, data: Any) -> Any:
        if isinstance(data, dict) and "full_name" in data:
            data = dict(data)
            data["name_as_written"] = data.pop("full_name")
        return data

    @model_validator(mode="after")
    def _named(self) -> FamilyMemberFinding:
        if not (self.family_name.strip() or self.given_name.strip() or self.name_as_written):
            raise ValueError("family_members: give at least a family name or a given name")
        return self


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
    # Part 4, item 5 (U) / Part 4, item 2 (T): the certifier's description of the victim's
    # helpfulness, prefilled from the request's summary. Empty only in findings recorded
    # before the field existed (the form then prints the request's summary).
    helpfulness_narrative: str = Field(default="", max_length=20_000)
    # U, Part 3 item 5: a Federal extraterritorial jurisdiction statute was violated.
    extraterritorial_jurisdiction: bool = False
    extraterritorial_authority: str | None = None
    # T, Part 4: whether the victim complied with reasonable requests for assistance, or
    # which exception applies (under 18; unable to cooperate because of trauma).
    cooperation: Literal["complied", "not_complied", "under_18", "trauma"] | None = None
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
        if self.extraterritorial_jurisdiction and not self.extraterritorial_authority:
            problems.append(
                "extraterritorial_authority: give the statute when extraterritorial "
                "jurisdiction is claimed"
            )
        if self.visa_type == "U" and self.cooperation is not None:
            problems.append("cooperation: answers the T declaration only")
        if problems:
            raise ValueError("; ".join(problems))
        return self
