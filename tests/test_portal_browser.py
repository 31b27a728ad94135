"""Drive the real portal in headless Chromium (Debian's ``chromium``) against uvicorn.

Set PORTAL_SCREENSHOT_DIR=docs to refresh the screenshots shown in the README.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.db import Store
from casework.models import Attachment, Case
from casework.portal.app import create_app
from tests.browser import launch_chromium, sync_api
from tests.conftest import EXAMPLES
from tests.portal_testing import MailSink, free_port
from tests.test_portal_support import PDF_NAMES, counts, mail_fixture, make_config  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def server(sqlite_store: Store, mail: MailSink) -> Iterator[str]:
    import uvicorn

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(sqlite_store, make_config(public_url=base))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started, "uvicorn did not start"
    yield base
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)  # skips (on CI: fails) with the reason it cannot
        context = browser.new_context(
            viewport={"width": 1180, "height": 900}, java_script_enabled=False, locale="en-US"
        )
        yield context.new_page()
        context.close()
        browser.close()


def _shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("PORTAL_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _fill_u_request(page: Any, *, family_name: str, dob: str) -> None:
    page.check("#f-visa_type-U")
    page.fill("#f-requester-name", "Rosa Delgado")
    page.fill("#f-requester-organization", "Pioneer Valley Victim Advocacy Center")
    page.select_option("#f-requester-role", "victim_advocate")
    page.fill("#f-requester-email", "rdelgado@pvvac.example.org")
    page.fill("#f-requester-phone", "413-555-0142")
    page.fill("#f-requester-mailing_address", "15 Main St, Northampton, MA 01060")
    page.fill("#f-victim-family_name", family_name)
    page.fill("#f-victim-given_name", "Lucia")
    page.fill("#f-victim-middle_name", "Isabel")
    page.fill("#f-victim-other_names-0-family_name", "Morales-Vega")
    page.fill("#f-victim-other_names-0-given_name", "Lucia")
    page.fill("#f-victim-date_of_birth", dob)
    page.select_option("#f-victim-gender", "female")
    page.select_option("#f-victim-preferred_language", "es")
    page.fill("#f-incident-police_report_numbers-0", "24-01187-OF")
    page.fill("#f-incident-police_report_numbers-1", "24-01190-OF")
    page.fill("#f-incident-dates-0", "2024-06-14")
    page.fill("#f-incident-dates-1", "2024-07-02")
    page.fill("#f-incident-location", "Northampton, Massachusetts")
    for key in ("domestic_violence", "felonious_assault", "stalking"):
        page.check(f"#f-incident-qualifying_activities-{key}")
    page.fill("#f-incident-statutory_citations-0", "M.G.L. c. 265 s. 13M")
    page.fill("#f-incident-statutory_citations-1", "M.G.L. c. 265 s. 43")
    page.fill(
        "#f-incident-description",
        "The victim's former partner assaulted her at their apartment and later followed her "
        "to work on several days.",
    )
    page.fill("#f-incident-known_injuries", "Laceration to the left forearm.")
    page.fill(
        "#f-helpfulness-summary",
        "She called 911, gave a recorded statement and testified at the 209A hearing.",
    )
    for key in ("possesses_information", "has_been_helpful", "is_being_helpful"):
        page.check(f"#f-helpfulness-{key}")
    page.check("#f-urgency-in_removal_proceedings")


def test_submit_track_and_see_errors_in_chromium(
    page: Any, server: str, sqlite_store: Store, mail: MailSink, tmp_path: Path
) -> None:
    shots = _shots(tmp_path)
    page.goto(server + "/")
    assert page.title().startswith("Submit a request")
    _fill_u_request(page, family_name="Morales", dob="1991-03-08")
    page.set_input_files("#f-attachments", [str(EXAMPLES / n) for n in PDF_NAMES])
    page.screenshot(path=str(shots / "portal-form.png"))
    page.click("button[type=submit]")

    number = page.text_content("#case-number")
    assert number and number.startswith("NPD-U-")
    assert "acknowledgment" in (page.text_content("#email-status") or "")
    page.screenshot(path=str(shots / "portal-success.png"))
    with sqlite_store.reading() as s:
        case = s.scalars(select(Case).where(Case.case_number == number)).one()
        assert case.expedited
        files = s.scalars(select(Attachment.filename).where(Attachment.case_id == case.id)).all()
    assert sorted(files) == sorted(PDF_NAMES)
    (msg,) = mail.wait_for(1)
    link = page.get_attribute("#status-link", "href")
    assert link and link in msg.get_content()

    page.click("#status-link")
    assert page.text_content("#case-number") == number
    assert page.text_content("#stage") == "Received"
    page.screenshot(path=str(shots / "portal-status.png"))
    page.click("a[hreflang=es]")
    assert page.text_content("#stage") == "Recibida"
    page.click("a[hreflang=en]")

    before = counts(sqlite_store)
    page.goto(server + "/")
    _fill_u_request(page, family_name="Vega", dob="2031-01-01")
    page.fill("#f-requester-name", "")
    page.fill("#f-requester-email", "rosa@")
    page.fill("#f-incident-dates-1", "2035-07-02")
    page.click("button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    links = summary.locator("a")
    assert links.count() >= 4
    text = summary.inner_text()
    assert "Your full name: is required" in text
    assert "Date of birth: is in the future" in text
    assert page.input_value("#f-victim-family_name") == "Vega"  # what was typed is kept
    assert page.locator("#f-requester-name-error-1").is_visible()
    assert page.get_attribute("#f-victim-date_of_birth", "aria-invalid") == "true"
    page.screenshot(path=str(shots / "portal-errors.png"))
    page.locator("section[aria-labelledby=sec_requester]").screenshot(
        path=str(shots / "portal-field-errors.png")
    )
    summary.locator('a[href="#f-victim-date_of_birth"]').click()
    assert page.url.endswith("#f-victim-date_of_birth")
    assert counts(sqlite_store) == before


def test_portuguese_portal_shows_the_error_in_portuguese_then_succeeds(
    page: Any, server: str, sqlite_store: Store, mail: MailSink
) -> None:
    page.goto(server + "/?lang=pt-BR")
    assert page.get_attribute("html", "lang") == "pt-BR"
    assert page.title().startswith("Enviar um pedido")
    _fill_u_request(page, family_name="Morales", dob="2031-01-01")
    page.select_option("#f-victim-preferred_language", "pt-BR")
    page.check("#f-victim-interpreter_needed-yes")
    page.click("button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "Há um problema com o pedido" in summary.inner_text()
    assert "Data de nascimento: está no futuro" in summary.inner_text()
    # next to its field, in Portuguese
    error = page.locator("#f-victim-date_of_birth-error-1")
    assert error.is_visible() and "está no futuro" in error.inner_text()
    assert page.get_attribute("#f-victim-date_of_birth", "aria-invalid") == "true"
    assert counts(sqlite_store) == (0, 0, 0)
    page.fill("#f-victim-date_of_birth", "1991-03-08")
    page.set_input_files("#f-attachments", [str(EXAMPLES / n) for n in PDF_NAMES])
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Pedido recebido"
    number = page.text_content("#case-number")
    assert number and number.startswith("NPD-U-")
    assert counts(sqlite_store) == (1, 2, 2)
    (msg,) = mail.wait_for(1)
    assert msg["Content-Language"] == "en, pt-BR"
    assert "Código de acesso" in msg.get_content()
