"""Fuzz the portal's OpenAPI schema with schemathesis: no 5xx, and nothing stored from a
request the API refused. Bounded (PORTAL_FUZZ_EXAMPLES, default 50 per operation)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from casework.db import Store
from casework.portal.app import create_app
from tests.test_portal_support import counts, make_config

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
hypothesis = pytest.importorskip("hypothesis")

from schemathesis.specs.openapi.checks import (  # noqa: E402
    positive_data_acceptance,
)

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "50"))


OPERATIONS = [
    ("POST", "/api/requests"),
    ("GET", "/api/requests/{token}"),
    ("POST", "/api/requests/{token}/supplement"),
    ("GET", "/api/requests/{token}/documents/{doc_id}"),
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_fuzz(sqlite_store: Store, method: str, path: str) -> None:
    app = create_app(sqlite_store, make_config(send_email=False))
    operation = schemathesis.openapi.from_asgi("/api/openapi.json", app)[path][method]
    accepted: list[int] = []

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def run(case: Any) -> None:
        before = counts(sqlite_store)
        response = case.call()
        assert response.status_code < 500, response.text[:500]
        # Semantic rules (dates, activities per visa type, PDF contents) refuse data the
        # schema allows, so "valid by the schema" need not be accepted.
        case.validate_response(response, excluded_checks=[positive_data_acceptance])
        after = counts(sqlite_store)
        if method == "POST" and response.status_code in (200, 201):
            accepted.append(response.status_code)
            return
        assert after == before, f"{response.status_code}: stored something from a refusal"

    run()
