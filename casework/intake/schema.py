"""The shape of a certification request (see shared/examples/), as pydantic models.

Structure and types are checked here; rules that depend on today's date, the
visa type or the files on disk are in :mod:`casework.intake.validate`, so every
problem is reported in one pass. There is deliberately no field for
immigration status: the department does not ask (see DOMAIN.md).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from casework.intake.text import MULTI_LINE, SINGLE_LINE, SingleLine

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise PydanticCustomError("date_format", "must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "date_not_real", "{value} is not a real calendar date", {"value": value}
        ) from None


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise PydanticCustomError("email_invalid", "is not a valid email address") from None


def _a_number(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    digits = re.sub(r"[\s-]", "", value).upper().removeprefix("A")
    if not re.fullmatch(r"\d{7,9}", digits):
        raise PydanticCustomError(
            "a_number_format", "an A-Number is 7 to 9 digits, optionally written with a leading A"
        )
    return "A" + digits.zfill(9)


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Email = Annotated[str, AfterValidator(_email)]
# Request text is cleaned (casework.intake.text) before its length is checked.
Text = Annotated[str, Field(min_length=1, max_length=200), SINGLE_LINE, AfterValidator(str.strip)]
#: A person's name: one line, cleaned (what duplicate detection compares).
PersonName = Text
LongText = Annotated[str, Field(min_length=1, max_length=20_000), MULTI_LINE]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RequesterIn(_Strict):
    name: Text
    organization: Annotated[str, Field(max_length=200), SINGLE_LINE] | None = None
    role: Literal["victim_advocate", "attorney", "accredited_representative", "self"]
    email: Email
    phone: Annotated[str, Field(max_length=40, pattern=r"^[0-9+()./ -]{7,40}$")] | None = None
    mailing_address: Annotated[str, Field(max_length=500), MULTI_LINE] | None = None


NAME_SHAPE = '{"family_name": "...", "given_name": "...", "middle_name": "..."}'
FAMILY_SHAPE = (
    '{"family_name": "...", "given_name": "...", "middle_name": "...", '
    '"relationship": "...", "involvement": "..."}'
)
NamePart = Annotated[str, Field(max_length=200), SINGLE_LINE]


class NameIn(_Strict):
    """A name as the Supplement B boxes have it. Never one string to be split: a plain
    string (or a ``full_name``) is refused with the object shape to send instead."""

    shape: ClassVar[str] = NAME_SHAPE
    family_name: NamePart = ""
    given_name: NamePart = ""
    middle_name: NamePart | None = None

    @model_validator(mode="before")
    @classmethod
    def _structured(cls, data: Any) -> Any:
        if isinstance(data, str):
            raise PydanticCustomError(
                "name_not_split",
                "must be an object {shape}, not one string: names are never split",
                {"shape": cls.shape},
            )
        if isinstance(data, dict) and "full_name" in data:
            raise PydanticCustomError(
                "name_full_name",
                "give the name in its boxes, {shape}, instead of full_name",
                {"shape": cls.shape},
            )
        return data

    @model_validator(mode="after")
    def _named(self) -> NameIn:
        if not (self.family_name or self.given_name):
            raise PydanticCustomError("name_empty", "give at least a family name or a given name")
        return self


class VictimIn(_Strict):
    family_name: PersonName
    given_name: PersonName
    middle_name: Annotated[str, Field(max_length=200), SINGLE_LINE] | None = None
    other_names: list[NameIn] = Field(default_factory=list, max_length=20)
    date_of_birth: IsoDate
    gender: Literal["female", "male"] | None = None
    a_number: Annotated[str | None, AfterValidator(_a_number)] = None
    preferred_language: (
        Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")] | None
    ) = None
    #: A language the list does not offer, as the requester wrote it (letters: English + note).
    preferred_language_other: Annotated[str, Field(max_length=100)] | None = None
    interpreter_needed: bool | None = None


class IncidentIn(_Strict):
    police_report_numbers: list[Annotated[str, Field(min_length=1, max_length=40), SINGLE_LINE]] = (
        Field(min_length=1, max_length=20)
    )
    dates: list[IsoDate] = Field(min_length=1, max_length=50)
    location: Annotated[str, Field(max_length=200), SINGLE_LINE] | None = None
    qualifying_activities: list[SingleLine] = Field(min_length=1, max_length=40)
    other_activity_description: Annotated[str, Field(max_length=5_000), MULTI_LINE] | None = None
    statutory_citations: list[Annotated[str, Field(min_length=1, max_length=200), SINGLE_LINE]] = (
        Field(default_factory=list, max_length=50)
    )
    description: LongText
    known_injuries: Annotated[str, Field(max_length=20_000), MULTI_LINE] | None = None


class HelpfulnessIn(_Strict):
    summary: LongText
    possesses_information: bool
    has_been_helpful: bool
    is_being_helpful: bool
    likely_to_be_helpful: bool


class FamilyMemberIn(NameIn):
    """A family member implicated; ``involvement`` may be empty at intake (the certifier
    completes it)."""

    shape: ClassVar[str] = FAMILY_SHAPE
    relationship: Text
    involvement: Annotated[str, Field(max_length=20_000), MULTI_LINE] = ""


class UrgencyIn(_Strict):
    in_removal_proceedings: bool = False
    in_detention: bool = False
    family_member_turning_21_on: IsoDate | None = None


class RequestIn(_Strict):
    visa_type: Literal["U", "T"]
    requester: RequesterIn
    victim: VictimIn
    incident: IncidentIn
    helpfulness: HelpfulnessIn
    family_members_implicated: list[FamilyMemberIn] = Field(default_factory=list, max_length=30)
    urgency: UrgencyIn = Field(default_factory=UrgencyIn)
    attachments: list[Annotated[str, Field(min_length=1, max_length=255), SINGLE_LINE]] = Field(
        default_factory=list, max_length=20
    )
