"""What a certifier records when recommending certification: the facts the form needs.

The fields are declared once, in :class:`FindingsFields`: the review step's answer
(:mod:`casework.steps.review`) is built on them, and :class:`Findings` is what is stored
(encrypted) from an accepted answer and what :mod:`casework.formdata` builds Parts 3 to 5 from.

Dates and citations are written as text in the form (``2024-06-14, 2024-07-02``; one
citation per line) and parsed into lists here, so the answer model holds the parsed value.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from forms.activities import OTHER_RELATED, allowed_activities


def _dates(value: Any) -> Any:
    parts = re.split(r"[,;\s]+", value) if isinstance(value, str) else value
    if not isinstance(parts, list):
        return value
    out = []
    for part in parts:
        if isinstance(part, dt.date) or not str(part).strip():
            out += [part] if isinstance(part, dt.date) else []
            continue
        try:
            out.append(dt.date.fromisoformat(str(part).strip()))
        except ValueError:
            raise ValueError(f"{str(part).strip()[:40]} is not a real date (YYYY-MM-DD)") from None
    return out


def _lines(value: Any) -> Any:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value


#: Dates: a list once parsed, written in the form as ``2024-06-14, 2024-07-02``.
DateList = Annotated[
    list[dt.date],
    BeforeValidator(_dates),
    PlainSerializer(
        lambda v: ", ".join(d.isoformat() for d in v), return_type=str, when_used="json"
    ),
    WithJsonSchema({"type": "string", "maxLength": 2000}),
]
#: Lines of text (citations): a list once parsed, one per line in the form.
LineList = Annotated[
    list[str],
    BeforeValidator(_lines),
    PlainSerializer(lambda v: "\n".join(v), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "maxLength": 10_000}),
]


class FamilyMemberFinding(BaseModel):
    """A family member implicated in the criminal activity (Part 5), named as the form's boxes
    are: never split from one string.

    Findings recorded before names were structured carry ``full_name``; they read back with
    the name kept whole in ``name_as_written`` (the form prints it whole in Part 7). The review
    form never shows that field: a certifier correcting such findings gets the whole name in
    *Family Name* to divide (see :mod:`casework.steps.review`).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    family_name: str = Field("", max_length=100, description="Family name (last name)")
    given_name: str = Field("", max_length=100, description="Given name (first name)")
    middle_name: str = Field("", max_length=100, description="Middle name (empty: none)")
    name_as_written: SkipJsonSchema[str] = Field("", max_length=200)
    relationship: str = Field("", max_length=200, description="Relationship to the victim")
    involvement: str = Field(
        "", max_length=5000, description="Involvement in the criminal activity"
    )

    @model_validator(mode="before")
    @classmethod
    def _one_string_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and "full_name" in data:
            data = dict(data)
            data["name_as_written"] = data.pop("full_name") or ""
        if isinstance(data, dict) and data.get("name_as_written") is None:
            data = {**data, "name_as_written": ""}
        return data

    @property
    def full_name(self) -> str:
        parts = (self.given_name, self.middle_name, self.family_name)
        return " ".join(p for p in parts if p) or self.name_as_written

    def problems(self, index: int) -> list[str]:
        where = f"family_members[{index}]"
        out = []
        if not (self.family_name or self.given_name or self.name_as_written):
            out.append(f"{where}: give at least a family name or a given name")
        if not self.relationship:
            out.append(f"{where}.relationship: say how the person is related to the victim")
        if not self.involvement:
            out.append(f"{where}.involvement: describe the person's involvement")
        return out


