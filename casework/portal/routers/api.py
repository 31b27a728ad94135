"""The JSON API (documented at /api/openapi.json): submit a request as multipart (a JSON part
and PDF parts), read its status by the private token, answer a request for information."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from casework.i18n import gettext_for, negotiate_tag, supported
from casework.intake.jsonload import JsonRefused, load_json
from casework.intake.validate import IntakeRejected, Problem, coded_problem
from casework.portal.api_models import (
    ERRORS,
    NOT_FOUND,
    SUPPLEMENT_BODY,
    TOO_MANY,
    DocumentOut,
    ErrorOut,
    StatusOut,
    SubmitOut,
    error_json,
    problem_out,
    problems_json,
    submit_body,
)
from casework.portal.labels import DOCUMENTS, STAGES
from casework.portal.service import NotWaiting
from casework.portal.status import StatusView
from casework.portal.web import PortalWeb, Web, file_parts

router = APIRouter(prefix="/api/requests", tags=["requests"])
RATE_LIMITED = "too many requests; wait a minute"


def refused(
    problems: list[Problem], lang: str = "en", detail: str = "refused; nothing was stored"
) -> JSONResponse:
    _ = gettext_for(lang)
    return problems_json(detail, [problem_out(p, p.text(_)) for p in problems])


async def api_form(web: PortalWeb, request: Request) -> FormData | JSONResponse:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return error_json("send multipart/form-data", 415)
    try:
        return await web.parse_form(request)
    except StarletteHTTPException as exc:
        return error_json(f"malformed multipart body: {exc.detail}", 400)


def status_out(view: StatusView, lang: str, base: str) -> StatusOut:
    _ = gettext_for(lang)
    return StatusOut(
        case_number=view.case_number,
        visa_type=view.visa_type,
        stage=view.stage,
        stage_label=_(STAGES.get(view.stage, STAGES["review"])[0]),
        received_on=view.received_on,
        response_due=view.response_due,
        expedited=view.expedited,
        information_requested=view.information_requested,
        documents=[
            DocumentOut(
                id=d.id,
                kind=d.kind,
                label=_(DOCUMENTS.get(d.kind, d.kind)),
                created_on=d.created_on,
                size_bytes=d.size_bytes,
                url=f"{base}/documents/{d.id}",
            )
            for d in view.documents
        ],
    )


async def api_case(web: PortalWeb, request: Request, token: str) -> int | JSONResponse:
    if not web.allow(request, "lookup"):
        return error_json(RATE_LIMITED, 429, {"Retry-After": "60"})
    case_id = await run_in_threadpool(web.portal.case_id_for_token, token)
    return error_json("not found", 404) if case_id is None else case_id


@router.post(
    "",
    status_code=201,
    response_model=SubmitOut,
    responses={
        **ERRORS,
        409: {"model": ErrorOut, "description": "Duplicate of a request on file"},
        415: {"model": ErrorOut},
    },
    openapi_extra={"requestBody": submit_body(list(supported()))},
    summary="Submit a certification request",
)
async def api_submit(request: Request, web: Web) -> Any:
    if not web.allow(request, "submit"):
        return error_json(RATE_LIMITED, 429, {"Retry-After": "60"})
    form = await api_form(web, request)
    if isinstance(form, JSONResponse):
        return form
    lang = web.api_lang(request)
    part = form.get("request")
    if isinstance(part, UploadFile):
        text: str | None = (await part.read(1024 * 1024)).decode("utf-8", "replace")
    else:
        text = part
    if text is None:
        return refused([Problem.of("request", "request_part_missing")], lang, "refused")
    try:
        raw = load_json(text)
    except JsonRefused as exc:
        return refused([coded_problem("(request)", "json_refused", exc.finding)], lang, "refused")
    language = form.get("language")
    if isinstance(language, str) and negotiate_tag(language):
        lang = negotiate_tag(language) or lang
    parts = [
        v
        for k, v in form.multi_items()
        if k != "request" and isinstance(v, UploadFile) and v.filename
    ]
    uploads = await web.read_uploads(parts)
    try:
        sub = await run_in_threadpool(
            web.portal.submit, raw, uploads, lang=lang, base_url=web.base_url(request)
        )
    except IntakeRejected as exc:
        return refused(exc.problems, lang)
    if not sub.created:
        return error_json(
            "this request duplicates one already on file; nothing new was stored", 409
        )
    assert sub.case_number and sub.response_due and sub.token and sub.code
    return SubmitOut(
        case_number=sub.case_number,
        response_due=sub.response_due,
        status_url=f"{web.base_url(request)}/status/{sub.token}",
        access_code=sub.code,
        email_sent=sub.email_sent,
        workflow_started=sub.workflow_started,
    )


@router.get(
    "/{token}",
    response_model=StatusOut,
    responses={**NOT_FOUND, **TOO_MANY},
    summary="Status of a request, by its private token",
)
async def api_status(request: Request, token: str, web: Web) -> Any:
    found = await api_case(web, request, token)
    if isinstance(found, JSONResponse):
        return found
    view = await run_in_threadpool(web.load_view, found)
    return status_out(view, web.api_lang(request), f"/api/requests/{token}")


@router.post(
    "/{token}/supplement",
    response_model=StatusOut,
    responses={
        **ERRORS,
        **NOT_FOUND,
        409: {"model": ErrorOut, "description": "Not waiting for information"},
        415: {"model": ErrorOut},
    },
    openapi_extra={"requestBody": SUPPLEMENT_BODY},
    summary="Send the information requested (text and PDFs)",
)
async def api_supplement(request: Request, token: str, web: Web) -> Any:
    if not web.allow(request, "submit"):
        return error_json(RATE_LIMITED, 429, {"Retry-After": "60"})
    found = await api_case(web, request, token)
    if isinstance(found, JSONResponse):
        return found
    form = await api_form(web, request)
    if isinstance(form, JSONResponse):
        return form
    text = form.get("text")
    uploads = await web.read_uploads(file_parts(form))
    try:
        await run_in_threadpool(
            web.portal.supplement, found, text if isinstance(text, str) else "", uploads
        )
    except IntakeRejected as exc:
        return refused(exc.problems, web.api_lang(request))
    except NotWaiting:
        return error_json("this request is not waiting for information", 409)
    view = await run_in_threadpool(web.load_view, found)
    return status_out(view, web.api_lang(request), f"/api/requests/{token}")
