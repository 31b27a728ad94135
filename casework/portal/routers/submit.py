"""The submission form: GET / shows it, POST / stores the request or shows every problem
next to its field (nothing stored)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from casework.intake.validate import IntakeRejected
from casework.portal.forms import (
    FAMILY_PARTS,
    FAMILY_SLOTS,
    FIELDS,
    SECTIONS,
    fid,
    form_to_request,
    form_values,
    show_problems,
)
from casework.portal.i18n import VICTIM_LANGUAGES, translator
from casework.portal.web import PortalWeb, Web, file_parts
from forms.activities import OTHER_RELATED, T_TYPES, U_ACTIVITIES

router = APIRouter(include_in_schema=False)


def form_page(
    web: PortalWeb,
    request: Request,
    *,
    values: dict[str, list[str]] | None = None,
    summary: list[Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    files_again: bool = False,
    status: int = 200,
) -> HTMLResponse:
    return web.render(
        request,
        "submit.html",
        {
            "sections": SECTIONS,
            "fields": FIELDS,
            "family_slots": FAMILY_SLOTS,
            "family_parts": FAMILY_PARTS,
            "fid": fid,
            "values": values or {},
            "summary": summary or [],
            "errors": errors or {},
            "files_again": files_again,
            "limits": web.limits_shown(),
            "activity_groups": (("U", (*U_ACTIVITIES, OTHER_RELATED)), ("T", T_TYPES)),
            "victim_languages": VICTIM_LANGUAGES,
        },
        status,
    )


@router.get("/", response_class=HTMLResponse)
async def submit_form(request: Request, web: Web) -> HTMLResponse:
    return form_page(web, request)


@router.post("/", response_class=HTMLResponse)
async def submit_post(request: Request, web: Web) -> HTMLResponse:
    lang = web.lang_for(request)
    if not web.allow(request, "submit"):
        return web.message_page(request, "rate_limited", 429)
    try:
        form = await web.parse_form(request)
    except StarletteHTTPException:
        return web.message_page(request, "too_large", 413, **web.limits_shown())
    if not web.csrf_ok(request, form):
        return web.message_page(request, "csrf_failed", 403)
    uploads = await web.read_uploads(file_parts(form, "attachments"))
    conv = form_to_request(form, [u.name for u in uploads])
    try:
        sub = await run_in_threadpool(
            web.portal.submit, conv.raw, uploads, lang=lang, base_url=web.base_url(request)
        )
    except IntakeRejected as exc:
        summary, by_field = show_problems(exc.problems, conv, translator(lang), lang)
        return form_page(
            web,
            request,
            values=form_values(form),
            summary=summary,
            errors=by_field,
            files_again=bool(uploads),
            status=422,
        )
    if not sub.created:
        return web.render(request, "duplicate.html", {}, 409)
    status_url = f"{web.base_url(request)}/status/{sub.token}"
    return web.render(request, "success.html", {"sub": sub, "status_url": status_url}, 201)
