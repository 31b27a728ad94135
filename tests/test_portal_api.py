"""The portal's JSON API and pages over HTTP: intake rules, status privacy, supplements,
documents, uploads, CSRF, rate limits, email and logs. Real app, real store, real SMTP."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from casework.blobs import BlobStore
from casework.db import Store
from casework.intake.validate import IntakeRejected, validate_request
from casework.models import Attachment, Case, Supplement
from casework.portal.security import redact_path
from casework.states import State
from casework.steps import (
    assign,
    record_da_consultation,
    record_document,
    request_information,
    start_da_consultation,
)
from casework.transitions import Actor
from casework.workflow_port import Recovery, WorkflowRuns
from tests.conftest import TODAY, example_request, t_request
from tests.helpers import certifier_actor, certifiers
from tests.pdfs import embedded_file_pdf, encrypted_pdf, javascript_pdf, open_action_launch_pdf
from tests.portal_testing import MailSink, padded_pdf
from tests.test_portal_support import (  # noqa: F401 - fixtures
    api_submit,
    client_fixture,
    client_for,
    counts,
    csrf_token,
    example_pdfs,
    form_submit,
    mail_fixture,
    token_from,
)

VICTIM = ("Lucia", "Morales", "1991-03-08")


def _case(store: Store, number: str) -> Case:
    with store.reading() as s:
        case = s.scalars(select(Case).where(Case.case_number == number)).one()
        return case


# -- submission through the API --------------------------------------------------------------


def test_api_submit_stores_case_mints_access_and_emails_private_link(
    store: Store, mail: MailSink
) -> None:
    with client_for(store) as client:
        resp = api_submit(client, example_request(), example_pdfs())
        assert resp.status_code == 201, resp.text
        body = resp.json()
        number = body["case_number"]
        assert number.startswith("NPD-U-")
        assert body["response_due"] == "2027-02-24"
        assert body["email_sent"] is True
        assert re.fullmatch(r"[A-Z2-9]{10}", body["access_code"])
        case = _case(store, number)
        assert case.state_ == State.SUBMITTED.value
        with store.reading() as s:
            names = s.scalars(
                select(Attachment.filename).where(Attachment.case_id == case.id)
            ).all()
        assert sorted(names) == ["police-report-24-01187.pdf", "victim-statement.pdf"]

        (msg,) = mail.wait_for(1)
        assert msg["To"] == "rdelgado@pvvac.example.org"
        assert number in msg["Subject"]
        text = msg.get_content()
        assert body["status_url"] in text and body["access_code"] in text
        for part in VICTIM[:2]:
            assert part not in msg["Subject"] and part not in text

        status = client.get(f"/api/requests/{token_from(body['status_url'])}")
        assert status.status_code == 200
        assert status.json()["case_number"] == number
        assert status.json()["stage_label"] == "Received"


def test_api_submit_t_request_without_attachments_in_spanish(
    client: TestClient, mail: MailSink
) -> None:
    raw = t_request()
    raw["attachments"] = []
    raw["victim"]["preferred_language"] = "vi"
    resp = api_submit(client, raw, language="es")
    assert resp.status_code == 201, resp.text
    assert resp.json()["case_number"].startswith("NPD-T-")
    (msg,) = mail.wait_for(1)
    # English governs; the victim's language (not the requester's) gets the full copy
    assert msg["Subject"].startswith("Certification request NPD-T-")
    assert msg["Content-Language"] == "en, vi"
    body = msg.get_content()
    assert (
        body.index("Access code:") < body.index("---- Tiếng Việt ----") < body.index("Mã truy cập:")
    )
    # without a victim language, the language the requester asked for gets the copy
    raw = t_request()
    raw["attachments"], raw["victim"]["family_name"] = [], "Tran"
    del raw["victim"]["preferred_language"]
    assert api_submit(client, raw, language="es").status_code == 201
    msg = mail.wait_for(2)[1]
    assert msg["Content-Language"] == "en, es" and "Código de acceso" in msg.get_content()


def test_duplicate_submission_is_refused_without_revealing_the_case(client: TestClient) -> None:
    first = api_submit(client, example_request(), example_pdfs())
    assert first.status_code == 201
    again = api_submit(client, example_request(), example_pdfs())
    assert again.status_code == 409
    assert first.json()["case_number"] not in again.text


def _with(path: str, value: Any) -> Any:
    def change(raw: dict[str, Any]) -> None:
        node = raw
        *parents, last = path.split(".")
        for p in parents:
            node = node[p]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return change


_DELETE = object()

# (mutation, problem path, words in the message): every intake rule, through HTTP.
RULES: list[tuple[str, Any, str, str]] = [
    ("visa type", _with("visa_type", "X"), "visa_type", "one of: U, T"),
    ("requester name", _with("requester.name", _DELETE), "requester.name", "is required"),
    ("requester blank name", _with("requester.name", ""), "requester.name", "not be empty"),
    (
        "requester email",
        _with("requester.email", "nobody@"),
        "requester.email",
        "not a valid email",
    ),
    ("requester role", _with("requester.role", "friend"), "requester.role", "victim_advocate"),
    ("requester phone", _with("requester.phone", "call me"), "requester.phone", "phone number"),
    ("victim family name", _with("victim.family_name", _DELETE), "victim.family_name", "required"),
    ("dob future", _with("victim.date_of_birth", "2030-01-01"), "victim.date_of_birth", "future"),
    ("dob ancient", _with("victim.date_of_birth", "1890-01-01"), "victim.date_of_birth", "120"),
    (
        "dob format",
        _with("victim.date_of_birth", "03/08/1991"),
        "victim.date_of_birth",
        "YYYY-MM-DD",
    ),
    ("dob unreal", _with("victim.date_of_birth", "1991-02-30"), "victim.date_of_birth", "real"),
    ("a-number", _with("victim.a_number", "A12"), "victim.a_number", "7 to 9 digits"),
    ("gender", _with("victim.gender", "x"), "victim.gender", "female"),
    (
        "language",
        _with("victim.preferred_language", "Spanish"),
        "victim.preferred_language",
        "language code",
    ),
    (
        "too many names",
        _with("victim.other_names", [{"family_name": "N"}] * 21),
        "victim.other_names",
        "at most 20",
    ),
    (
        "name as one string",
        _with("victim.other_names", ["Lucia Morales-Vega"]),
        "victim.other_names[0]",
        '{"family_name": "...", "given_name": "...", "middle_name": "..."}',
    ),
    (
        "immigration status",
        _with("victim.immigration_status", "undocumented"),
        "victim.immigration_status",
        "does not ask about immigration status",
    ),
    ("unknown field", _with("notes", "x"), "notes", "not a field"),
    (
        "no reports",
        _with("incident.police_report_numbers", []),
        "incident.police_report_numbers",
        "at least one",
    ),
    (
        "date future",
        _with("incident.dates", ["2024-06-14", "2030-01-01"]),
        "incident.dates[1]",
        "future",
    ),
    (
        "date before dob",
        _with("incident.dates", ["1980-01-01"]),
        "incident.dates[0]",
        "date of birth",
    ),
    (
        "too many dates",
        _with("incident.dates", ["2024-06-14"] * 51),
        "incident.dates",
        "at most 50",
    ),
    (
        "no activity",
        _with("incident.qualifying_activities", []),
        "incident.qualifying_activities",
        "at least one",
    ),
    (
        "T key on U",
        _with("incident.qualifying_activities", ["labor_trafficking"]),
        "incident.qualifying_activities[0]",
        "not a U qualifying crime",
    ),
    (
        "activity twice",
        _with("incident.qualifying_activities", ["stalking", "stalking"]),
        "incident.qualifying_activities",
        "twice",
    ),
    (
        "other related",
        _with("incident.qualifying_activities", ["other_related"]),
        "incident.other_activity_description",
        "required when other_related",
    ),
    ("description", _with("incident.description", _DELETE), "incident.description", "required"),
    (
        "helpfulness",
        _with("helpfulness.possesses_information", _DELETE),
        "helpfulness.possesses_information",
        "required",
    ),
    (
        "family member",
        _with("family_members_implicated", [{"family_name": "Vega", "given_name": "Jorge"}]),
        "family_members_implicated[0].relationship",
        "required",
    ),
    (
        "family member full name",
        _with("family_members_implicated", [{"full_name": "Jorge Vega", "relationship": "uncle"}]),
        "family_members_implicated[0]",
        "instead of full_name",
    ),
    (
        "turning 21 past",
        _with("urgency.family_member_turning_21_on", "2020-01-01"),
        "urgency.family_member_turning_21_on",
        "past",
    ),
    ("not uploaded", _with("attachments", ["missing.pdf"]), "attachments[0]", "was not uploaded"),
    (
        "too many attachments",
        _with("attachments", [f"a{i}.pdf" for i in range(21)]),
        "attachments",
        "at most 20",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "words"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_every_intake_rule_through_http(
    client: TestClient, sqlite_store: Store, mutate: Any, path: str, words: str
) -> None:
    raw = example_request()
    mutate(raw)
    files = {n: d for n, d in example_pdfs().items() if n in raw["attachments"]}
    resp = api_submit(client, raw, files)
    assert resp.status_code == 422, resp.text
    problems = resp.json()["problems"]
    assert any(p["path"] == path and words in p["message"] for p in problems), problems
    # exactly the intake validation of `casework submit`
    with pytest.raises(IntakeRejected) as direct:
        validate_request(raw, today=TODAY, files=files)
    assert problems == [
        {"path": p.path, "message": p.message, "code": p.code, "params": dict(p.params)}
        for p in direct.value.problems
    ]
    assert counts(sqlite_store) == (0, 0, 0)


def test_t_request_refuses_u_activity(client: TestClient) -> None:
    raw = t_request()
    raw["incident"]["qualifying_activities"] = ["stalking"]
    resp = api_submit(client, raw, example_pdfs())
    assert resp.status_code == 422
    assert resp.json()["problems"][0]["path"] == "incident.qualifying_activities[0]"


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "not valid JSON"), ("[1, 2]", "must be a JSON object"), ("", "not valid JSON")],
)
def test_request_part_must_be_a_json_object(
    client: TestClient, sqlite_store: Store, text: str, message: str
) -> None:
    resp = api_submit(client, None, request_text=text)
    assert resp.status_code == 422
    assert message in resp.json()["problems"][0]["message"]
    assert counts(sqlite_store) == (0, 0, 0)


def test_missing_request_part_and_wrong_content_type(client: TestClient) -> None:
    resp = client.post(
        "/api/requests", files=[("files", ("a.pdf", b"%PDF-1.4", "application/pdf"))]
    )
    assert resp.status_code == 422
    assert resp.json()["problems"][0]["path"] == "request"
    resp = client.post("/api/requests", json=example_request())
    assert resp.status_code == 415


# -- uploads ---------------------------------------------------------------------------------

HOSTILE = [
    ("encrypted", encrypted_pdf, "encrypted"),
    ("javascript", javascript_pdf, "JavaScript"),
    ("launch", open_action_launch_pdf, "launch action"),
    ("embedded", embedded_file_pdf, "embedded files"),
    ("not a pdf", lambda: b"MZ\x90\x00 this is an executable", "not a PDF"),
    ("truncated", lambda: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "cannot be read"),
]


@pytest.mark.parametrize(("make", "words"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_uploads_are_refused_and_nothing_stored(
    client: TestClient, sqlite_store: Store, mail: MailSink, make: Any, words: str
) -> None:
    raw = example_request(attachments=["police-report-24-01187.pdf", "evil.pdf"])
    files = {
        "police-report-24-01187.pdf": example_pdfs()["police-report-24-01187.pdf"],
        "evil.pdf": make(),
    }
    resp = api_submit(client, raw, files)
    assert resp.status_code == 422
    (problem,) = resp.json()["problems"]
    assert problem["path"] == "attachments[1]" and words in problem["message"]
    assert counts(sqlite_store) == (0, 0, 0)
    assert mail.messages == []


def test_oversize_file_is_refused_by_name(sqlite_store: Store, mail: MailSink) -> None:
    with client_for(sqlite_store, max_file_bytes=100_000) as client:
        raw = example_request(attachments=["big.pdf"])
        resp = api_submit(client, raw, {"big.pdf": padded_pdf(150_000)})
        assert resp.status_code == 422
        assert (
            resp.json()["problems"]
            == [{"path": "attachments[0]", "message": "big.pdf is 0.1 MB; the limit is 0 MB"}]  # noqa: E501
            or resp.json()["problems"][0]["path"] == "attachments[0]"
        )
        assert "was not uploaded" not in resp.text
    assert counts(sqlite_store) == (0, 0, 0)


def test_body_over_the_total_limit_is_413_before_parsing(sqlite_store: Store) -> None:
    with client_for(sqlite_store, max_file_bytes=50_000, max_files=2) as client:
        files = {"huge.pdf": padded_pdf(1_300_000)}
        resp = api_submit(client, example_request(attachments=list(files)), files)
        assert resp.status_code == 413
        assert resp.headers["x-content-type-options"] == "nosniff"
    assert counts(sqlite_store) == (0, 0, 0)


def test_too_many_files_and_unlisted_or_duplicate_files(sqlite_store: Store) -> None:
    with client_for(sqlite_store, max_files=2) as client:
        pdfs = example_pdfs()
        three = {**pdfs, "third.pdf": pdfs["victim-statement.pdf"]}
        resp = api_submit(client, example_request(attachments=list(three)), three)
        assert resp.status_code == 400
        raw = example_request(attachments=["police-report-24-01187.pdf"])
        resp = api_submit(client, raw, pdfs)
        assert resp.status_code == 422
        assert "victim-statement.pdf was uploaded but is not listed" in resp.text
        parts = [
            ("request", (None, json.dumps(example_request()), "application/json")),
            ("files", ("victim-statement.pdf", pdfs["victim-statement.pdf"], "application/pdf")),
            ("files", ("victim-statement.pdf", pdfs["victim-statement.pdf"], "application/pdf")),
        ]
        resp = client.post("/api/requests", files=parts)
        assert resp.status_code == 422 and "uploaded twice" in resp.text
    assert counts(sqlite_store) == (0, 0, 0)


def test_filenames_never_reach_the_filesystem(client: TestClient, sqlite_store: Store) -> None:
    name = "../../../../etc/passwd"
    raw = example_request(attachments=[name])
    resp = api_submit(client, raw, {name: example_pdfs()["victim-statement.pdf"]})
    assert resp.status_code == 201
    with sqlite_store.reading() as s:
        assert s.scalars(select(Attachment.filename)).all() == ["passwd"]
    raw = example_request(attachments=["/etc/hostname"], victim={"family_name": "Other"})
    resp = api_submit(client, raw, {})
    assert resp.status_code == 422 and "was not uploaded" in resp.text


# -- status privacy --------------------------------------------------------------------------


def _two_cases(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    a = api_submit(client, example_request(), example_pdfs()).json()
    raw = example_request(victim={"family_name": "Reyes"})
    raw["requester"]["email"] = "other@advocates.example.org"
    raw["attachments"] = []
    b = api_submit(client, raw).json()
    return a, b


def _normalized(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


def test_status_shows_only_the_own_case_and_lookups_fail_alike(client: TestClient) -> None:
    a, b = _two_cases(client)
    token_a = token_from(a["status_url"])
    page = client.get(f"/status/{token_a}")
    assert page.status_code == 200
    assert a["case_number"] in page.text and b["case_number"] not in page.text
    for secret in (*VICTIM, "rdelgado", "Rosa Delgado", "knife", "submit"):
        assert secret not in page.text  # no victim details, no history details

    token_csrf = csrf_token(client, "/status")

    def lookup(number: str, email: str, code: str) -> Any:
        data = {"case_number": number, "email": email, "code": code, "csrf_token": token_csrf}
        return client.post("/status", data=data, follow_redirects=False)

    failures = [
        client.get("/status/" + "x" * 43),  # unknown token
        client.get("/status/" + token_from(b["status_url"]) + "x"),  # near miss
        lookup(
            a["case_number"], "rdelgado@pvvac.example.org", b["access_code"]
        ),  # other case's code
        lookup(a["case_number"], "wrong@pvvac.example.org", a["access_code"]),  # wrong email
        lookup("NPD-U-2026-9999", "rdelgado@pvvac.example.org", a["access_code"]),  # unknown number
        lookup(b["case_number"], "rdelgado@pvvac.example.org", a["access_code"]),  # mismatched
    ]
    assert {r.status_code for r in failures} == {404}
    bodies = {_normalized(r.text) for r in failures}
    assert len(bodies) == 1
    assert "could not find a request" in failures[0].text

    ok = lookup(a["case_number"].lower(), "RDelgado@pvvac.example.org", a["access_code"].lower())
    assert ok.status_code == 303 and ok.headers["location"] == "/my-case"
    assert "httponly" in ok.headers["set-cookie"].lower()
    mine = client.get("/my-case")
    assert mine.status_code == 200 and a["case_number"] in mine.text
    client.cookies.set("cw_case", "2.9999999999.forged", path="/my-case")
    assert client.get("/my-case").status_code == 404


def test_api_status_lookups_fail_alike(client: TestClient) -> None:
    a, b = _two_cases(client)
    responses = [
        client.get("/api/requests/" + "y" * 43),
        client.get("/api/requests/" + a["case_number"]),
        client.get("/api/requests/" + b["access_code"]),
    ]
    assert {r.status_code for r in responses} == {404}
    assert {r.text for r in responses} == {'{"detail":"not found","problems":[]}'}
    ok = client.get("/api/requests/" + token_from(b["status_url"])).json()
    assert ok["case_number"] == b["case_number"]
    assert set(ok) == {
        "case_number",
        "visa_type",
        "stage",
        "stage_label",
        "received_on",
        "response_due",
        "expedited",
        "information_requested",
        "documents",
    }


# -- supplement and documents ----------------------------------------------------------------


def _ask_for_information(store: Store, number: str, missing: str) -> None:
    with store.unit_of_work() as s:
        case = s.scalars(select(Case).where(Case.case_number == number)).one()
        person = certifiers(s)[0]
        actor = certifier_actor(person)
        assign(s, case, Actor.system(), case.version, person)
        start_da_consultation(s, case, case.version)
        record_da_consultation(
            s,
            case,
            actor,
            case.version,
            consulted_name="ADA Greene",
            consulted_on=TODAY,
            position="supports",
        )
        request_information(s, case, actor, case.version, missing=missing)


def test_supplement_on_the_status_page_returns_the_case_to_review(
    client: TestClient, sqlite_store: Store
) -> None:
    a = api_submit(client, example_request(), example_pdfs()).json()
    base = "/status/" + token_from(a["status_url"])
    _ask_for_information(sqlite_store, a["case_number"], "Please send the 209A order <b>copy</b>.")
    page = client.get(base)
    assert "Information requested" in page.text
    assert "Please send the 209A order &lt;b&gt;copy&lt;/b&gt;." in page.text
    token = csrf_token(client, base)

    hostile = client.post(
        base + "/supplement",
        data={"text": "here", "csrf_token": token},
        files=[("files", ("order.pdf", javascript_pdf(), "application/pdf"))],
    )
    assert hostile.status_code == 422 and "JavaScript" in hostile.text
    assert 'href="#f-supplement-files"' in hostile.text
    assert _case(sqlite_store, a["case_number"]).state_ == State.NEEDS_INFORMATION.value

    no_csrf = client.post(base + "/supplement", data={"text": "here"})
    assert no_csrf.status_code == 403

    ok = client.post(
        base + "/supplement",
        data={"text": "The order is attached.", "csrf_token": token},
        files=[("files", ("order.pdf", example_pdfs()["victim-statement.pdf"], "application/pdf"))],
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == base + "?sent=1"
    case = _case(sqlite_store, a["case_number"])
    assert case.state_ == State.CERTIFIER_REVIEW.value
    with sqlite_store.reading() as s:
        assert s.scalars(select(Supplement).where(Supplement.case_id == case.id)).one()
        sources = s.scalars(select(Attachment.source).where(Attachment.case_id == case.id)).all()
    assert sorted(sources) == ["intake", "intake", "supplement"]
    after = client.get(base + "?sent=1")
    assert "information was received" in after.text and "Being reviewed" in after.text
    again = client.post(base + "/supplement", data={"text": "more", "csrf_token": token})
    assert again.status_code == 409


def test_supplement_through_the_api(client: TestClient, sqlite_store: Store) -> None:
    a = api_submit(client, example_request(), example_pdfs()).json()
    base = "/api/requests/" + token_from(a["status_url"])
    assert (
        client.post(base + "/supplement", files=[("text", (None, "x", "text/plain"))]).status_code
        == 409
    )
    _ask_for_information(sqlite_store, a["case_number"], "Send the court docket.")
    assert client.get(base).json()["information_requested"] == "Send the court docket."
    empty = client.post(base + "/supplement", files=[("text", (None, "  ", "text/plain"))])
    assert empty.status_code == 422
    resp = client.post(
        base + "/supplement", files=[("text", (None, "Docket 24-209A-77", "text/plain"))]
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["stage"] == "review"


def test_documents_for_the_requester_only(client: TestClient, sqlite_store: Store) -> None:
    a = api_submit(client, example_request(), example_pdfs()).json()
    letter = example_pdfs()["victim-statement.pdf"]
    blobs = BlobStore(sqlite_store.settings.documents_dir)
    with sqlite_store.unit_of_work() as s:
        case = s.scalars(select(Case).where(Case.case_number == a["case_number"])).one()
        ack = record_document(
            s, case, case.version, kind="acknowledgment", data=letter, blobs=blobs
        )
        memo = record_document(
            s, case, case.version, kind="da_memo", data=b"%PDF memo", blobs=blobs
        )
        packet = record_document(s, case, case.version, kind="packet", data=b"%PDF pk", blobs=blobs)
        ids = (ack.id, memo.id, packet.id)
    base = "/status/" + token_from(a["status_url"])
    page = client.get(base)
    assert f"/documents/{ids[0]}" in page.text
    assert f"/documents/{ids[1]}" not in page.text and f"/documents/{ids[2]}" not in page.text
    got = client.get(f"{base}/documents/{ids[0]}")
    assert got.status_code == 200 and got.content == letter
    assert got.headers["content-disposition"].startswith("attachment;")
    assert client.get(f"{base}/documents/{ids[1]}").status_code == 404  # not for the requester
    assert client.get(f"{base}/documents/{ids[2]}").status_code == 404  # not delivered yet
    api = client.get("/api/requests/" + token_from(a["status_url"])).json()
    assert [d["kind"] for d in api["documents"]] == ["acknowledgment"]
    assert client.get(api["documents"][0]["url"]).content == letter
    # another case's token cannot fetch this case's document
    raw = example_request(victim={"family_name": "Other"}, attachments=[])
    b = api_submit(client, raw).json()
    other = "/status/" + token_from(b["status_url"])
    assert client.get(f"{other}/documents/{ids[0]}").status_code == 404


# -- CSRF, rate limits, headers, logs, email failure, workflow hook ----------------------------


def test_csrf_protects_every_form(client: TestClient, sqlite_store: Store) -> None:
    good = csrf_token(client)
    raw = example_request(attachments=[])
    from tests.test_portal_support import form_fields

    fields = dict(form_fields(raw))
    fields.pop("incident.police_report_numbers", None)
    data = {**fields, "incident.police_report_numbers": "24-01187-OF"}
    empty = [("attachments", ("", b"", "application/octet-stream"))]
    assert client.post("/", data=data, files=empty).status_code == 403
    assert client.post("/", data={**data, "csrf_token": "forged"}, files=empty).status_code == 403
    other = client_for(sqlite_store)
    stolen = csrf_token(other)  # a valid token for another browser's cookie
    assert client.post("/", data={**data, "csrf_token": stolen}, files=empty).status_code == 403
    cross = client.post(
        "/",
        data={**data, "csrf_token": good},
        files=empty,
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    assert (
        client.post("/status", data={"case_number": "x", "email": "y", "code": "z"}).status_code
        == 403
    )
    assert counts(sqlite_store) == (0, 0, 0)
    ok = client.post("/", data={**data, "csrf_token": good}, files=empty)
    assert ok.status_code == 201, ok.text[:2000]


def test_rate_limits_per_address(sqlite_store: Store, mail: MailSink) -> None:
    with client_for(sqlite_store, submit_per_minute=2, lookup_per_minute=3) as client:
        raw = example_request(attachments=[], victim={"date_of_birth": "2030-01-01"})
        codes = [api_submit(client, raw).status_code for _ in range(3)]
        assert codes == [422, 422, 429]
        looks = [client.get("/api/requests/" + "z" * 43).status_code for _ in range(4)]
        assert looks == [404, 404, 404, 429]
        assert client.get("/status/" + "z" * 43).status_code == 429
        page = client.post("/", data={})
        assert page.status_code == 429 and "Too many attempts" in page.text


def test_security_headers(client: TestClient) -> None:
    resp = client.get("/")
    h = resp.headers
    assert "default-src 'none'" in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"
    assert h["cache-control"] == "no-store"
    assert "samesite=lax" in h["set-cookie"].lower() and "httponly" in h["set-cookie"].lower()
    assert client.get("/static/portal.css").status_code == 200


def test_no_victim_details_or_tokens_in_logs(
    sqlite_store: Store, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASEWORK_SMTP_PORT", "9")  # nothing listens: the email fails
    caplog.set_level(logging.DEBUG)
    with client_for(sqlite_store) as client:
        body = api_submit(client, example_request(), example_pdfs()).json()
        assert body["email_sent"] is False
        page = form_submit(
            client, example_request(victim={"family_name": "Zapata"}), example_pdfs()
        )
        assert page.status_code == 201 and "could not be sent" in page.text
        client.get(f"/status/{token_from(body['status_url'])}")
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(r.getMessage() for r in server)
    assert "could not be sent" in text and body["case_number"] in text
    for secret in (*VICTIM, "Zapata", "Isabel", "knife", token_from(body["status_url"])):
        assert secret not in text
    assert redact_path("/status/" + "a" * 43 + "/supplement") == "/status/[token]/supplement"
    assert _case(sqlite_store, body["case_number"]).state_ == State.SUBMITTED.value


class RecordedRuns:
    """A workflow port that records what the portal asked of it (the portal's side only;
    the Prefect implementation is exercised end to end by the workflow tests)."""

    enabled = True

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def start(self, store: Store, case_number: str) -> str:
        self.calls.append(("start", case_number))
        return "run-id"

    def nudge(self, store: Store, case_number: str) -> str | None:
        self.calls.append(("nudge", case_number))
        return "run-id"

    def resume(self, store: Store, case_number: str, answer: dict[str, Any]) -> str:
        raise AssertionError("the portal never resumes a human step")

    def run_url(self, flow_run_id: str | None) -> str | None:
        return None

    def recover(self, store: Store, *, confirm: bool = True) -> Recovery:
        raise AssertionError("the portal never recovers runs")


def test_workflow_starts_and_is_nudged_through_the_port(
    sqlite_store: Store, mail: MailSink
) -> None:
    runs = RecordedRuns()
    port: WorkflowRuns = runs  # mypy: the recorder has the port's shape
    with client_for(sqlite_store, start_workflow=True, workflows=port) as client:
        body = api_submit(client, example_request(), example_pdfs()).json()
        assert body["workflow_started"] is True
        number = body["case_number"]
        _ask_for_information(sqlite_store, number, "Send the docket.")
        url = "/api/requests/" + token_from(body["status_url"]) + "/supplement"
        assert client.post(url, files=[("text", (None, "Docket", "text/plain"))]).status_code == 200
    assert runs.calls == [("start", number), ("nudge", number)]


def test_without_a_workflow_engine_the_portal_stores_and_says_so(
    sqlite_store: Store, mail: MailSink, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="casework.portal"),
        client_for(sqlite_store, start_workflow=True) as client,
    ):
        body = api_submit(client, example_request(), example_pdfs()).json()
    assert body["workflow_started"] is False
    assert _case(sqlite_store, body["case_number"]).state_ == State.SUBMITTED.value
    assert f"workflow not told about {body['case_number']}: workflows are off" in caplog.text


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/requests",
        "/api/requests/{token}",
        "/api/requests/{token}/supplement",
        "/api/requests/{token}/documents/{doc_id}",
    }
    body = schema["paths"]["/api/requests"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["properties"]["request"]["$ref"].endswith("/CertificationRequest")
    assert "victim" in schema["components"]["schemas"]["CertificationRequest"]["properties"]


def test_session_after_code_lookup_allows_supplement(
    client: TestClient, sqlite_store: Store
) -> None:
    a = api_submit(client, example_request(), example_pdfs()).json()
    _ask_for_information(sqlite_store, a["case_number"], "Send the docket.")
    token = csrf_token(client, "/status")
    data = {
        "case_number": a["case_number"],
        "email": "rdelgado@pvvac.example.org",
        "code": a["access_code"],
        "csrf_token": token,
    }
    assert client.post("/status", data=data, follow_redirects=False).status_code == 303
    page = client.get("/my-case")
    assert 'action="/my-case/supplement"' in page.text and "Send the docket." in page.text
    sent = client.post(
        "/my-case/supplement",
        data={"text": "Docket attached", "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/my-case?sent=1"
    assert _case(sqlite_store, a["case_number"]).state_ == State.CERTIFIER_REVIEW.value


def test_access_log_filter_redacts_tokens() -> None:
    from casework.portal.security import RedactTokens

    token = "T" * 43
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/api/requests/{token}?lang=es", "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    assert token not in record.getMessage()
    assert "/api/requests/[token]?lang=es" in record.getMessage()
