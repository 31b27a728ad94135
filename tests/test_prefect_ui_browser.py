"""A certifier completes the DA-consultation step in the real Prefect UI (v1), in headless
Chromium, against the running workflow stack (Prefect server, served deployments, SMTP sink).

The certifier finds the run by the ``waiting-for:<email>`` tag on the Runs page, opens it,
presses Resume, reads the case summary the flow put in the form's description, fills the form
(text areas, the date picker, the position select) and submits. The case must then move on to
``certifier_review`` with the consultation recorded once.

Notes on the v1 UI of Prefect 3.9.1 (what the selectors below rely on):

- Resume is a button in the run page's header (the ⋮ menu holds only "Copy to new run",
  "Copy ID" and "Delete").
- The form's ``<label for=...>`` does not point at the input, so fields are found by their
  ``.schema-form-property__label`` text, not ``get_by_label``.
- Inside the modal, a mouse click on a select's value opens its options and the modal's
  focus handling closes them at once; focusing the control and pressing ArrowDown opens it.

Screenshots go to pytest's tmp_path; set PREFECT_UI_SCREENSHOT_DIR=docs to refresh
docs/prefect-ui-resume.png (the filled form) and docs/prefect-ui-resume-summary.png (the case
summary scrolled into view).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from casework.views import get_case, history
from tests.browser import ARGS as BROWSER_ARGS
from tests.browser import chromium_problem, launch_chromium, sync_api
from tests.conftest import require_or_skip
from tests.workflow_stack import (
    TODAY,
    Stack,
    actions,
    assignee,
    case_info,
    code_for,
    new_case,
    running_stack,
    wait_waiting,
)

pytestmark = [pytest.mark.browser, pytest.mark.prefect]

ARGS = [
    *BROWSER_ARGS,
    # The run page's timeline graph is WebGL; software-rendered it keeps about half a core busy
    # while the page is open (measured: 2.9 s CPU per idle 5 s, 0.4 s without WebGL), which
    # slows every step on a 2-core machine. The graph goes blank; nothing here reads it.
    "--disable-webgl",
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if problem := chromium_problem():  # before starting a whole stack for nothing
        require_or_skip(problem)
    yield from running_stack(tmp_path_factory)


@contextmanager
def chromium_page() -> Iterator[Any]:
    """A page in headless Chromium. Open it only after the Prefect calls that dispatch on a
    running event loop (``run_deployment`` in ``new_case``): Playwright's sync API runs one, and
    Prefect would hand back an un-awaited coroutine."""
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p, ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.set_default_timeout(TIMEOUT_MS)
            sync_api.expect.set_options(timeout=TIMEOUT_MS)  # a loaded 2-core box is slow
            yield pg
        finally:
            sync_api.expect.set_options(timeout=5_000)  # Playwright's default
            browser.close()


def ui_date(day: dt.date) -> str:
    """How the UI's date button shows a date: ``Nov 26th, 2026``."""
    n = day.day
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{day:%b} {n}{suffix}, {day.year}"


def field(dialog: Any, label: str) -> Any:
    """One property of the schema form, by the label the UI shows (``Consulted On (Optional)``)."""
    return dialog.locator(".schema-form-property").filter(
        has=dialog.page.locator(
            ".schema-form-property__label", has_text=re.compile(rf"^{re.escape(label)}\b")
        )
    )


