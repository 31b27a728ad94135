"""Every portal page in every supported language: the page says it (`lang`), shows text from
the language's catalog, and leaks no English message; validation errors are translated by
message id; the preferred language, the free-text "other" language and the interpreter flag
are stored."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from casework.crypto import keyring
from casework.db import Store
from casework.i18n import gettext_for, html_lang, supported
from casework.i18n.tools import extract, translatable
from casework.models import Case
from tests.conftest import example_request
from tests.test_portal_api import _ask_for_information
from tests.test_portal_support import (  # noqa: F401 - fixtures
    MailSink,
    client_fixture,
    client_for,
    csrf_token,
    example_pdfs,
    form_fields,
    form_submit,
    mail_fixture,
    token_from,
)

LANGS = list(supported())
_PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _english_pieces() -> dict[str, list[str]]:
    """Per language, the English message texts (and the fixed pieces of messages with
    placeholders) whose translation differs: none may show on a page in that language."""
    out: dict[str, list[str]] = {}
    ids = [str(m.id) for m in translatable(extract()) if m.id]
    for lang in LANGS[1:]:
        _ = gettext_for(lang)
        pieces = []
        for msgid in ids:
            if _(msgid) == msgid:
                continue
            pieces += [p.strip() for p in _PLACEHOLDER.split(msgid) if len(p.strip()) >= 14]
        out[lang] = pieces
    return out


ENGLISH = _english_pieces()


def visible_text(page: str) -> str:
    """The text a person reads (and the attribute text a screen reader says)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', body))
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + labels)


def assert_in_language(page: str, lang: str, *phrases: str) -> None:
    assert f'<html lang="{html_lang(lang)}">' in page
    _ = gettext_for(lang)
    text = " ".join(visible_text(page).split())
    for phrase in phrases:
        assert " ".join(_(phrase).split()) in text, (lang, phrase)
    if lang != "en":
        leaked = [e for e in ENGLISH[lang] if " ".join(e.split()) in text]
        assert leaked == [], (lang, leaked)


def _with_lang(client: TestClient, lang: str) -> Callable[[str], str]:
    client.cookies.set("lang", html_lang(lang))
    return lambda path: path


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_in_every_language(
    client: TestClient, sqlite_store: Store, mail: MailSink, lang: str
) -> None:
    _with_lang(client, lang)
    # the submission form, and the switcher to every language on it
    form = client.get("/")
    assert_in_language(form.text, lang, "Submit a request", "Victim's preferred language")
    for other in LANGS:
        assert f'hreflang="{html_lang(other)}"' in form.text
    # the form with errors next to the fields
    raw = example_request(attachments=[], victim={"date_of_birth": "2030-01-01"})
    raw["requester"]["email"] = "rosa@"
    errors = form_submit(client, raw)
    assert errors.status_code == 422
    assert_in_language(errors.text, lang, "There is a problem with the request", "is in the future")
    assert gettext_for(lang)("is not a valid email address") in errors.text
    # success, duplicate
    raw = example_request(attachments=[])
    done = form_submit(client, raw)
    assert done.status_code == 201
    assert_in_language(done.text, lang, "Request received", "Your private status link")
    again = form_submit(client, raw)
    assert again.status_code == 409
    assert_in_language(again.text, lang, "This request was already received")
    # lookup, not found, status pages
    assert_in_language(client.get("/status").text, lang, "Check a request", "Show the status")
    missing = client.get("/status/" + "x" * 43)
    assert missing.status_code == 404
    assert_in_language(missing.text, lang, "Request not found")
    link = done.text.split('id="status-link" href="')[1].split('"')[0]
    base = "/status/" + token_from(link)
    assert_in_language(client.get(base).text, lang, "Received", "Request status")
    number = done.text.split('id="case-number">')[1].split("<")[0]
    _ask_for_information(sqlite_store, number, "Send the 209A order.")
    asked = client.get(base)
    assert_in_language(asked.text, lang, "Send the information requested", "Your answer")
    empty = client.post(
        base + "/supplement", data={"text": " ", "csrf_token": csrf_token(client, base)}
    )
    assert empty.status_code == 422
    assert_in_language(empty.text, lang, "write an answer or attach a document")
    # message pages
    refused = client.post("/status", data={"case_number": "x"})
    assert refused.status_code == 403
    assert_in_language(
        refused.text,
        lang,
        "This form expired or was not sent from this site. Reload the page and try again.",
    )


@pytest.mark.parametrize("lang", LANGS)
def test_rate_limit_page_in_every_language(sqlite_store: Store, lang: str) -> None:
    with client_for(sqlite_store, lookup_per_minute=1) as client:
        client.get(f"/status/{'z' * 43}?lang={html_lang(lang)}")
        page = client.get(f"/status/{'z' * 43}")
        assert page.status_code == 429
        assert_in_language(
            page.text, lang, "Too many attempts from your address. Wait a minute and try again."
        )


