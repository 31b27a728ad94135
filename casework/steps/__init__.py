"""The case's steps as domain operations, and the human steps, one module each.

Human steps (a person answers a form): :mod:`casework.steps.da`, :mod:`casework.steps.review`,
:mod:`casework.steps.signature`; the information loop (the requester answers):
:mod:`casework.steps.information`. Each declares its state, role, answer model, description,
checks and how an accepted answer is applied (see :mod:`casework.steps.base`);
:data:`casework.states.HUMAN_STEPS` maps the states to them.

The operations below keep their names here (``from casework.steps import assign``): every one
takes the caller's session, writes the step's records and goes through the one door, so the
records and the state change commit together or not at all.
"""

from casework.steps.da import latest_da_consultation, record_da_consultation
from casework.steps.denial import deny
from casework.steps.information import request_information, supplement
from casework.steps.records import (
    assign,
    documents,
    least_loaded_certifier,
    mark_delayed,
    record_document,
    simple,
    start_da_consultation,
)
from casework.steps.review import latest_findings, recommend_certification
from casework.steps.signature import approve_signature, latest_approval, return_to_certifier

__all__ = [
    "approve_signature",
    "assign",
    "deny",
    "documents",
    "latest_approval",
    "latest_da_consultation",
    "latest_findings",
    "least_loaded_certifier",
    "mark_delayed",
    "recommend_certification",
    "record_da_consultation",
    "record_document",
    "request_information",
    "return_to_certifier",
    "simple",
    "start_da_consultation",
    "supplement",
]