class FindingsFields(BaseModel):
    """Parts 3 to 5 of Supplement B as the certifier confirms them (declared once)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    qualifying_activities: list[str] = Field(
        default_factory=list, description="Qualifying criminal activity confirmed"
    )
    other_activity_description: str = Field(
        "", max_length=5000, description="For other_related: the similar activity"
    )
    activity_dates: DateList = Field(
        default_factory=list,
        description="Dates of the criminal activity, YYYY-MM-DD, comma separated",
    )
    statutory_citations: LineList = Field(
        default_factory=list, description="Statutes investigated or prosecuted, one per line"
    )
    occurred_in_us: bool = Field(True, description="Occurred in the United States")
    location_explanation: str = Field(
        "", max_length=5000, description="Where, if outside the United States"
    )
    description: str = Field(
        "", max_length=20_000, description="Description of the criminal activity (Part 3)"
    )
    known_injuries: str = Field(
        "", max_length=20_000, description="Known or documented injury to the victim"
    )
    case_status: Literal["ongoing", "completed"] = "ongoing"
    possesses_information: bool = False
    has_been_helpful: bool = False
    is_being_helpful: bool = False
    likely_to_be_helpful: bool = False
    helpfulness_narrative: str = Field(
        "",
        max_length=20_000,
        description="How the victim has been, is being or is likely to be helpful (Part 4, item 5)",
    )
    refused_or_failed_to_assist: bool = False
    refusal_explanation: str = Field("", max_length=20_000)
    other_information: str = Field("", max_length=20_000)
    family_members: list[FamilyMemberFinding] = Field(
        default_factory=list, description="Family members implicated (Part 5)"
    )


class UFindingsFields(BaseModel):
    """Items of the U certification only (I-918 Supplement B, Part 3 item 5)."""

    extraterritorial_jurisdiction: bool = Field(
        False, description="A Federal extraterritorial jurisdiction statute was violated"
    )
    extraterritorial_authority: str = Field(
        "", max_length=2000, description="The extraterritorial statute (when it applies)"
    )


Cooperation = Literal["not_stated", "complied", "not_complied", "under_18", "trauma"]


class TFindingsFields(BaseModel):
    """Items of the T declaration only (I-914 Supplement B, cooperation and its exceptions)."""

    cooperation: Cooperation = Field(
        "not_stated",
        description="Cooperation with reasonable requests for assistance: complied, "
        "not_complied, or an exception: under_18, trauma (physical or psychological)",
    )


class Findings(FindingsFields, UFindingsFields, TFindingsFields):
    """What is stored from an accepted recommendation to certify."""

    visa_type: Literal["U", "T"]

    @model_validator(mode="before")
    @classmethod
    def _absent_is_empty(cls, data: Any) -> Any:
        """Findings stored before some texts were optional-as-empty hold ``None`` for them."""
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if v is not None}
        return data

    @model_validator(mode="after")
    def _rules(self) -> Findings:
        problems = rule_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def rule_problems(f: FindingsFields, visa_type: str | None = None) -> list[str]:
    """The form's rules across fields, each as ``field: what is wrong``."""
    visa = str(visa_type or getattr(f, "visa_type", None) or "U")
    problems = []
    if not f.qualifying_activities:
        problems.append("qualifying_activities: confirm at least one qualifying activity")
    bad = [a for a in f.qualifying_activities if a not in allowed_activities(visa)]
    if bad:
        problems.append(f"qualifying_activities: not valid for a {visa} case: {', '.join(bad)}")
    if OTHER_RELATED in f.qualifying_activities and not f.other_activity_description:
        problems.append("other_activity_description: required when other_related is chosen")
    if not f.activity_dates:
        problems.append("activity_dates: give at least one date of the criminal activity")
    if any(d > dt.date.today() for d in f.activity_dates):
        problems.append("activity_dates: a date is in the future")
    if not f.description:
        problems.append("description: describe the criminal activity")
    if f.refused_or_failed_to_assist and not f.refusal_explanation:
        problems.append("refusal_explanation: required when the victim refused or failed to assist")
    if not f.occurred_in_us and not f.location_explanation:
        problems.append("location_explanation: required when the activity was outside the U.S.")
    if not (f.has_been_helpful or f.is_being_helpful or f.likely_to_be_helpful):
        problems.append(
            "helpfulness: a certification needs past, present or likely future helpfulness"
        )
    for i, member in enumerate(f.family_members):
        problems += member.problems(i)
    if getattr(f, "extraterritorial_jurisdiction", False) and not getattr(
        f, "extraterritorial_authority", ""
    ):
        problems.append(
            "extraterritorial_authority: give the statute when extraterritorial jurisdiction "
            "is claimed"
        )
    if visa == "U" and getattr(f, "cooperation", "not_stated") != "not_stated":
        problems.append("cooperation: answers the T declaration only")
    return problems
