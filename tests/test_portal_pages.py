"""The HTML pages: the submission form, its errors, language choice and accessible markup."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from casework.db import Store
from tests.conftest import example_request
from tests.portal_testing import MailSink, padded_pdf
from tests.test_portal_support import (  # noqa: F401 - fixtures
    client_fixture,
    client_for,
    counts,
    csrf_token,
    example_pdfs,
    form_submit,
    mail_fixture,
)


class Controls(HTMLParser):
    """Ids of labelled controls, ids of labels' targets, and every element id."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, Any]] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.values: dict[str, list[str]] = {}
        self.textareas: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "label" and "for" in a:
            self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append({"tag": tag, **a})
        if tag == "input" and a.get("type") not in ("checkbox", "radio", "file", "hidden"):
            self.values.setdefault(a.get("name", ""), []).append(a.get("value", ""))
        if tag == "textarea":
            self._textarea = a.get("name")
            self.textareas[a.get("name", "")] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.textareas[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def parse(html: str) -> Controls:
    p = Controls()
    p.feed(html)
    return p


def test_every_control_has_a_label_and_the_page_works_without_scripts(client: TestClient) -> None:
    for lang in ("en", "es"):
        html = client.get(f"/?lang={lang}").text
        assert "<script" not in html
        page = parse(html)
        assert len(page.controls) > 60
        unlabelled = [c for c in page.controls if c.get("id") not in page.label_for]
        assert unlabelled == []
        assert f'<html lang="{lang}">' in html


def test_form_errors_sit_next_to_their_fields_and_typed_values_are_kept(
    client: TestClient, sqlite_store: Store
) -> None:
    raw = example_request(
        victim={"family_name": "Morales <Vega>", "date_of_birth": "2030-01-01"},
        incident={
            "police_report_numbers": ["24-01187-OF", "24-01200-OF"],
            "dates": ["2024-06-14", "not a date"],
            "qualifying_activities": ["other_related", "labor_trafficking"],
        },
        family_members_implicated=[{"family_name": "Vega", "given_name": "Jorge Luis"}],
        attachments=[],
    )
    raw["victim"]["other_names"] = [
        {"family_name": "Gonçalves da Silva", "given_name": "Maria José"},
        {"middle_name": "Isabel"},  # a middle name alone is not a name
    ]
    raw["requester"]["email"] = "rosa@"
    resp = form_submit(client, raw)
    assert resp.status_code == 422
    html = resp.text
    page = parse(html)
    expected = {
        "f-requester-email",
        "f-victim-date_of_birth",
        "f-incident-dates-1",
        "f-incident-qualifying_activities",
        "f-incident-other_activity_description",
        "f-family_members_implicated-0-relationship",
        "f-victim-other_names-1-family_name",
    }
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    anchors = {a.split('"')[0] for a in summary.split('href="#')[1:]}
    assert expected <= anchors
    assert anchors <= page.ids  # every summary link lands on an element
    for anchor in expected:
        assert f'id="{anchor}-error-1"' in html  # the message next to the field
    assert 'aria-invalid="true"' in html and "aria-describedby" in html
    assert html.index("error-summary") < html.index("<form")
    assert 'role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus' in html
    # what the person typed is kept (and escaped)
    assert page.values["victim.family_name"] == ["Morales <Vega>"]
    assert 'value="Morales &lt;Vega&gt;"' in html
    assert page.values["incident.dates"][:2] == ["2024-06-14", "not a date"]
    assert page.values["incident.police_report_numbers"][:2] == ["24-01187-OF", "24-01200-OF"]
    assert page.values["family_members_implicated[0].family_name"] == ["Vega"]
    assert page.values["family_members_implicated[0].given_name"] == ["Jorge Luis"]
    assert page.values["victim.other_names[0].family_name"] == ["Gonçalves da Silva"]
    assert page.values["victim.other_names[0].given_name"] == ["Maria José"]
    assert page.values["victim.other_names[1].middle_name"] == ["Isabel"]
    assert "give at least a family name or a given name" in html
    assert page.values["requester.email"] == ["rosa@"]
    assert 'value="labor_trafficking" checked' in html and 'value="other_related" checked' in html
    assert page.textareas["incident.description"].startswith("The victim's former partner")
    assert counts(sqlite_store) == (0, 0, 0)


def test_blank_slots_keep_their_place_in_error_messages(client: TestClient) -> None:
    raw = example_request(attachments=[])
    token = csrf_token(client)
    from tests.test_portal_support import _as_dict, form_fields

    fields = [(k, v) for k, v in form_fields(raw) if k != "incident.dates"]
    # the person left the first two date boxes empty and typed a future date in the third
    fields += [("incident.dates", ""), ("incident.dates", ""), ("incident.dates", "2031-05-01")]
    resp = client.post(
        "/",
        data=_as_dict([*fields, ("csrf_token", token)]),
        files=[("attachments", ("", b"", "application/octet-stream"))],
    )
    assert resp.status_code == 422
    assert 'href="#f-incident-dates-2"' in resp.text
    assert "(entry 3): is in the future" in resp.text


def test_spanish_by_browser_language_and_switchable(client: TestClient) -> None:
    es = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in es.text and "Enviar una solicitud" in es.text
    assert "Violencia doméstica" in es.text
    en = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9,es;q=0.3"})
    assert '<html lang="en">' in en.text and 'href="/?lang=es"' in en.text
    switched = client.get("/?lang=es", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in switched.text
    assert client.get("/status", headers={"Accept-Language": "en"}).text.count('lang="es"') >= 1
    assert '<html lang="es">' in client.get("/status", headers={"Accept-Language": "en"}).text
    raw = example_request(attachments=[], victim={"date_of_birth": "2030-01-01"})
    resp = form_submit(client, raw)
    assert "Hay un problema con la solicitud" in resp.text and "está en el futuro" in resp.text


def test_form_submission_with_two_pdfs_and_acknowledgment_in_spanish(
    client: TestClient, mail: MailSink, sqlite_store: Store
) -> None:
    client.get("/?lang=es")
    resp = form_submit(client, example_request(), example_pdfs())
    assert resp.status_code == 201, resp.text[:3000]
    assert "Solicitud recibida" in resp.text
    page = parse(resp.text)
    assert "case-number" in page.ids and "status-link" in page.ids
    (msg,) = mail.wait_for(1)
    assert msg["Subject"].startswith("Certification request NPD-U-")  # English governs
    assert msg["Content-Language"] == "en, es"
    assert "Gracias. El departamento de policía recibió" in msg.get_content()
    link = resp.text.split('id="status-link" href="')[1].split('"')[0]
    assert link in msg.get_content()
    status = client.get(link.replace("http://127.0.0.1:8080", ""))
    assert status.status_code == 200 and "Recibida" in status.text
    assert counts(sqlite_store) == (1, 2, 2)


def test_oversize_upload_on_the_form(sqlite_store: Store, mail: MailSink) -> None:
    with client_for(sqlite_store, max_file_bytes=100_000) as client:
        raw = example_request()
        files = {"police-report-24-01187.pdf": padded_pdf(200_000)}
        files["victim-statement.pdf"] = example_pdfs()["victim-statement.pdf"]
        resp = form_submit(client, raw, files)
        assert resp.status_code == 422
        assert 'href="#f-attachments"' in resp.text
        assert "police-report-24-01187.pdf is 0.2 MB" in resp.text
        assert "choose the PDF files again" in resp.text
    assert counts(sqlite_store) == (0, 0, 0)


def test_duplicate_form_submission_page(client: TestClient) -> None:
    raw = example_request(attachments=[])
    first = form_submit(client, raw)
    number = first.text.split('id="case-number">')[1].split("<")[0]
    again = form_submit(client, raw)
    assert again.status_code == 409 and "already received" in again.text
    assert number not in again.text
