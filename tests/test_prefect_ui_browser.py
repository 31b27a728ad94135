"""The three human steps in the real Prefect UI (v1), in headless Chromium, against the running
workflow stack (Prefect server, served deployments, SMTP sink).

The certifier finds the run by the ``waiting-for:<email>`` tag on the Runs page, opens it,
presses Resume and records the DA consultation, first with a wrong action code: the form
comes back with the reason as its first line, in bold, and everything typed but the code
kept. The certifier then reviews the request from a form prefilled from it and certifies;
the Chief reads the certifier's findings in the form, confirms the draft was read and
approves. No decision is preselected in any of the three forms. The case is delivered.

Notes on the v1 UI of Prefect 3.9.1 (what the selectors below rely on):

- Resume is a button in the run page's header.
- The form's ``<label for=...>`` does not point at the input, so fields are found by their
  ``.schema-form-property__label`` text, not ``get_by_label``.
- Inside the modal, a mouse click on a select's value opens its options and the modal's
  focus handling closes them at once; focusing the control and pressing ArrowDown opens it.
- After a resume the UI shows "Flow run resumed" even when the flow then refuses the
  answer: the reason is seen by opening Resume again.

Screenshots go to pytest's tmp_path; set PREFECT_UI_SCREENSHOT_DIR=docs to refresh
docs/prefect-ui-da.png (the re-asked DA form), docs/prefect-ui-review.png (the review form as
it opens, prefilled from the request, no decision chosen) and docs/prefect-ui-signature.png (the Chief's form with the
certifier's findings).
"""

from __future__ import annotations

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
from tests.conftest import example_request, require_or_skip
from tests.workflow_stack import (
    CHIEF,
    TODAY,
    Stack,
    actions,
    assignee,
    case_info,
    code_for,
    new_case,
    refused,
    wait_state,
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
HOSTILE_CITATION = "see [Approve here](http://evil.example/a) **APPROVE NOW**"


@pytest.fixture(autouse=True, scope="module")
def _chromium_present() -> None:
    """Skip (off CI) or fail (on CI) with the reason when Chromium is missing."""
    if problem := chromium_problem():
        require_or_skip(problem)


@contextmanager
def chromium_page() -> Iterator[Any]:
    """A page in headless Chromium. Open it only after the Prefect calls that dispatch on a
    running event loop (``run_deployment`` in ``new_case``): Playwright's sync API runs one, and
    Prefect would hand back an un-awaited coroutine."""
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p, ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1500})
            pg.set_default_timeout(TIMEOUT_MS)
            sync_api.expect.set_options(timeout=TIMEOUT_MS)  # a loaded 2-core box is slow
            yield pg
        finally:
            sync_api.expect.set_options(timeout=5_000)  # Playwright's default
            browser.close()


def field(dialog: Any, label: str) -> Any:
    """One property of the schema form, by the label the UI shows (``Notes (Optional)``)."""
    return (
        dialog.locator(".schema-form-property")
        .filter(
            has=dialog.page.locator(
                ".schema-form-property__label", has_text=re.compile(rf"^{re.escape(label)}\b")
            )
        )
        .first
    )


def text_of(dialog: Any, label: str) -> Any:
    return field(dialog, label).locator("textarea").first


def select_button(dialog: Any, label: str) -> Any:
    return field(dialog, label).locator("button.p-select-button__control").first


def choose(dialog: Any, label: str, option: str) -> None:
    control = select_button(dialog, label)
    control.focus()
    dialog.page.keyboard.press("ArrowDown")
    dialog.page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    sync_api.expect(dialog.page.get_by_role("listbox")).to_have_count(0)
    sync_api.expect(control).to_have_text(option)


def open_form(page: Any, ui: str, run_id: str, stage: str) -> tuple[Any, Any]:
    """The run page, Resume pressed: (the dialog, the case file shown with the first field)."""
    page.goto(f"{ui}/runs/flow-run/{run_id}")
    heading = page.locator("header.page-heading")
    sync_api.expect(heading).to_contain_text("Suspended")
    sync_api.expect(heading).to_contain_text(f"stage:{stage}")
    heading.get_by_role("button", name="Resume").click()
    dialog = page.get_by_role("dialog")
    sync_api.expect(dialog).to_contain_text("Resume Flow Run")
    case_file = dialog.locator(".schema-form-property").first.locator("article").first
    sync_api.expect(case_file).to_be_visible()
    return dialog, case_file