def resume_in_ui(
    page: Any, ui: str, number: str, run_id: str, who: str, code: str, shots: Path
) -> None:
    expect = sync_api.expect
    # Runs page: filter by the tag that says who the run waits for, then open the run.
    tag = f"waiting-for:{who}"
    page.goto(f"{ui}/runs")
    page.locator(".flow-run-tags-input button.p-select-button__control").click()
    page.keyboard.type(tag)
    page.get_by_role("option", name=tag, exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]tag=" + re.escape(tag)))
    page.keyboard.press("Escape")
    run_link = page.get_by_role("link", name=number, exact=True)
    expect(run_link).to_have_count(1)
    run_link.click()

    # The run page, named by the case number, suspended, tagged with the stage.
    expect(page).to_have_url(f"{ui}/runs/flow-run/{run_id}")
    expect(page).to_have_title(re.compile(rf"^Flow Run: {re.escape(number)}\b"))
    heading = page.locator("header.page-heading")
    expect(heading.locator(".p-bread-crumbs")).to_contain_text(number)
    expect(heading).to_contain_text("Suspended")
    expect(heading).to_contain_text("stage:da_consultation")

    # Resume opens the form; its description is the case summary in markdown.
    heading.get_by_role("button", name="Resume").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Resume Flow Run")
    description = dialog.locator("article.markdown-renderer").first
    expect(description).to_contain_text(f"Case {number}")
    expect(description).to_contain_text("Record the consultation with the District Attorney")
    expect(description).to_contain_text("Response due")
    expect(description).to_contain_text(who)
    # The description is its own small scroll box (about 120 px): the summary table is below
    # the fold until the certifier scrolls it.
    due = description.get_by_role("row", name=re.compile(r"^Response due"))
    due.scroll_into_view_if_needed()
    expect(due).to_be_visible()
    expect(due).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2} \(\d+ days left\)"))
    expect(description.get_by_role("row", name=re.compile(r"^Report numbers"))).to_contain_text(
        "UI-0001"
    )
    dialog.locator(".p-modal__card").screenshot(path=str(shots / "prefect-ui-resume-summary.png"))
    description.evaluate("e => e.scrollTo(0, 0)")

    field(dialog, "Acting As").locator("textarea").fill(who)
    field(dialog, "Action Code").locator("textarea").fill(code)
    field(dialog, "Consulted Name").locator("textarea").fill("ADA Thomas Greene")
    field(dialog, "Notes").locator("textarea").fill("Consulted by phone.")

    # The date: the UI starts a required date at today; clear it, then pick today in the calendar.
    consulted_on = field(dialog, "Consulted On")
    consulted_on.locator(".p-date-button__actions button").first.click()  # the clear (x) button
    expect(consulted_on.locator(".p-date-button__control")).to_have_text("Select date")
    consulted_on.locator(".p-date-button__control").click()
    calendar = page.locator(".p-date-picker")
    calendar.get_by_role("button", name="Today", exact=True).click()
    calendar.get_by_role("button", name="Apply", exact=True).click()
    expect(calendar).to_have_count(0)
    expect(consulted_on.locator(".p-date-button__control")).to_have_text(ui_date(TODAY))

    # The position select (the form gives no default; the UI may show one): open with the
    # keyboard, click the option.
    position = field(dialog, "Position").locator("button.p-select-button__control")
    position.focus()
    page.keyboard.press("ArrowDown")
    page.get_by_role("listbox").get_by_role("option", name="supports", exact=True).click()
    expect(page.get_by_role("listbox")).to_have_count(0)
    expect(position).to_have_text("supports")

    dialog.locator(".p-modal__card").screenshot(path=str(shots / "prefect-ui-resume.png"))

    dialog.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Flow run resumed", exact=True).first).to_be_visible()
    expect(dialog).to_have_count(0)


def test_certifier_records_da_consultation_in_prefect_ui(stack: Stack, tmp_path: Path) -> None:
    shots = Path(os.environ.get("PREFECT_UI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    number = new_case(stack, "UI-0001")
    wait_waiting(stack, number, "da_consultation")
    who = assignee(stack, number)
    code = code_for(stack, who, number)
    run_id = case_info(stack, number)["run"]

    with chromium_page() as page:
        resume_in_ui(page, stack.env["PREFECT_UI_URL"], number, run_id, who, code, shots)
    assert (shots / "prefect-ui-resume.png").stat().st_size > 10_000

    # Real outcomes: the flow took the answer and the case moved on.
    wait_waiting(stack, number, "certifier_review")
    info = case_info(stack, number)
    assert info["state"] == "certifier_review" and info["refusal"] is None
    assert actions(stack, number).count("record_da_consultation") == 1
    with stack.store.reading() as s:
        recorded = [
            r for r in history(s, get_case(s, number)) if r["action"] == "record_da_consultation"
        ]
    assert recorded[0]["payload"] == {
        "position": "supports",
        "consulted": "ADA Thomas Greene",
        "on": TODAY.isoformat(),
    }
    assert recorded[0]["role"] == "certifier"
    assert recorded[0]["notes"] == "Consulted by phone."
