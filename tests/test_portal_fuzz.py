"""Fuzz the portal's JSON API.

1. schemathesis generates requests from the OpenAPI schema: no 5xx, responses match the
   schema, nothing is stored from a refusal, a made-up status token is never honoured, and
   a submission the API accepts passes the intake validator run on its own.
2. Near-valid submissions (the shared example with fields changed by hypothesis) reach the
   acceptance path: the API accepts exactly what the validator accepts, an accepted case is
   stored as validated (decrypted read-back, attachment digests, a working status token),
   and a refused one leaves nothing behind.

Both check every accepted submission against rules written out here by hand from
DOMAIN.md (``plainly_invalid``), not taken from casework.intake: the validator the portal
calls is also the one the tests compare with, so a rule dropped from it would otherwise go
unseen.

Bounded by PORTAL_FUZZ_EXAMPLES (default 50 per operation).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import re
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from casework.db import Store
from casework.intake.validate import IntakeRejected, validate_request
from casework.portal.app import create_app
from casework.views import detail, get_case
from tests.conftest import TODAY, example_request
from tests.test_portal_support import (
    api_submit,
    client_for,
    counts,
    example_pdfs,
    make_config,
    token_from,
)

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "50"))
FUZZ_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)

OPERATIONS = [
    ("POST", "/api/requests"),
    ("GET", "/api/requests/{token}"),
    ("POST", "/api/requests/{token}/supplement"),
    ("GET", "/api/requests/{token}/documents/{doc_id}"),
]


# -- what any accepted submission must satisfy, by hand (DOMAIN.md), not from casework ----------

#: local part, one @, a domain with a dot; no spaces (after the surrounding ones are trimmed)
PLAIN_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: DOMAIN.md, "T visa trafficking types"; none of them is a U activity, nor is arson.
T_TYPES = {"sex_trafficking_force_fraud_coercion", "sex_trafficking_of_minor", "labor_trafficking"}
NOT_U = T_TYPES | {"sex_trafficking", "arson"}


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not PLAIN_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def plainly_invalid(raw: Any, files: dict[str, bytes]) -> list[str]:
    """What is wrong with an accepted submission, by rules written out here; [] if nothing."""
    if not isinstance(raw, dict):
        return ["the request is not a JSON object"]
    wrong: list[str] = []
    visa = raw.get("visa_type")
    if visa not in ("U", "T"):
        wrong.append(f"visa_type {visa!r}")
    requester = raw.get("requester") or {}
    email = requester.get("email") if isinstance(requester, dict) else None
    if not isinstance(email, str) or not PLAIN_EMAIL.fullmatch(email.strip()):
        wrong.append(f"requester.email {email!r}")
    victim = raw.get("victim") or {}
    victim = victim if isinstance(victim, dict) else {}
    for field in ("family_name", "given_name"):
        name = victim.get(field)
        if not isinstance(name, str) or not name.strip():
            wrong.append(f"victim.{field} {name!r}")
    born = _date(victim.get("date_of_birth"))
    if born is None or born > TODAY:
        wrong.append(f"victim.date_of_birth {victim.get('date_of_birth')!r}")
    incident = raw.get("incident") or {}
    incident = incident if isinstance(incident, dict) else {}
    dates = incident.get("dates")
    if not isinstance(dates, list) or not dates:
        wrong.append(f"incident.dates {dates!r}")
    else:
        for value in dates:
            when = _date(value)
            if when is None or when > TODAY or (born is not None and when < born):
                wrong.append(f"incident.dates: {value!r}")
    activities = incident.get("qualifying_activities")
    if not isinstance(activities, list) or not activities:
        wrong.append(f"incident.qualifying_activities {activities!r}")
    else:
        if len(set(map(str, activities))) != len(activities):
            wrong.append(f"incident.qualifying_activities twice: {activities!r}")
        for key in activities:
            if (visa == "T" and key not in T_TYPES) or (visa == "U" and key in NOT_U):
                wrong.append(f"incident.qualifying_activities: {key!r} for {visa}")
    listed = raw.get("attachments") or []
    for name in listed if isinstance(listed, list) else [listed]:
        if not isinstance(name, str) or not files.get(name, b"").startswith(b"%PDF-"):
            wrong.append(f"attachments: {name!r} is not an uploaded PDF")
    return wrong


def test_the_hand_written_rules_see_what_they_should() -> None:
    """The rules themselves: the shared example passes; each kind of junk is named."""
    files = example_pdfs()
    assert plainly_invalid(example_request(), files) == []
    for dotted, junk, named in [
        ("requester.email", "not an address", "requester.email"),
        ("requester.email", "a@localhost", "requester.email"),
        ("victim.given_name", "  ", "victim.given_name"),
        ("victim.date_of_birth", "2030-01-01", "victim.date_of_birth"),
        ("incident.dates", ["2027-01-01"], "incident.dates"),
        ("incident.qualifying_activities", ["arson"], "qualifying_activities"),
        ("incident.qualifying_activities", [], "qualifying_activities"),
        ("visa_type", "u", "visa_type"),
        ("attachments", ["missing.pdf"], "attachments"),
    ]:
        raw = example_request()
        _set(raw, dotted, junk)
        found = plainly_invalid(raw, files)
        assert any(named in w for w in found), (dotted, junk, found)


def _uploads(body: Any) -> tuple[Any, dict[str, bytes]]:
    """(the request part, parsed if it is JSON text; the uploads under the listed names)."""
    if not isinstance(body, dict):
        return body, {}
    part = body.get("request")
    if isinstance(part, str | bytes):
        with contextlib.suppress(ValueError):
            part = json.loads(part)
    files = body.get("files") or []
    files = files if isinstance(files, list) else [files]
    listed = part.get("attachments") if isinstance(part, dict) else None
    names = [n for n in listed if isinstance(n, str)] if isinstance(listed, list) else []
    return part, {n: f for n, f in zip(names, files, strict=False) if isinstance(f, bytes)}


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_fuzz(sqlite_store: Store, method: str, path: str) -> None:
    app = create_app(sqlite_store, make_config(send_email=False))
    operation = schemathesis.openapi.from_asgi("/api/openapi.json", app)[path][method]

    @FUZZ_SETTINGS
    @hypothesis.given(case=operation.as_strategy())
    def run(case: Any) -> None:
        before = counts(sqlite_store)
        response = case.call()
        assert response.status_code < 500, response.text[:500]
        # Semantic rules (dates, activities per visa type, PDF contents) refuse data the
        # schema allows, so "valid by the schema" need not be accepted.
        case.validate_response(response, excluded_checks=[positive_data_acceptance])
        after = counts(sqlite_store)
        if not 200 <= response.status_code < 300:
            assert after == before, f"{response.status_code}: stored something from a refusal"
            return
        # No status token was ever issued in this test: honouring one would be a leak.
        assert path == "/api/requests", f"{method} {path} honoured a made-up token"
        raw, files = _uploads(case.body)
        validate_request(raw, today=TODAY, files=files)  # raises if the API accepted junk
        assert not plainly_invalid(raw, files), plainly_invalid(raw, files)
        number = response.json()["case_number"]
        assert after[0] == before[0] + 1
        with sqlite_store.reading() as s:
            assert detail(get_case(s, number))["visa_type"] == raw["visa_type"]

    run()


# -- near-valid submissions --------------------------------------------------------------------

_dates = st.dates(dt.date(1890, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
_names = st.text(st.characters(codec="utf-8"), max_size=30)
CHANGES: dict[str, st.SearchStrategy[Any]] = {
    "visa_type": st.sampled_from(["U", "T", "u", "X"]),
    "victim.family_name": _names,
    "victim.given_name": _names,
    "victim.date_of_birth": _dates | st.text(max_size=12),
    "incident.dates": st.lists(_dates, max_size=3),
    "incident.qualifying_activities": st.lists(
        st.sampled_from(
            ["domestic_violence", "stalking", "labor_trafficking", "sex_trafficking", "arson"]
        ),
        max_size=3,
        unique=True,
    ),
    "requester.email": st.emails() | st.text(max_size=20),
    "urgency.in_detention": st.booleans() | st.just("yes"),
    "attachments": st.lists(
        st.sampled_from(["police-report-24-01187.pdf", "victim-statement.pdf", "missing.pdf"]),
        max_size=3,
        unique=True,
    ),
}
_numbers = itertools.count(1)


def _set(raw: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = raw
    for part in parents:
        node = node[part]
    node[last] = value


#: Junk every run tries, whatever hypothesis draws (each is refused by a rule above).
ALWAYS_TRIED: list[dict[str, Any]] = [
    {"requester.email": "not an address"},
    {"requester.email": "advocate@localhost"},
    {"victim.given_name": ""},
    {"victim.date_of_birth": "2030-02-30"},
    {"incident.dates": ["2027-01-01"]},
    {"incident.qualifying_activities": ["arson"]},
    {"visa_type": "T"},  # with the example's U activities
    {"attachments": ["missing.pdf"]},
]


def _always_tried(test: Any) -> Any:
    for changes in reversed(ALWAYS_TRIED):
        test = hypothesis.example(changes=changes)(test)
    return test


@FUZZ_SETTINGS
@_always_tried
@hypothesis.given(
    changes=st.dictionaries(
        st.sampled_from(sorted(CHANGES)), st.none(), min_size=1, max_size=3
    ).flatmap(lambda keys: st.fixed_dictionaries({k: CHANGES[k] for k in keys}))
)
def test_api_accepts_exactly_what_intake_accepts_and_stores_it(
    sqlite_store: Store, changes: dict[str, Any]
) -> None:
    raw = example_request()
    raw["incident"]["police_report_numbers"] = [f"FZ-{next(_numbers):05d}-OF"]
    for dotted, value in changes.items():
        _set(raw, dotted, value)
    listed = raw["attachments"]
    files = {n: d for n, d in example_pdfs().items() if n in listed}  # the portal refuses extras
    try:
        valid = validate_request(json.loads(json.dumps(raw)), today=TODAY, files=files)
    except IntakeRejected:
        valid = None
    before = counts(sqlite_store)
    with client_for(sqlite_store, send_email=False) as client:
        response = api_submit(client, raw, files)
        if valid is None:
            assert response.status_code == 422, response.text[:500]
            assert response.json()["problems"], response.text[:500]
            assert counts(sqlite_store) == before
            return
        assert response.status_code == 201, response.text[:500]
        accepted_wrongly = plainly_invalid(raw, files)
        assert not accepted_wrongly, f"accepted: {accepted_wrongly}"
        body = response.json()
        lookup = client.get(f"/api/requests/{token_from(body['status_url'])}")
        assert lookup.status_code == 200 and lookup.json()["case_number"] == body["case_number"]
    request = valid.request
    with sqlite_store.reading() as s:
        stored = detail(get_case(s, body["case_number"]))
    assert stored["visa_type"] == request.visa_type
    assert stored["victim"]["family_name"] == request.victim.family_name
    assert stored["victim"]["given_name"] == request.victim.given_name
    assert stored["victim"]["date_of_birth"] == request.victim.date_of_birth.isoformat()
    (incident,) = stored["incidents"]
    assert incident["qualifying_activities"] == request.incident.qualifying_activities
    assert incident["dates"] == [d.isoformat() for d in request.incident.dates]
    assert stored["requester"]["email"] == request.requester.email
    assert sorted(a["sha256"] for a in stored["attachments"]) == sorted(
        hashlib.sha256(files[name]).hexdigest() for name in request.attachments
    )