def test_the_language_choice_sticks_and_the_api_follows_accept_language(
    client: TestClient,
) -> None:
    first = client.get("/?lang=vi")
    assert '<html lang="vi">' in first.text and "lang=vi" in first.headers["set-cookie"]
    assert '<html lang="vi">' in client.get("/status").text  # the cookie
    client.cookies.clear()
    page = client.get("/", headers={"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"})
    assert '<html lang="pt-BR">' in page.text
    body = client.get("/api/requests/" + "z" * 43).json()
    assert body == {"detail": "not found", "problems": []}
    raw = example_request(attachments=["missing.pdf"])
    resp = client.post(
        "/api/requests",
        files=[("request", (None, __import__("json").dumps(raw), "application/json"))],
        headers={"Accept-Language": "es"},
    )
    assert resp.status_code == 422
    assert resp.json()["problems"] == [
        {
            "path": "attachments[0]",
            "message": "missing.pdf no se subió",
            "code": "not_uploaded",
            "params": {"name": "missing.pdf"},
        }
    ]


def test_preferred_language_other_and_interpreter_are_stored(
    client: TestClient, sqlite_store: Store
) -> None:
    raw = example_request(attachments=[])
    fields = [(k, v) for k, v in form_fields(raw) if k != "victim.preferred_language"]
    fields += [
        ("victim.preferred_language", "other"),
        ("victim.preferred_language_other", "Kʼicheʼ"),
        ("victim.interpreter_needed", "yes"),
        ("csrf_token", csrf_token(client)),
    ]
    data: dict[str, list[str]] = {}
    for k, v in fields:
        data.setdefault(k, []).append(v)
    resp = client.post(
        "/", data=data, files=[("attachments", ("", b"", "application/octet-stream"))]
    )
    assert resp.status_code == 201, resp.text[:2000]
    with sqlite_store.reading() as s:
        case = s.scalars(select(Case)).one()
        victim = keyring().decrypt_json(case.victim_enc)
    assert case.preferred_language == "und"
    assert victim["preferred_language_other"] == "Kʼicheʼ" and victim["interpreter_needed"] is True
    page = client.get("/")
    options = re.findall(
        r'<option value="([^"]*)"',
        page.text.split('id="f-victim-preferred_language"')[1].split("</select>")[0],
    )
    assert options == ["", "en", "es", "pt-BR", "vi", "other"]


@pytest.mark.parametrize("lang", LANGS[1:])
def test_pdf_refusals_are_translated_by_message_id(
    client: TestClient, sqlite_store: Store, lang: str
) -> None:
    from tests.pdfs import javascript_pdf, open_action_launch_pdf

    _with_lang(client, lang)
    raw = example_request(attachments=["evil.pdf", "launch.pdf", "plain.txt"])
    token = csrf_token(client)
    data: dict[str, list[str]] = {}
    for k, v in [*form_fields(raw), ("csrf_token", token)]:
        data.setdefault(k, []).append(v)
    resp = client.post(
        "/",
        data=data,
        files=[
            ("attachments", ("evil.pdf", javascript_pdf(), "application/pdf")),
            ("attachments", ("launch.pdf", open_action_launch_pdf(), "application/pdf")),
            ("attachments", ("plain.txt", b"just text", "text/plain")),
        ],
    )
    assert resp.status_code == 422
    _ = gettext_for(lang)
    what = _("contains %(what)s, which is not accepted") % {"what": _("JavaScript")}
    assert_in_language(resp.text, lang)
    assert what in html.unescape(resp.text)
    assert _("is not a PDF file (no %PDF- header)") in html.unescape(resp.text)
    launch = _("a launch action (it can start a program)")
    assert launch in html.unescape(resp.text)


def test_json_and_text_hygiene_refusals_are_translated(client: TestClient) -> None:
    _ = gettext_for("pt_BR")
    deep = "[" * 40 + "]" * 40
    resp = client.post(
        "/api/requests",
        files=[("request", (None, deep, "application/json"))],
        headers={"Accept-Language": "pt-BR"},
    )
    assert resp.status_code == 422
    (problem,) = resp.json()["problems"]
    assert problem["message"] == _("is nested too deeply (the limit is %(limit)s levels)") % {
        "limit": 20
    }
    assert problem["code"] == "json_refused"
    raw = example_request(attachments=[])
    raw["victim"]["family_name"] = "Mor\x1bales"
    resp = client.post(
        "/api/requests",
        files=[("request", (None, __import__("json").dumps(raw), "application/json"))],
        headers={"Accept-Language": "vi"},
    )
    assert resp.status_code == 422
    (problem,) = resp.json()["problems"]
    assert problem["code"] == "char_control" and problem["params"]["char"] == "U+001B"
    assert problem["message"].startswith("chứa ký tự điều khiển (U+001B) ở vị trí 4")
