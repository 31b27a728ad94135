"""What the portal's routers share: the configuration, the operations, the templates, CSRF,
the session cookie, the rate limits, and the helpers that turn a request into a page.

One :class:`PortalWeb` is made per application by :func:`casework.portal.app.create_app` and
reached from a route through the ``Web`` dependency.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData, UploadFile

from casework import accesslog
from casework.db import Store
from casework.i18n import (
    N_,
    format_date,
    format_number,
    gettext_for,
    html_lang,
    language_name,
    negotiate,
    supported,
    translations,
)
from casework.models import Case
from casework.portal.labels import DOCUMENTS, STAGES
from casework.portal.ratelimit import ClientAddress, RateLimits
from casework.portal.security import CSRF_COOKIE, CSRF_FIELD, Csrf, SessionCookie
from casework.portal.service import Portal, PortalConfig, Upload, megabytes
from casework.portal.status import StatusView, find_document, read_document, status_view

HERE = Path(__file__).parent
LANG_COOKIE = "lang"
SESSION_COOKIE = "cw_case"
SESSION_PATH = "/my-case"


RATE_LIMITED = N_("Too many attempts from your address. Wait a minute and try again.")
CSRF_FAILED = N_("This form expired or was not sent from this site. Reload the page and try again.")
TOO_LARGE = N_("The upload is too large: at most %(files)s files of %(mb)s MB each.")
SUPPLEMENT_CLOSED = N_("This request is not waiting for information any more.")
ATTACHMENTS_HINT = N_(
    "Up to %(files)s PDF files, %(mb)s MB each: for example the police report, the victim's "
    "statement, protective orders. Files must not be password-protected."
)


def template_environment(lang: str = "en") -> Environment:
    """HTML templates in ``lang``: every one autoescaped (``.html`` is the only kind the
    portal has), ``_()`` from the language's catalog, ``date`` and ``number`` filters."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = lambda d: format_date(d, lang)
    env.filters["number"] = lambda n: format_number(n, lang)
    return env


class PortalWeb:
    def __init__(self, store: Store, config: PortalConfig):
        self.store = store
        self.config = config
        self.portal = Portal(store, config)
        self.csrf = Csrf(config.secret)
        self.sessions = SessionCookie(config.secret, config.session_minutes * 60)
        self.limits = RateLimits(
            {"submit": config.submit_per_minute, "lookup": config.lookup_per_minute},
            config.rate_limit_storage,
        )
        self.client_address = ClientAddress(config.trusted_proxies)
        self.envs = {lang: template_environment(lang) for lang in supported()}

    # -- requests ---------------------------------------------------------------------------
    def allow(self, request: Request, bucket: str) -> bool:
        return self.limits.allow(bucket, self.client_address(request))

    def lang_for(self, request: Request) -> str:
        return negotiate(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )

    def api_lang(self, request: Request) -> str:
        return negotiate(None, None, request.headers.get("accept-language"))

    def base_url(self, request: Request) -> str:
        return self.config.public_url or str(request.base_url).rstrip("/")

    async def parse_form(self, request: Request) -> FormData:
        return await request.form(
            max_files=self.config.max_files, max_fields=300, max_part_size=256 * 1024
        )

    def csrf_ok(self, request: Request, form: FormData) -> bool:
        if request.headers.get("sec-fetch-site") == "cross-site":
            return False
        token = form.get(CSRF_FIELD)
        return isinstance(token, str) and self.csrf.valid(request.cookies.get(CSRF_COOKIE), token)

    async def read_uploads(self, parts: list[UploadFile]) -> list[Upload]:
        out = []
        limit = self.config.max_file_bytes
        for part in parts:
            data = await part.read(limit + 1)
            name = (part.filename or "")[:255]
            if len(data) > limit:
                out.append(Upload(name, None, part.size or len(data)))
            else:
                out.append(Upload(name, data, len(data)))
            await part.close()
        return out

    def session_case(self, request: Request) -> int | None:
        return self.sessions.case_id(request.cookies.get(SESSION_COOKIE))

    def limits_shown(self, lang: str = "en") -> dict[str, object]:
        mb = float(megabytes(self.config.max_file_bytes))
        return {"files": self.config.max_files, "mb": format_number(mb, lang)}

    # -- the case store (run in a thread by the routes) -------------------------------------
    def load_view(self, case_id: int) -> StatusView:
        with self.store.reading() as session:
            case = session.get(Case, case_id)
            assert case is not None
            return status_view(session, case)

    def load_document(self, case_id: int, doc_id: int, via: str) -> tuple[str, bytes] | None:
        """The document decrypted, with an access-log entry (``via``: how the requester came:
        status link, lookup code or API)."""
        with self.store.unit_of_work() as session:
            case = session.get(Case, case_id)
            doc = find_document(session, case, doc_id) if case else None
            if case is None or doc is None:
                return None
            data = read_document(self.store, doc)
            if data is not None:  # the decrypted copy leaves the store: in the access log
                accesslog.record(
                    session,
                    who=f"requester {case.requester.email} ({via})",
                    case_id=case.id,
                    what=f"document {doc.id} ({doc.kind}) downloaded",
                    why="portal document download",
                )
            return (f"{case.case_number}-{doc.kind}.pdf", data) if data is not None else None

    # -- pages ------------------------------------------------------------------------------
    def render(
        self, request: Request, template: str, ctx: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        lang = self.lang_for(request)
        _ = gettext_for(lang)
        nonce = request.cookies.get(CSRF_COOKIE)
        fresh = not nonce or len(nonce) > 100
        if fresh:
            nonce = self.csrf.new_nonce()
        assert nonce is not None
        here = ctx.pop("switch_path", None) or request.url.path
        stage = ctx["view"].stage if "view" in ctx else "review"
        context = {
            "lang": lang,
            "html_lang": html_lang(lang),
            "csrf_field": CSRF_FIELD,
            "csrf_token": self.csrf.token_for(nonce),
            "switch": [
                (code, html_lang(code), language_name(code), f"{here}?lang={html_lang(code)}")
                for code in supported()
            ],
            "path": here,
            "stage": STAGES.get(stage, STAGES["review"]),
            "document_labels": DOCUMENTS,
            "attachments_hint": _(ATTACHMENTS_HINT, **self.limits_shown(lang)),
            **ctx,
        }
        body = self.envs[lang].get_template(template).render(context)
        resp = HTMLResponse(body, status_code=status)
        secure = request.url.scheme == "https"
        if fresh:
            resp.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=secure)
        if request.query_params.get("lang"):
            resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure)
        return resp

    def message_page(
        self, request: Request, message: str, status: int, **values: object
    ) -> HTMLResponse:
        """A page with one message (``message`` is an English message id)."""
        text = gettext_for(self.lang_for(request))(message, **values)
        return self.render(request, "message.html", {"message": text}, status)

    def not_found(self, request: Request) -> HTMLResponse:
        """One answer for unknown tokens, unknown case numbers, wrong emails and wrong codes."""
        return self.render(
            request, "lookup.html", {"not_found": True, "switch_path": "/status"}, 404
        )


def get_web(request: Request) -> PortalWeb:
    web: PortalWeb = request.app.state.web
    return web


Web = Annotated[PortalWeb, Depends(get_web)]


def file_parts(form: FormData, *names: str) -> list[UploadFile]:
    """The uploaded files among ``names`` (all parts when none are named)."""
    values = (
        [v for n in names for v in form.getlist(n)] if names else [v for _, v in form.multi_items()]
    )
    return [v for v in values if isinstance(v, UploadFile) and v.filename]