def show_from(dialog: Any, description: Any, heading: str) -> None:
    """For the screenshot: the dialog scrolled to its top, the description (its own scroll
    box) scrolled to ``heading``, as a person reading the form would."""
    description.evaluate(
        """(article, heading) => {
            const box = (e) => e && (e.scrollHeight > e.clientHeight + 2 ? e : box(e.parentElement));
            for (let e = article; e; e = e.parentElement) {
                if (e.scrollHeight > e.clientHeight + 2) e.scrollTop = 0;
                if (e.classList.contains('p-modal__card')) break;
            }
            const target = [...article.querySelectorAll('*')]
                .find((n) => n.children.length === 0 && n.textContent.startsWith(heading));
            const scroller = box(article);
            if (target && scroller) {
                scroller.scrollTop += target.getBoundingClientRect().top
                    - scroller.getBoundingClientRect().top - 8;
            }
        }""",
        heading,
    )


def submit(page: Any, dialog: Any) -> None:
    dialog.get_by_role("button", name="Submit", exact=True).click()
    sync_api.expect(page.get_by_text("Flow run resumed", exact=True).first).to_be_visible()
    sync_api.expect(dialog).to_have_count(0)


def find_run_by_tag(page: Any, ui: str, number: str, who: str, run_id: str) -> None:
    """The Runs page filtered by the tag that says who the run waits for; open the run."""
    tag = f"waiting-for:{who}"
    page.goto(f"{ui}/runs")
    page.locator(".flow-run-tags-input button.p-select-button__control").click()
    page.keyboard.type(tag)
    page.get_by_role("option", name=tag, exact=True).click()
    sync_api.expect(page).to_have_url(re.compile(r"[?&]tag=" + re.escape(tag)))
    page.keyboard.press("Escape")
    run_link = page.get_by_role("link", name=number, exact=True)
    sync_api.expect(run_link).to_have_count(1)
    run_link.click()
    sync_api.expect(page).to_have_url(f"{ui}/runs/flow-run/{run_id}")
    sync_api.expect(page).to_have_title(re.compile(rf"^Flow Run: {re.escape(number)}\b"))


