"""The portal's web application: ``create_app(store)`` wires the routers over one
:class:`~casework.portal.web.PortalWeb`; ``casework portal`` serves it on 127.0.0.1:8080.

Pages (:mod:`.routers.submit`, :mod:`.routers.status`)
  GET  /, POST /                         submission form (CSRF, rate limit, intake validation)
  GET  /status, POST /status             lookup by case number + email + code -> signed session
  GET  /status/{token}                   status through the private link
  POST /status/{token}/supplement        answer a request for information
  GET  /my-case, POST /my-case/supplement   the same, by session
Documents (:mod:`.routers.documents`)
  GET  /status/{token}/documents/{id}, /my-case/documents/{id}, /api/requests/{token}/documents/{id}
API (:mod:`.routers.api`; documented at /api/openapi.json, /api/docs)
  POST /api/requests                     multipart: part ``request`` (JSON) + PDF parts
  GET  /api/requests/{token}             status
  POST /api/requests/{token}/supplement  multipart: ``text`` + PDF parts
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from casework.db import Store
from casework.intake.schema import RequestIn
from casework.intake.validate import problem_from_pydantic
from casework.portal.api_models import problem_out, problems_json
from casework.portal.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from casework.portal.routers import api, documents, status, submit
from casework.portal.security import install_log_redaction
from casework.portal.service import PortalConfig
from casework.portal.web import PortalWeb

HERE = Path(__file__).parent


def create_app(store: Store, config: PortalConfig | None = None) -> FastAPI:
    store.check_keys()  # a missing or wrong key is refused before the portal serves anything
    config = config or PortalConfig.from_env(store)
    web = PortalWeb(store, config)
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
    app.state.web = web
    app.state.portal = web.portal
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    for module in (submit, status, documents, api):
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [problem_from_pydantic(e) for e in exc.errors()]
        return problems_json("refused", [problem_out(p) for p in problems])

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the request shape (the multipart part is described by hand)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    shape = RequestIn.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(shape.pop("$defs", {}))
    shape["title"] = "CertificationRequest"
    components["CertificationRequest"] = shape
    app.openapi_schema = schema
    return schema
