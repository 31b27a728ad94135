"""Fixtures and helpers shared by the portal tests (imported by tests/test_portal_*.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from casework.db import Store
from casework.models import Attachment, Case
from casework.portal.app import create_app
from casework.portal.forms import FAMILY_PARTS, FIELDS, NAME_PARTS
from casework.portal.service import PortalConfig
from tests.conftest import EXAMPLES, TODAY
from tests.portal_testing import MailSink, smtp_sink

PDF_NAMES = ("police-report-24-01187.pdf", "victim-statement.pdf")


def example_pdfs() -> dict[str, bytes]:
    return {name: (EXAMPLES / name).read_bytes() for name in PDF_NAMES}


def make_config(**changes: Any) -> PortalConfig:
    values: dict[str, Any] = {
        "secret": b"portal-test-secret",
        "start_workflow": False,
        "today": lambda: TODAY,
        "submit_per_minute": 1000,
        "lookup_per_minute": 1000,
    }
    values.update(changes)
    return PortalConfig(**values)


@pytest.fixture(name="mail")
def mail_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailSink]:
    with smtp_sink() as (sink, port):
        monkeypatch.setenv("CASEWORK_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CASEWORK_SMTP_PORT", str(port))
        yield sink


def client_for(store: Store, **changes: Any) -> TestClient:
    return TestClient(create_app(store, make_config(**changes)), base_url="http://127.0.0.1:8080")


@pytest.fixture(name="client")
def client_fixture(sqlite_store: Store, mail: MailSink) -> Iterator[TestClient]:
    with client_for(sqlite_store) as c:
        yield c


def api_submit(
    client: TestClient,
    raw: Any,
    files: dict[str, bytes] | None = None,
    *,
    language: str | None = None,
    request_text: str | None = None,
) -> Any:
    parts: list[tuple[str, tuple[str | None, Any, str]]] = [
        (
            "request",
            (
                None,
                request_text if request_text is not None else json.dumps(raw),
                "application/json",
            ),
        )
    ]
    if language:
        parts.append(("language", (None, language, "text/plain")))
    for name, data in (files or {}).items():
        parts.append(("files", (name, data, "application/pdf")))
    return client.post("/api/requests", files=parts)


def csrf_token(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def form_fields(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """The submission form's fields as a browser would post them for ``raw``."""
    out: list[tuple[str, str]] = []

    def get(dotted: str) -> Any:
        node: Any = raw
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    for name, f in FIELDS.items():
        value = get(name)
        if value is None:
            continue
        if f.kind == "checkbox":
            if value:
                out.append((name, "yes"))
        elif f.kind == "names":
            for i, n in enumerate(value):
                for part in NAME_PARTS:
                    out.append(
                        (
                            f"{name}[{i}].{part}",
                            (n.get(part) or "") if isinstance(n, dict) else str(n),
                        )
                    )
        elif isinstance(value, list):
            out.extend((name, str(v)) for v in value)
        else:
            out.append((name, str(value)))
    for i, member in enumerate(raw.get("family_members_implicated", [])):
        for part in FAMILY_PARTS:
            out.append((f"family_members_implicated[{i}].{part}", member.get(part) or ""))
    return out


def form_submit(
    client: TestClient, raw: dict[str, Any], files: dict[str, bytes] | None = None, **kw: Any
) -> Any:
    token = csrf_token(client)
    data = [*form_fields(raw), ("csrf_token", token)]
    uploads = [("attachments", (n, d, "application/pdf")) for n, d in (files or {}).items()]
    # httpx sends multipart only with files; an empty file part is what a browser sends too.
    if not uploads:
        uploads = [("attachments", ("", b"", "application/octet-stream"))]
    return client.post("/", data=_as_dict(data), files=uploads, **kw)


def _as_dict(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            out[k] = [*out[k], v] if isinstance(out[k], list) else [out[k], v]
        else:
            out[k] = v
    return out


def counts(store: Store) -> tuple[int, int, int]:
    """(cases, attachment rows, blob files on disk)."""
    with store.reading() as s:
        cases = s.scalar(select(func.count()).select_from(Case)) or 0
        atts = s.scalar(select(func.count()).select_from(Attachment)) or 0
    root = store.settings.attachments_dir
    blobs = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    return cases, atts, blobs


def token_from(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]