def test_three_human_steps_in_the_prefect_ui(stack: Stack, tmp_path: Path) -> None:
    expect = sync_api.expect
    shots = Path(os.environ.get("PREFECT_UI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    raw = example_request(
        incident={
            "police_report_numbers": ["UI-0001"],
            "statutory_citations": ["M.G.L. c. 265 s. 13M", HOSTILE_CITATION],
        }
    )
    number = new_case(stack, "UI-0001", raw=raw)
    wait_waiting(stack, number, "da_consultation")
    who = assignee(stack, number)
    code = code_for(stack, who, number)
    ui, run_id = stack.env["PREFECT_UI_URL"], case_info(stack, number)["run"]

    with chromium_page() as page:
        # -- the DA consultation, first with a wrong code --------------------------------------
        find_run_by_tag(page, ui, number, who, run_id)
        dialog, description = open_form(page, ui, run_id, "da_consultation")
        expect(description).to_contain_text(f"Case {number}: record the DA consultation")
        expect(dialog.locator(".schema-form-property").first).to_contain_text("Position")
        expect(description).to_contain_text(who)
        expect(select_button(dialog, "Position")).to_have_text("")  # nothing chosen
        # request text is shown as text: the citation's link is no link
        expect(description).to_contain_text(HOSTILE_CITATION)
        expect(description.locator("a")).to_have_count(0)
        text_of(dialog, "Acting As").fill(who)
        text_of(dialog, "Action Code").fill("WRNG-CODE-2345")
        text_of(dialog, "Consulted Name").fill("ADA Thomas Greene")
        text_of(dialog, "Notes").fill("Consulted by phone.")
        choose(dialog, "Position", "supports")
        submit(page, dialog)
    assert "action code is wrong" in refused(stack, number, 0)
    wait_waiting(stack, number, "da_consultation")
    with chromium_page() as page:
        dialog, description = open_form(page, ui, run_id, "da_consultation")
        first = description.locator(":scope > *").first
        expect(first).to_have_text(re.compile(r"^Not accepted: the action code is wrong"))
        bold = first.locator(".markdown-renderer__text--strong").first
        expect(bold).to_have_text(re.compile(r"^Not accepted: the action code is wrong"))
        expect(text_of(dialog, "Acting As")).to_have_value(who)
        expect(text_of(dialog, "Consulted Name")).to_have_value("ADA Thomas Greene")
        expect(text_of(dialog, "Notes")).to_have_value("Consulted by phone.")
        expect(select_button(dialog, "Position")).to_have_text("supports")
        expect(text_of(dialog, "Action Code")).to_have_value("")  # the code is never kept
        text_of(dialog, "Action Code").fill(code)
        dialog.locator(".p-modal__card").screenshot(path=str(shots / "prefect-ui-da.png"))
        submit(page, dialog)
    wait_waiting(stack, number, "certifier_review")

    # -- the review, prefilled from the request --------------------------------------------------
    with chromium_page() as page:
        dialog, description = open_form(page, ui, run_id, "certifier_review")
        expect(description).to_contain_text(f"Case {number}: review the request")
        expect(select_button(dialog, "Decision")).to_have_text("")  # nothing chosen
        expect(text_of(dialog, "Description")).to_have_value(re.compile("kitchen knife"))
        expect(text_of(dialog, "Helpfulness Narrative")).to_have_value(
            re.compile("^She called 911")
        )
        expect(text_of(dialog, "Activity Dates")).to_have_value("2024-06-14, 2024-07-02")
        expect(select_button(dialog, "Denial Reason")).to_have_text("none")  # a plain select
        expect(dialog.get_by_text("str | None")).to_have_count(0)
        dialog.locator(".p-modal__card").screenshot(path=str(shots / "prefect-ui-review.png"))
        text_of(dialog, "Acting As").fill(who)
        text_of(dialog, "Action Code").fill(code_for(stack, who, number))
        choose(dialog, "Decision", "certify")
        submit(page, dialog)
    wait_waiting(stack, number, "awaiting_signature")

    # -- the Chief, with the certifier's findings in view ----------------------------------------
    with chromium_page() as page:
        dialog, description = open_form(page, ui, run_id, "awaiting_signature")
        expect(description).to_contain_text("The certifier's findings")
        expect(description).to_contain_text("She called 911")  # the helpfulness narrative
        expect(description).to_contain_text("kitchen knife")  # the description
        expect(description).to_contain_text("Is likely to be helpful")
        expect(description).to_contain_text("supports certification")  # the DA's position
        expect(description.locator("a")).to_have_count(0)
        expect(select_button(dialog, "Decision")).to_have_text("")  # nothing chosen
        expect(dialog.get_by_text(re.compile(r"\| None"))).to_have_count(0)  # a date, no switch
        text_of(dialog, "Acting As").fill(CHIEF)
        text_of(dialog, "Action Code").fill(code_for(stack, CHIEF, number))
        choose(dialog, "Decision", "approve")
        toggle = (
            field(dialog, "Reviewed Draft").locator("[role=switch], input[type=checkbox]").first
        )
        toggle.click()
        expect(toggle).to_be_checked()
        show_from(dialog, description, "The certifier's findings")
        dialog.locator(".p-modal__card").screenshot(path=str(shots / "prefect-ui-signature.png"))
        submit(page, dialog)
    wait_state(stack, number, "delivered", timeout=120)

    for name in ("prefect-ui-da.png", "prefect-ui-review.png", "prefect-ui-signature.png"):
        assert (shots / name).stat().st_size > 10_000
    assert actions(stack, number).count("record_da_consultation") == 1
    with stack.store.reading() as s:
        rows = {r["action"]: r for r in history(s, get_case(s, number))}
    assert rows["record_da_consultation"]["payload"] == {
        "position": "supports",
        "consulted": "ADA Thomas Greene",
        "on": TODAY.isoformat(),
    }
    assert rows["record_da_consultation"]["notes"] == "Consulted by phone."
    assert rows["recommend_certification"]["role"] == "certifier"
    assert rows["approve_signature"]["role"] == "chief"
