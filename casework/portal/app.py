"""The portal's web application: HTML pages (English/Spanish) and a JSON API.

``create_app(store)`` builds it; ``casework portal`` serves it on 127.0.0.1:8080.

Pages
  GET  /                                    submission form
  POST /                                    submit (CSRF, rate limit, intake validation)
  GET  /status                              lookup form (case number + email + code)
  POST /status                              lookup; sets a short signed session cookie
  GET  /status/{token}                      status through the private link
  POST /status/{token}/supplement           answer a request for information
  GET  /status/{token}/documents/{id}       download a document meant for the requester
  GET  /my-case, POST /my-case/supplement, GET /my-case/documents/{id}   same, by session
API (documented at /api/openapi.json, /api/docs)
  POST /api/requests                        multipart: part ``request`` (JSON) + PDF parts
  GET  /api/requests/{token}                status
  POST /api/requests/{token}/supplement     multipart: ``text`` + PDF parts
  GET  /api/requests/{token}/documents/{id} document
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from casework import accesslog
from casework.db import Store
from casework.intake.jsonload import JsonRefused, load_json
from casework.intake.schema import RequestIn
from casework.intake.validate import IntakeRejected, Problem, dotted
from casework.models import Case
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
from casework.portal.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    VICTIM_LANGUAGES,
    localize_message,
    negotiate,
    translator,
)
from casework.portal.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    BodyLimitMiddleware,
    Csrf,
    RateLimiter,
    SecurityHeadersMiddleware,
    Signer,
    install_log_redaction,
)
from casework.portal.service import NotWaiting, Portal, PortalConfig, Upload, megabytes
from casework.portal.status import StatusView, find_document, read_document, status_view
from forms.activities import OTHER_RELATED, T_TYPES, U_ACTIVITIES

HERE = Path(__file__).parent
LANG_COOKIE = "lang"
SESSION_COOKIE = "cw_case"
SESSION_PATH = "/my-case"


class ProblemOut(BaseModel):
    path: str
    message: str


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
SUBMIT_BODY: dict[str, Any] = {
    "required": True,
    "description": (
        "Part `request`: the certification request as JSON (schema CertificationRequest, the "
        "shape of shared/examples/). One file part per name in `request.attachments`, whose "
        "filename is that name (PDF, unencrypted, no scripts or embedded files). Optional part "
        "`language` (en or es) for the acknowledgment email."
    ),
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["request"],
                "properties": {
                    "request": {"$ref": "#/components/schemas/CertificationRequest"},
                    "language": {"type": "string", "enum": list(LANGUAGES)},
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
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Malformed multipart body"},
    413: {"model": ErrorOut, "description": "Body over the upload limit"},
    422: {"model": ErrorOut, "description": "Refused; `problems` lists every field problem"},
    429: {"model": ErrorOut, "description": "Too many requests from this address"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such request (always the same answer)"}
}


def _problems_json(detail: str, problems: list[Problem], status: int = 422) -> JSONResponse:
    body = ErrorOut(
        detail=detail, problems=[ProblemOut(path=p.path, message=p.message) for p in problems]
    )
    return JSONResponse(body.model_dump(), status_code=status)


def _error_json(detail: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorOut(detail=detail).model_dump(), status_code=status, headers=headers)


def create_app(store: Store, config: PortalConfig | None = None) -> FastAPI:
    store.check_keys()  # a missing or wrong key is refused before the portal serves anything
    config = config or PortalConfig.from_env(store)
    portal = Portal(store, config)
    csrf = Csrf(config.secret)
    sessions = Signer(config.secret, "case-session")
    limiter = RateLimiter({"submit": config.submit_per_minute, "lookup": config.lookup_per_minute})
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_log_redaction()

    app = FastAPI(
        title="Certification request portal",
        version="1",
        description=(
            "Submit U and T visa certification requests (Supplement B) to the police department "
            "and follow them. Status tokens are private: keep them out of logs and URLs you share."
        ),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.portal = portal
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)

    # -- helpers ----------------------------------------------------------------------------
    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def lang_for(request: Request) -> str:
        return negotiate(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )

    def base_url(request: Request) -> str:
        return config.public_url or str(request.base_url).rstrip("/")

    def render(
        request: Request, template: str, ctx: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        lang = lang_for(request)
        nonce = request.cookies.get(CSRF_COOKIE)
        fresh = not nonce or len(nonce) > 100
        if fresh:
            nonce = csrf.new_nonce()
        assert nonce is not None
        other = [code for code in LANGUAGES if code != lang]
        here = ctx.pop("switch_path", None) or request.url.path
        context = {
            "t": translator(lang),
            "lang": lang,
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf.token_for(nonce),
            "switch": [(code, LANGUAGE_NAMES[code], f"{here}?lang={code}") for code in other],
            "path": here,
            **ctx,
        }
        resp = HTMLResponse(env.get_template(template).render(context), status_code=status)
        secure = request.url.scheme == "https"
        if fresh:
            resp.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=secure)
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES:
            resp.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax", secure=secure)
        return resp

    def message_page(request: Request, key: str, status: int, **values: object) -> HTMLResponse:
        return render(request, "message.html", {"message_key": key, "values": values}, status)

    def not_found(request: Request) -> HTMLResponse:
        # One answer for unknown tokens, unknown case numbers, wrong emails and wrong codes.
        return render(request, "lookup.html", {"not_found": True, "switch_path": "/status"}, 404)

    async def parse_form(request: Request) -> FormData:
        return await request.form(
            max_files=config.max_files, max_fields=300, max_part_size=256 * 1024
        )

    def csrf_ok(request: Request, form: FormData) -> bool:
        if request.headers.get("sec-fetch-site") == "cross-site":
            return False
        token = form.get(CSRF_FIELD)
        return isinstance(token, str) and csrf.valid(request.cookies.get(CSRF_COOKIE), token)

    async def read_uploads(parts: list[UploadFile]) -> list[Upload]:
        out = []
        for part in parts:
            data = await part.read(config.max_file_bytes + 1)
            name = (part.filename or "")[:255]
            if len(data) > config.max_file_bytes:
                out.append(Upload(name, None, part.size or len(data)))
            else:
                out.append(Upload(name, data, len(data)))
            await part.close()
        return out

    def file_parts(form: FormData, *names: str) -> list[UploadFile]:
        values = (
            [v for n in names for v in form.getlist(n)]
            if names
            else [v for _, v in form.multi_items()]
        )
        return [v for v in values if isinstance(v, UploadFile) and v.filename]

    def load_view(case_id: int) -> StatusView:
        with store.reading() as session:
            case = session.get(Case, case_id)
            assert case is not None
            return status_view(session, case)

    def load_document(case_id: int, doc_id: int, via: str) -> tuple[str, bytes] | None:
        with store.unit_of_work() as session:
            case = session.get(Case, case_id)
            doc = find_document(session, case, doc_id) if case else None
            if case is None or doc is None:
                return None
            data = read_document(store, doc)
            if data is not None:  # the decrypted copy leaves the store: in the access log
                accesslog.record(
                    session,
                    who=f"requester {case.requester.email} ({via})",
                    case_id=case.id,
                    what=f"document {doc.id} ({doc.kind}) downloaded",
                    why="portal document download",
                )
            return (f"{case.case_number}-{doc.kind}.pdf", data) if data is not None else None

    def limits() -> dict[str, object]:
        return {"files": config.max_files, "mb": megabytes(config.max_file_bytes)}

    # -- submission pages -------------------------------------------------------------------
    def form_page(
        request: Request,
        *,
        values: dict[str, list[str]] | None = None,
        summary: list[Any] | None = None,
        errors: dict[str, list[str]] | None = None,
        files_again: bool = False,
        status: int = 200,
    ) -> HTMLResponse:
        return render(
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
                "limits": limits(),
                "activity_groups": (("U", (*U_ACTIVITIES, OTHER_RELATED)), ("T", T_TYPES)),
                "victim_languages": VICTIM_LANGUAGES,
            },
            status,
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def submit_form(request: Request) -> HTMLResponse:
        return form_page(request)

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def submit_post(request: Request) -> HTMLResponse:
        lang = lang_for(request)
        if not limiter.allow("submit", client(request)):
            return message_page(request, "rate_limited", 429)
        try:
            form = await parse_form(request)
        except StarletteHTTPException:
            return message_page(request, "too_large", 413, **limits())
        if not csrf_ok(request, form):
            return message_page(request, "csrf_failed", 403)
        uploads = await read_uploads(file_parts(form, "attachments"))
        conv = form_to_request(form, [u.name for u in uploads])
        try:
            sub = await run_in_threadpool(
                portal.submit, conv.raw, uploads, lang=lang, base_url=base_url(request)
            )
        except IntakeRejected as exc:
            summary, by_field = show_problems(exc.problems, conv, translator(lang), lang)
            return form_page(
                request,
                values=form_values(form),
                summary=summary,
                errors=by_field,
                files_again=bool(uploads),
                status=422,
            )
        if not sub.created:
            return render(request, "duplicate.html", {}, 409)
        return render(
            request,
            "success.html",
            {"sub": sub, "status_url": f"{base_url(request)}/status/{sub.token}"},
            201,
        )

    # -- status pages -----------------------------------------------------------------------
    def status_page(
        request: Request,
        view: StatusView,
        base: str,
        *,
        errors: dict[str, list[str]] | None = None,
        summary: list[Any] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        return render(
            request,
            "status.html",
            {
                "view": view,
                "base": base,
                "sent": request.query_params.get("sent") == "1",
                "errors": errors or {},
                "summary": summary or [],
                "notice": notice,
                "limits": limits(),
            },
            status,
        )

    async def show_status(request: Request, case_id: int | None, base: str) -> Response:
        if case_id is None:
            return not_found(request)
        view = await run_in_threadpool(load_view, case_id)
        return status_page(request, view, base)

    async def post_supplement(request: Request, case_id: int | None, base: str) -> Response:
        if case_id is None:
            return not_found(request)
        lang = lang_for(request)
        t = translator(lang)
        try:
            form = await parse_form(request)
        except StarletteHTTPException:
            return message_page(request, "too_large", 413, **limits())
        if not csrf_ok(request, form):
            return message_page(request, "csrf_failed", 403)
        text = form.get("text")
        uploads = await read_uploads(file_parts(form, "files"))
        try:
            await run_in_threadpool(
                portal.supplement, case_id, text if isinstance(text, str) else "", uploads
            )
        except IntakeRejected as exc:
            errors: dict[str, list[str]] = {}
            summary = []
            for p in exc.problems:
                anchor = "f-supplement-text" if p.path == "text" else "f-supplement-files"
                label = t("supplement.text") if p.path == "text" else t("supplement.files")
                message = localize_message(p.message, lang)
                errors.setdefault(anchor, []).append(message)
                summary.append({"anchor": anchor, "label": label, "message": message})
            view = await run_in_threadpool(load_view, case_id)
            return status_page(request, view, base, errors=errors, summary=summary, status=422)
        except NotWaiting:
            view = await run_in_threadpool(load_view, case_id)
            return status_page(request, view, base, notice="supplement_closed", status=409)
        return RedirectResponse(f"{base}?sent=1", status_code=303)

    async def send_document(
        request: Request, case_id: int | None, doc_id: int, via: str
    ) -> Response:
        found = await run_in_threadpool(load_document, case_id, doc_id, via) if case_id else None
        if found is None:
            return not_found(request)
        filename, data = found
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    async def token_case(request: Request, token: str) -> int | None | Response:
        if not limiter.allow("lookup", client(request)):
            return message_page(request, "rate_limited", 429)
        return await run_in_threadpool(portal.case_id_for_token, token)

    def session_case(request: Request) -> int | None:
        value = sessions.unsign(request.cookies.get(SESSION_COOKIE))
        return int(value) if value and value.isdigit() else None

    @app.get("/status", response_class=HTMLResponse, include_in_schema=False)
    async def lookup_form(request: Request) -> HTMLResponse:
        return render(request, "lookup.html", {"not_found": False})

    @app.post("/status", include_in_schema=False)
    async def lookup_post(request: Request) -> Response:
        if not limiter.allow("lookup", client(request)):
            return message_page(request, "rate_limited", 429)
        try:
            form = await parse_form(request)
        except StarletteHTTPException:
            return not_found(request)
        if not csrf_ok(request, form):
            return message_page(request, "csrf_failed", 403)
        fields = [form.get(k) for k in ("case_number", "email", "code")]
        strings = [f if isinstance(f, str) else "" for f in fields]
        case_id = await run_in_threadpool(portal.case_id_for_code, *strings)
        if case_id is None:
            return not_found(request)
        resp = RedirectResponse(SESSION_PATH, status_code=303)
        resp.set_cookie(
            SESSION_COOKIE,
            sessions.sign(str(case_id), config.session_minutes * 60),
            max_age=config.session_minutes * 60,
            path=SESSION_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return resp

    @app.get("/status/{token}", include_in_schema=False)
    async def status_by_token(request: Request, token: str) -> Response:
        found = await token_case(request, token)
        if isinstance(found, Response):
            return found
        return await show_status(request, found, f"/status/{token}")

    @app.post("/status/{token}/supplement", include_in_schema=False)
    async def supplement_by_token(request: Request, token: str) -> Response:
        if not limiter.allow("submit", client(request)):
            return message_page(request, "rate_limited", 429)
        found = await token_case(request, token)
        if isinstance(found, Response):
            return found
        return await post_supplement(request, found, f"/status/{token}")

    @app.get("/status/{token}/documents/{doc_id}", include_in_schema=False)
    async def document_by_token(request: Request, token: str, doc_id: int) -> Response:
        found = await token_case(request, token)
        if isinstance(found, Response):
            return found
        return await send_document(request, found, doc_id, "status link")

    @app.get(SESSION_PATH, include_in_schema=False)
    async def status_by_session(request: Request) -> Response:
        return await show_status(request, session_case(request), SESSION_PATH)

    @app.post(SESSION_PATH + "/supplement", include_in_schema=False)
    async def supplement_by_session(request: Request) -> Response:
        if not limiter.allow("submit", client(request)):
            return message_page(request, "rate_limited", 429)
        return await post_supplement(request, session_case(request), SESSION_PATH)

    @app.get(SESSION_PATH + "/documents/{doc_id}", include_in_schema=False)
    async def document_by_session(request: Request, doc_id: int) -> Response:
        return await send_document(request, session_case(request), doc_id, "lookup code")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # -- JSON API ---------------------------------------------------------------------------
    async def api_form(request: Request) -> FormData | JSONResponse:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return _error_json("send multipart/form-data", 415)
        try:
            return await parse_form(request)
        except StarletteHTTPException as exc:
            return _error_json(f"malformed multipart body: {exc.detail}", 400)

    def status_out(view: StatusView, lang: str, base: str) -> StatusOut:
        t = translator(lang)
        return StatusOut(
            case_number=view.case_number,
            visa_type=view.visa_type,
            stage=view.stage,
            stage_label=t(f"stage_{view.stage}"),
            received_on=view.received_on,
            response_due=view.response_due,
            expedited=view.expedited,
            information_requested=view.information_requested,
            documents=[
                DocumentOut(
                    id=d.id,
                    kind=d.kind,
                    label=t(f"doc_{d.kind}"),
                    created_on=d.created_on,
                    size_bytes=d.size_bytes,
                    url=f"{base}/documents/{d.id}",
                )
                for d in view.documents
            ],
        )

    @app.post(
        "/api/requests",
        status_code=201,
        response_model=SubmitOut,
        responses={
            **_ERRORS,
            409: {"model": ErrorOut, "description": "Duplicate of a request on file"},
            415: {"model": ErrorOut},
        },
        openapi_extra={"requestBody": SUBMIT_BODY},
        tags=["requests"],
        summary="Submit a certification request",
    )
    async def api_submit(request: Request) -> Any:
        if not limiter.allow("submit", client(request)):
            return _error_json("too many requests; wait a minute", 429, {"Retry-After": "60"})
        form = await api_form(request)
        if isinstance(form, JSONResponse):
            return form
        part = form.get("request")
        if isinstance(part, UploadFile):
            text: str | None = (await part.read(1024 * 1024)).decode("utf-8", "replace")
        else:
            text = part
        if text is None:
            return _problems_json(
                "refused", [Problem("request", "is required: a part with the request as JSON")]
            )
        try:
            raw = load_json(text)
        except JsonRefused as exc:
            return _problems_json("refused", [Problem("(request)", str(exc))])
        language = form.get("language")
        lang = (
            language
            if language in LANGUAGES
            else negotiate(None, None, request.headers.get("accept-language"))
        )
        assert isinstance(lang, str)
        parts = [
            v
            for k, v in form.multi_items()
            if k != "request" and isinstance(v, UploadFile) and v.filename
        ]
        uploads = await read_uploads(parts)
        try:
            sub = await run_in_threadpool(
                portal.submit, raw, uploads, lang=lang, base_url=base_url(request)
            )
        except IntakeRejected as exc:
            return _problems_json("refused; nothing was stored", exc.problems)
        if not sub.created:
            return _error_json(
                "this request duplicates one already on file; nothing new was stored", 409
            )
        assert sub.case_number and sub.response_due and sub.token and sub.code
        return SubmitOut(
            case_number=sub.case_number,
            response_due=sub.response_due,
            status_url=f"{base_url(request)}/status/{sub.token}",
            access_code=sub.code,
            email_sent=sub.email_sent,
            workflow_started=sub.workflow_started,
        )

    async def api_case(request: Request, token: str) -> int | JSONResponse:
        if not limiter.allow("lookup", client(request)):
            return _error_json("too many requests; wait a minute", 429, {"Retry-After": "60"})
        case_id = await run_in_threadpool(portal.case_id_for_token, token)
        return _error_json("not found", 404) if case_id is None else case_id

    @app.get(
        "/api/requests/{token}",
        response_model=StatusOut,
        responses={**_NOT_FOUND, 429: _ERRORS[429]},
        tags=["requests"],
        summary="Status of a request, by its private token",
    )
    async def api_status(request: Request, token: str) -> Any:
        found = await api_case(request, token)
        if isinstance(found, JSONResponse):
            return found
        view = await run_in_threadpool(load_view, found)
        lang = negotiate(None, None, request.headers.get("accept-language"))
        return status_out(view, lang, f"/api/requests/{token}")

    @app.post(
        "/api/requests/{token}/supplement",
        response_model=StatusOut,
        responses={
            **_ERRORS,
            **_NOT_FOUND,
            409: {"model": ErrorOut, "description": "Not waiting for information"},
            415: {"model": ErrorOut},
        },
        openapi_extra={"requestBody": SUPPLEMENT_BODY},
        tags=["requests"],
        summary="Send the information requested (text and PDFs)",
    )
    async def api_supplement(request: Request, token: str) -> Any:
        if not limiter.allow("submit", client(request)):
            return _error_json("too many requests; wait a minute", 429, {"Retry-After": "60"})
        found = await api_case(request, token)
        if isinstance(found, JSONResponse):
            return found
        form = await api_form(request)
        if isinstance(form, JSONResponse):
            return form
        text = form.get("text")
        uploads = await read_uploads(file_parts(form))
        try:
            await run_in_threadpool(
                portal.supplement, found, text if isinstance(text, str) else "", uploads
            )
        except IntakeRejected as exc:
            return _problems_json("refused; nothing was stored", exc.problems)
        except NotWaiting:
            return _error_json("this request is not waiting for information", 409)
        view = await run_in_threadpool(load_view, found)
        lang = negotiate(None, None, request.headers.get("accept-language"))
        return status_out(view, lang, f"/api/requests/{token}")

    @app.get(
        "/api/requests/{token}/documents/{doc_id}",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}}, **_NOT_FOUND, 429: _ERRORS[429]},
        tags=["requests"],
        summary="Download a document meant for the requester",
    )
    async def api_document(request: Request, token: str, doc_id: int) -> Response:
        found = await api_case(request, token)
        if isinstance(found, JSONResponse):
            return found
        doc = await run_in_threadpool(load_document, found, doc_id, "API")
        if doc is None:
            return _error_json("not found", 404)
        return Response(
            doc[1],
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{doc[0]}"'},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [Problem(dotted(tuple(e["loc"])), str(e["msg"])) for e in exc.errors()]
        return _problems_json("refused", problems)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        shape = RequestIn.model_json_schema(ref_template="#/components/schemas/{model}")
        defs = shape.pop("$defs", {})
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(defs)
        shape["title"] = "CertificationRequest"
        components["CertificationRequest"] = shape
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
