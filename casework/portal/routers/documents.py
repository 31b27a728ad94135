"""Downloads of the documents meant for the requester, through the private link, the
session or the API. Anything else (other cases, staff documents, documents not released
yet) is the same "not found"."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from casework.portal.api_models import NOT_FOUND, TOO_MANY, error_json
from casework.portal.routers.status import token_case
from casework.portal.web import SESSION_PATH, PortalWeb, Web

router = APIRouter()


def pdf_response(filename: str, data: bytes) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def send_document(
    web: PortalWeb, request: Request, case_id: int | None, doc_id: int, via: str
) -> Response:
    found = await run_in_threadpool(web.load_document, case_id, doc_id, via) if case_id else None
    if found is None:
        return web.not_found(request)
    return pdf_response(*found)


@router.get("/status/{token}/documents/{doc_id}", include_in_schema=False)
async def document_by_token(request: Request, token: str, doc_id: int, web: Web) -> Response:
    found = await token_case(web, request, token)
    if isinstance(found, Response):
        return found
    return await send_document(web, request, found, doc_id, "status link")


@router.get(SESSION_PATH + "/documents/{doc_id}", include_in_schema=False)
async def document_by_session(request: Request, doc_id: int, web: Web) -> Response:
    return await send_document(web, request, web.session_case(request), doc_id, "lookup code")


@router.get(
    "/api/requests/{token}/documents/{doc_id}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **NOT_FOUND, **TOO_MANY},
    tags=["requests"],
    summary="Download a document meant for the requester",
)
async def api_document(request: Request, token: str, doc_id: int, web: Web) -> Response:
    if not web.allow(request, "lookup"):
        return error_json("too many requests; wait a minute", 429, {"Retry-After": "60"})
    case_id = await run_in_threadpool(web.portal.case_id_for_token, token)
    doc = await run_in_threadpool(web.load_document, case_id, doc_id, "API") if case_id else None
    if doc is None:
        return error_json("not found", 404)
    return pdf_response(*doc)
