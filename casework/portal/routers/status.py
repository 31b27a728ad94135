"""Status pages: the lookup form (case number, email, code -> a short signed session), the
status through the private link or the session, and the answer to a request for
information."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from casework.i18n import N_, gettext_for
from casework.intake.validate import IntakeRejected
from casework.portal.service import NotWaiting
from casework.portal.status import StatusView
from casework.portal.web import (
    CSRF_FAILED,
    RATE_LIMITED,
    SESSION_COOKIE,
    SESSION_PATH,
    SUPPLEMENT_CLOSED,
    TOO_LARGE,
    PortalWeb,
    Web,
    file_parts,
)

router = APIRouter(include_in_schema=False)
ANSWER = N_("Your answer")
FILES = N_("PDF files")


def status_page(
    web: PortalWeb,
    request: Request,
    view: StatusView,
    base: str,
    *,
    errors: dict[str, list[str]] | None = None,
    summary: list[Any] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return web.render(
        request,
        "status.html",
        {
            "view": view,
            "base": base,
            "sent": request.query_params.get("sent") == "1",
            "errors": errors or {},
            "summary": summary or [],
            "notice": gettext_for(web.lang_for(request))(notice) if notice else None,
        },
        status,
    )


async def token_case(web: PortalWeb, request: Request, token: str) -> int | None | Response:
    """The case of a private status token, or the rate-limit page."""
    if not web.allow(request, "lookup"):
        return web.message_page(request, RATE_LIMITED, 429)
    return await run_in_threadpool(web.portal.case_id_for_token, token)


async def show_status(web: PortalWeb, request: Request, case_id: int | None, base: str) -> Response:
    if case_id is None:
        return web.not_found(request)
    view = await run_in_threadpool(web.load_view, case_id)
    return status_page(web, request, view, base)


async def post_supplement(
    web: PortalWeb, request: Request, case_id: int | None, base: str
) -> Response:
    if case_id is None:
        return web.not_found(request)
    lang = web.lang_for(request)
    _ = gettext_for(lang)
    try:
        form = await web.parse_form(request)
    except StarletteHTTPException:
        return web.message_page(request, TOO_LARGE, 413, **web.limits_shown(lang))
    if not web.csrf_ok(request, form):
        return web.message_page(request, CSRF_FAILED, 403)
    text = form.get("text")
    uploads = await web.read_uploads(file_parts(form, "files"))
    try:
        await run_in_threadpool(
            web.portal.supplement, case_id, text if isinstance(text, str) else "", uploads
        )
    except IntakeRejected as exc:
        errors: dict[str, list[str]] = {}
        summary = []
        for p in exc.problems:
            anchor = "f-supplement-text" if p.path == "text" else "f-supplement-files"
            label = _(ANSWER) if p.path == "text" else _(FILES)
            message = p.text(_)
            errors.setdefault(anchor, []).append(message)
            summary.append({"anchor": anchor, "label": label, "message": message})
        view = await run_in_threadpool(web.load_view, case_id)
        return status_page(web, request, view, base, errors=errors, summary=summary, status=422)
    except NotWaiting:
        view = await run_in_threadpool(web.load_view, case_id)
        return status_page(web, request, view, base, notice=SUPPLEMENT_CLOSED, status=409)
    return RedirectResponse(f"{base}?sent=1", status_code=303)


@router.get("/status", response_class=HTMLResponse)
async def lookup_form(request: Request, web: Web) -> HTMLResponse:
    return web.render(request, "lookup.html", {"not_found": False})


@router.post("/status")
async def lookup_post(request: Request, web: Web) -> Response:
    if not web.allow(request, "lookup"):
        return web.message_page(request, RATE_LIMITED, 429)
    try:
        form = await web.parse_form(request)
    except StarletteHTTPException:
        return web.not_found(request)
    if not web.csrf_ok(request, form):
        return web.message_page(request, CSRF_FAILED, 403)
    fields = [form.get(k) for k in ("case_number", "email", "code")]
    strings = [f if isinstance(f, str) else "" for f in fields]
    case_id = await run_in_threadpool(web.portal.case_id_for_code, *strings)
    if case_id is None:
        return web.not_found(request)
    resp = RedirectResponse(SESSION_PATH, status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        web.sessions.sign(case_id),
        max_age=web.sessions.max_age,
        path=SESSION_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return resp


@router.get("/status/{token}")
async def status_by_token(request: Request, token: str, web: Web) -> Response:
    found = await token_case(web, request, token)
    if isinstance(found, Response):
        return found
    return await show_status(web, request, found, f"/status/{token}")


@router.post("/status/{token}/supplement")
async def supplement_by_token(request: Request, token: str, web: Web) -> Response:
    if not web.allow(request, "submit"):
        return web.message_page(request, RATE_LIMITED, 429)
    found = await token_case(web, request, token)
    if isinstance(found, Response):
        return found
    return await post_supplement(web, request, found, f"/status/{token}")


@router.get(SESSION_PATH)
async def status_by_session(request: Request, web: Web) -> Response:
    return await show_status(web, request, web.session_case(request), SESSION_PATH)


@router.post(SESSION_PATH + "/supplement")
async def supplement_by_session(request: Request, web: Web) -> Response:
    if not web.allow(request, "submit"):
        return web.message_page(request, RATE_LIMITED, 429)
    return await post_supplement(web, request, web.session_case(request), SESSION_PATH)
