"""The submission form: GET / shows it, POST / stores the request or shows every problem
next to its field (nothing stored)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from casework.i18n import N_, gettext_for
from casework.intake.validate import IntakeRejected
from casework.portal.form_spec import ENTRY_LEGEND, NAME_LABELS
from casework.portal.forms import (
    FAMILY_LABELS,
    FAMILY_MEMBER,
    FAMILY_PARTS,
    FAMILY_SLOTS,
    FIELDS,
    OTHER_LANGUAGE,
    SECTIONS,
    fid,
    form_to_request,
    form_values,
    show_problems,
)
from casework.portal.web import CSRF_FAILED, RATE_LIMITED, TOO_LARGE, PortalWeb, Web, file_parts
from forms.activities import OTHER_RELATED, T_TYPES, U_ACTIVITIES

router = APIRouter(include_in_schema=False)
U_GROUP = N_("For a U visa: qualifying criminal activity")
T_GROUP = N_("For a T visa: type of trafficking")


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
            "family_labels": FAMILY_LABELS,
            "name_labels": NAME_LABELS,
            "entry_legend": ENTRY_LEGEND,
            "untranslated_options": (OTHER_LANGUAGE,),  # message ids among language names
            "family_member": FAMILY_MEMBER,
            "activity_groups": ((U_GROUP, (*U_ACTIVITIES, OTHER_RELATED)), (T_GROUP, T_TYPES)),
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
        return web.message_page(request, RATE_LIMITED, 429)
    try:
        form = await web.parse_form(request)
    except StarletteHTTPException:
        return web.message_page(request, TOO_LARGE, 413, **web.limits_shown(lang))
    if not web.csrf_ok(request, form):
        return web.message_page(request, CSRF_FAILED, 403)
    uploads = await web.read_uploads(file_parts(form, "attachments"))
    conv = form_to_request(form, [u.name for u in uploads])
    try:
        sub = await run_in_threadpool(
            web.portal.submit, conv.raw, uploads, lang=lang, base_url=web.base_url(request)
        )
    except IntakeRejected as exc:
        summary, by_field = show_problems(exc.problems, conv, gettext_for(lang))
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
