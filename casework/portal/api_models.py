"""The JSON API's response models, its multipart body descriptions for OpenAPI, and the
error bodies every refusal uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from casework.intake.validate import Problem


class ProblemOut(BaseModel):
    """One problem: where (``path``), what (a stable ``code`` with its ``params``) and the
    message in the language of Accept-Language."""

    path: str
    message: str
    code: str = ""
    params: dict[str, str] = {}


class ErrorOut(BaseModel):
    detail: str
    problems: list[ProblemOut] = []


class SubmitOut(BaseModel):
    case_number: str
    response_due: dt.date
    status_url: str
    access_code: str
    email_sent: bool
    workflow_started: bool


class DocumentOut(BaseModel):
    id: int
    kind: str
    label: str
    created_on: dt.date
    size_bytes: int
    url: str


class StatusOut(BaseModel):
    case_number: str
    visa_type: str
    stage: str
    stage_label: str
    received_on: dt.date
    response_due: dt.date
    expedited: bool
    information_requested: str | None
    documents: list[DocumentOut]


_PDF_PARTS = {"type": "array", "items": {"type": "string", "format": "binary"}}


def submit_body(languages: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "description": (
            "Part `request`: the certification request as JSON (schema CertificationRequest, "
            "the shape of shared/examples/). One file part per name in `request.attachments`, "
            "whose filename is that name (PDF, unencrypted, no scripts or embedded files). "
            "Optional part `language` for the acknowledgment email."
        ),
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["request"],
                    "properties": {
                        "request": {"$ref": "#/components/schemas/CertificationRequest"},
                        "language": {"type": "string", "enum": languages},
                        "files": _PDF_PARTS,
                    },
                },
                "encoding": {
                    "request": {"contentType": "application/json"},
                    "files": {"contentType": "application/pdf"},
                },
            }
        },
    }


SUPPLEMENT_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"text": {"type": "string", "maxLength": 20000}, "files": _PDF_PARTS},
            },
            "encoding": {"files": {"contentType": "application/pdf"}},
        }
    },
}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Malformed multipart body"},
    413: {"model": ErrorOut, "description": "Body over the upload limit"},
    422: {"model": ErrorOut, "description": "Refused; `problems` lists every field problem"},
    429: {"model": ErrorOut, "description": "Too many requests from this address"},
}
TOO_MANY: dict[int | str, dict[str, Any]] = {429: ERRORS[429]}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such request (always the same answer)"}
}


def problems_json(detail: str, problems: list[ProblemOut], status: int = 422) -> JSONResponse:
    return JSONResponse(ErrorOut(detail=detail, problems=problems).model_dump(), status_code=status)


def problem_out(p: Problem, message: str | None = None) -> ProblemOut:
    return ProblemOut(
        path=p.path,
        message=message if message is not None else p.message,
        code=p.code,
        params=dict(p.params),
    )


def error_json(detail: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorOut(detail=detail).model_dump(), status_code=status, headers=headers)
