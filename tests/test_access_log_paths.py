"""Every path that decrypts a victim's identity or narrative writes an access-log entry (who,
which case, what, why), and only when it decrypts: ``casework form``, the workflow building a
step's form, making the DA memo, the form and the packet, decrypting them to email them, the
Chief's DRAFT. Every action-code attempt is in the access log with the identity it claimed
(not in the case history), and so are the lockout, the Chief's alert and ``reissue-code``;
``casework access-log CASE`` prints them and ``verify-history`` finds them in the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework import workflow
from casework.accesslog import WORKFLOW, local_user
from casework.cli import main
from casework.db import Store
from casework.mailsink import MailSink
from casework.models import AccessLogEntry, Case
from casework.steps import waiting
from casework.views import get_case, history
from tests.humansteps import APPROVE, CERTIFY, CHIEF, DA, answer, ask, new_case

DA_OFFICE = "tgreene@da.example.org"


def log(store: Store, number: str) -> list[tuple[str, str, str]]:
    """(who, what, why) of the case's entries, oldest first."""
    with store.reading() as s:
        case_id = s.scalars(select(Case.id).where(Case.case_number == number)).one()
        rows = s.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.case_id == case_id)
            .order_by(AccessLogEntry.id)
        )
        return [(e.who, e.what, e.why) for e in rows]


def new_entries(store: Store, number: str, before: int) -> list[tuple[str, str, str]]:
    return log(store, number)[before:]


def test_the_workflow_logs_each_decryption_once_it_happens(
    sqlite_store: Store, mail: MailSink
) -> None:
    store = sqlite_store
    number = new_case(store)

    # intake: the DA memo prints the helpfulness summary; the memo is then decrypted to email
    workflow.intake(store, number)
    entries = log(store, number)
    assert entries == [
        (
            WORKFLOW,
            "the request's helpfulness summary (to make the da memo)",
            "document generation",
        ),
        (
            WORKFLOW,
            "the request's helpfulness summary (the da memo, decrypted to be sent)",
            f"to be emailed to {DA_OFFICE}",
        ),
    ]
    workflow.intake(store, number)  # a replay: nothing made, nothing sent, nothing decrypted
    assert len(log(store, number)) == 2

    # the DA form shows no victim data: no entry; the code attempt is one
    da = ask(store, number)
    assignee_email = da.person_email
    assert len(log(store, number)) == 2
    assert answer(store, mail, number, **DA).accepted
    attempts = new_entries(store, number, 2)
    assert [w for w, _, _ in attempts if w == WORKFLOW] == []
    assert attempts[-1] == (
        f"{assignee_email} (claimed)",
        f"action code attempt at step {da.step_key}: accepted",
        "answer to a waiting step",
    )
    before = len(log(store, number))

    # the review form: narrative, summary and family members, built for the certifier
    review = ask(store, number)
    (entry,) = new_entries(store, number, before)
    assert entry[0] == WORKFLOW and entry[1].startswith("the request's narrative")
    assert entry[1].endswith("(the review form)")
    assert entry[2] == f"form of the waiting review step for {assignee_email} (Prefect)"
    assert answer(store, mail, number, **{**review.values, **CERTIFY}).accepted
    before = len(log(store, number))

    # the Chief: the form shows the findings; the email carries the DRAFT form
    chief_step = ask(store, number)
    form_entry, draft_entry = new_entries(store, number, before)
    assert form_entry == (
        WORKFLOW,
        "the certifier's findings: narrative, injuries, helpfulness, family members "
        "(the signature form)",
        f"form of the waiting signature step for {CHIEF} (Prefect)",
    )
    assert draft_entry[0] == WORKFLOW
    assert f"{number}-supplement-b-DRAFT.pdf" in draft_entry[1]
    assert draft_entry[1].startswith("victim identity and the certifier's findings")
    assert (
        draft_entry[2]
        == f"to be emailed to {CHIEF} with the action code for step {chief_step.step_key}"
    )
    ask(store, number)  # asked again (a replay): the form is built again, the email is not sent
    assert len(new_entries(store, number, before)) == 3
    assert answer(store, mail, number, **APPROVE).accepted
    before = len(log(store, number))

    # delivery: the form, the cover letter (reads the form), the packet, the packet emailed
    assert workflow.deliver_certification(store, number) == "delivered"
    made = new_entries(store, number, before)
    identity = "victim identity and the certifier's findings"
    assert made == [
        (WORKFLOW, f"{identity} (to make the supplement b)", "document generation"),
        (WORKFLOW, f"{identity} (the generated form, read to tell a facsimile) (to make the "
         "certification cover)", "document generation"),
        (WORKFLOW, f"{identity} (to make the packet)", "document generation"),
        (WORKFLOW, f"{identity} (the packet, decrypted to be sent)",
         "to be emailed to rdelgado@pvvac.example.org"),
    ]  # fmt: skip
    assert workflow.deliver_certification(store, number) == "delivered"
    assert len(new_entries(store, number, before)) == 4  # a replay decrypts nothing
    assert main(["verify-history", number]) == 0  # every entry is in the ledger


def test_letters_without_victim_data_write_no_entry(sqlite_store: Store, mail: MailSink) -> None:
    store = sqlite_store
    number = new_case(store)
    workflow.intake(store, number)
    assert answer(store, mail, number, **DA).accepted
    deny = {"decision": "deny", "denial_reason": "no_helpfulness"}
    assert answer(store, mail, number, **deny).accepted
    before = len(log(store, number))
    assert workflow.send_letter(store, number, "denial")
    assert new_entries(store, number, before) == []


