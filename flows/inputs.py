"""The input forms people fill in the Prefect UI (RunInput models).

Kept loose on purpose: Prefect's server checks only JSON-schema basics, and a
custom validator failing on load would crash the run. The flow hands the raw
answer to :mod:`casework.decisions`, which checks everything and, on refusal,
asks again with the reason in the form's description.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import pydantic
from prefect.input import RunInput
from pydantic import Field

from casework.policy import DENIAL_REASONS
from forms.activities import OTHER_RELATED, T_TYPES, U_ACTIVITIES

if TYPE_CHECKING:  # the choices come from policy and form data; the UI shows them as selects
    DenialReason: TypeAlias = str
    UActivity: TypeAlias = str
    TActivity: TypeAlias = str
else:
    DenialReason = Literal[tuple(DENIAL_REASONS)]
    UActivity = Literal[tuple((*U_ACTIVITIES, OTHER_RELATED))]
    TActivity = Literal[tuple(T_TYPES)]


class _Who(RunInput):
    acting_as: str = Field(
        description="Your department email address", min_length=3, max_length=254
    )
    action_code: str = Field(
        description="The one-time action code from the email that sent you here",
        min_length=4,
        max_length=20,
    )


class DAConsultationForm(_Who):
    consulted_name: str = Field(description="Who at the District Attorney's Office was consulted")
    consulted_on: dt.date = Field(description="Date of the consultation")
    position: Literal["supports", "no_objection", "objects"] = Field(
        description="The DA's position"
    )
    notes: str = Field(default="", description="Notes from the consultation")


class _ReviewBase(_Who):
    decision: Literal["certify", "deny", "request_more_info"]
    activity_dates: str = Field(
        default="", description="Dates of the criminal activity, YYYY-MM-DD, comma separated"
    )
    statutory_citations: str = Field(
        default="", description="Statutes investigated or prosecuted, one per line"
    )
    other_activity_description: str = Field(
        default="", description="For other_related: the similar activity"
    )
    occurred_in_us: bool = Field(default=True, description="Occurred in the United States")
    location_explanation: str = Field(default="", description="Where, if outside the United States")
    description: str = Field(
        default="", description="Description of the criminal activity (Part 3)"
    )
    known_injuries: str = Field(default="", description="Known or documented injury to the victim")
    case_status: Literal["ongoing", "completed"] = "ongoing"
    possesses_information: bool = False
    has_been_helpful: bool = False
    is_being_helpful: bool = False
    likely_to_be_helpful: bool = False
    refused_or_failed_to_assist: bool = False
    refusal_explanation: str = ""
    family_members: str = Field(
        default="",
        description="Family members implicated, one per line: full name | relationship | involvement",
    )
    denial_reason: DenialReason | None = Field(
        default=None, description="For deny: the policy reason"
    )
    denial_explanation: str = Field(
        default="", description="For deny: explanation (required for 'other')"
    )
    missing_information: str = Field(
        default="", description="For request_more_info: what the requester must send"
    )
    notes: str = ""


class ReviewFormU(_ReviewBase):
    qualifying_activities: list[UActivity] = Field(
        default_factory=list, description="Qualifying criminal activity confirmed"
    )


class ReviewFormT(_ReviewBase):
    qualifying_activities: list[TActivity] = Field(
        default_factory=list, description="Trafficking confirmed"
    )


class SignatureForm(_Who):
    decision: Literal["approve", "return", "deny"]
    signature_date: dt.date | None = Field(
        default=None, description="Date of signature (for approve)"
    )
    signer_title: str = Field(default="Chief of Police", description="Title and division or office")
    comments: str = Field(default="", description="Comments (required to return)")
    denial_reason: DenialReason | None = Field(
        default=None, description="For deny: the policy reason"
    )


def form_for(stage: str, visa_type: str) -> type[RunInput]:
    if stage == "da":
        return DAConsultationForm
    if stage == "signature":
        return SignatureForm
    return ReviewFormU if visa_type == "U" else ReviewFormT


def with_prefill(form: type[RunInput], description: str, values: dict[str, Any]) -> type[RunInput]:
    """The form with starting values and a description, keeping every field's constraints.

    (``RunInput.with_initial_data`` drops pattern/length/description of defaulted fields.)
    """
    fields: dict[str, Any] = {}
    for name, value in values.items():
        info = form.model_fields.get(name)
        if info is None:
            continue
        merged = copy.copy(info)
        merged.default, merged.default_factory = value, None
        fields[name] = (info.annotation, merged)
    model = pydantic.create_model(form.__name__, __base__=form, **fields)
    model._description = description
    return model