def test_casework_form_is_in_the_access_log(
    sqlite_store: Store, mail: MailSink, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = sqlite_store
    number = new_case(store)
    workflow.intake(store, number)
    assert answer(store, mail, number, **DA).accepted
    before = len(log(store, number))
    assert main(["form", number, "--out", str(tmp_path / "f.pdf")]) == 1  # no findings yet
    assert len(log(store, number)) == before  # refused before anything was decrypted
    review = ask(store, number)
    assert answer(store, mail, number, **{**review.values, **CERTIFY}).accepted
    before = len(log(store, number))
    out = tmp_path / "form.pdf"
    assert main(["form", number, "--out", str(out)]) == 0
    assert "Morales" in "".join(p.extract_text() for p in PdfReader(out).pages)
    assert new_entries(store, number, before) == [
        (
            local_user(),
            f"victim identity and the certifier's findings (Supplement B written to {out})",
            "casework form",
        )
    ]
    capsys.readouterr()
    assert main(["access-log", number]) == 0
    printed = capsys.readouterr().out
    assert "casework form" in printed and "(the review form)" in printed


def test_action_code_attempts_are_in_the_access_log_not_the_history(
    sqlite_store: Store, mail: MailSink, capsys: pytest.CaptureFixture[str]
) -> None:
    store = sqlite_store
    number = new_case(store)
    workflow.intake(store, number)
    step = ask(store, number)
    me = step.person_email
    other = next(e for e in ("kliu@npd.example.org", "sbrooks@npd.example.org") if e != me)
    hostile = "nobody@evil.example\nBcc: x@evil.example"
    with store.reading() as s:
        events = len(history(s, get_case(s, number)))
    attempts = [  # (acting_as, action code, who is logged, how it ended)
        (me, "AAAA-BBBB-CCCC", me, "wrong_code, wrong attempt 1 of 5"),
        (other, "AAAA-BBBB-CCCC", other, "wrong_person, wrong attempt 2 of 5"),
        (hostile, "A", "nobody@evil.example Bcc: x@evil.example", "unknown_person, wrong attempt 3 of 5"),
        ("", "A", "(no identity given)", "no_identity"),  # refused before the code is looked at
        (me, "DDDD-EEEE-FFFF", me, "wrong_code, wrong attempt 4 of 5"),
        (me, "GGGG-HHHH-JJJJ", me, "wrong_code, wrong attempt 5 of 5"),
    ]  # fmt: skip
    before = len(log(store, number))
    for acting_as, code, _, _ in attempts:
        pause = waiting.waiting_step(store, number)
        assert pause is not None
        raw = {**DA, "acting_as": acting_as, "action_code": code}
        assert not waiting.answer(store, number, pause.pause_key, raw).accepted
    recorded = new_entries(store, number, before)
    assert recorded == [
        (f"{who} (claimed)", f"action code attempt at step {step.step_key}: {outcome}",
         "answer to a waiting step")
        for _, _, who, outcome in attempts
    ] + [
        (WORKFLOW, f"action code for step {step.step_key} void after 5 wrong attempts",
         "action-code lockout"),
        (WORKFLOW, f"lockout of step {step.step_key} (code 1) emailed to the Chief {CHIEF}",
         "action-code lockout alert"),
    ]  # fmt: skip
    (alert,) = [m for m in mail.messages if CHIEF in m["To"]]
    assert "void after 5 wrong attempts" in alert["Subject"]
    # a void code is still an attempt, and logged
    out = answer(store, mail, number, **DA)
    assert not out.accepted and "void" in out.message
    assert log(store, number)[-1][1] == f"action code attempt at step {step.step_key}: void"
    # the reissue, then the right person with the new code
    assert main(["reissue-code", number, "--as", CHIEF]) == 0
    assert log(store, number)[-1] == (
        f"{CHIEF} (as given to the command, by {local_user()})",
        f"action code for step {step.step_key} reissued to {me}",
        "casework reissue-code",
    )
    assert answer(store, mail, number, **DA).accepted
    assert log(store, number)[-1] == (
        f"{me} (claimed)",
        f"action code attempt at step {step.step_key}: accepted",
        "answer to a waiting step",
    )
    # the case history holds the DA consultation, none of the attempts
    with store.reading() as s:
        rows = history(s, get_case(s, number))
    assert [r["action"] for r in rows[events:]] == ["record_da_consultation"]
    assert "attempt" not in str(rows)
    # printed by casework access-log, one line each
    capsys.readouterr()
    assert main(["access-log", number]) == 0
    printed = capsys.readouterr().out.splitlines()
    tried = [line for line in printed if "action code attempt" in line]
    assert len(tried) == 8 and all(number in line for line in tried)
    assert any("nobody@evil.example Bcc: x@evil.example (claimed)" in line for line in tried)
    assert not [line for line in printed if line.startswith("Bcc")]
    assert main(["verify-history", number]) == 0  # in the ledger


def test_a_reader_records_in_a_unit_of_work_of_its_own(sqlite_store: Store) -> None:
    from casework import accesslog

    number = new_case(sqlite_store)
    with sqlite_store.reading() as s:
        case_id = get_case(s, number).id
    accesslog.record_now(sqlite_store, who="w", case_id=case_id, what="x", why="y")
    assert log(sqlite_store, number) == [("w", "x", "y")]
    # never inside another unit of work of the same thread (SQLite would wait on itself)
    with sqlite_store.unit_of_work(), pytest.raises(RuntimeError, match="already open"):
        accesslog.record_now(sqlite_store, who="w", case_id=case_id, what="x", why="y")
    assert len(log(sqlite_store, number)) == 1
