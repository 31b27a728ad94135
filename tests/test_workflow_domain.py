"""The workflow's domain steps without Prefect: answers and their checks, idempotent emails and
documents, and the deadline watch (reminders, escalation, delay letters, filing window)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from casework import steps, workflow
from casework.cli import main
from casework.db import Store
from casework.deadlines import last_filing_day
from casework.findings import Findings
from casework.mailsink import MailSink
from casework.models import Document
from casework.roster import chief
from casework.steps import waiting
from casework.views import get_case, history
from tests.helpers import certifier_actor, chief_actor
from tests.humansteps import APPROVE, CERTIFY, CHIEF, DA, TODAY
from tests.humansteps import answer as _answer
from tests.humansteps import ask as _ask
from tests.humansteps import code_mailed as _code
from tests.humansteps import new_case as _case


def test_answers_are_checked_and_refusals_record_nothing(
    sqlite_store: Store, mail: MailSink
) -> None:
    store = sqlite_store
    number = _case(store)
    assert workflow.intake(store, number) == "da_consultation"
    assert workflow.intake(store, number) == "da_consultation"  # a replay does nothing more
    step = _ask(store, number)
    code = _code(mail, step.person_email)
    assert "Response due" in step.description and "Morales" not in step.description
    with store.reading() as s:
        events = get_case(s, number).event_count
    other = (
        "kliu@npd.example.org"
        if step.person_email != "kliu@npd.example.org"
        else "dreyes@npd.example.org"
    )
    me = {"acting_as": step.person_email, "action_code": code}
    refusals = [
        ({"acting_as": step.person_email, "action_code": "XXXX-YYYY-ZZZZ"}, "action code is wrong"),
        ({"acting_as": other, "action_code": code}, "waits for someone else"),
        (
            {"acting_as": "nobody@example.org", "action_code": code},
            "not on the department's roster",
        ),
        ({**me, "consulted_on": "2026-02-30"}, "consulted_on: "),
        ({**me, "position": "maybe"}, "position: choose one of"),
        ({**me, "consulted_on": "2031-01-01"}, "consulted_on: 2031-01-01 is not between"),
        ({**me, "position": None}, "position: "),
    ]
    for i, (who, expected) in enumerate(refusals, start=1):
        pause = waiting.waiting_step(store, number)
        assert pause is not None
        out = waiting.answer(store, number, pause.pause_key, {**DA, **who})
        assert not out.accepted and expected in out.message, out.message
        with store.reading() as s:
            case = get_case(s, number)
            assert (case.event_count, case.step_attempt, case.state) == (
                events,
                i,
                "da_consultation",
            )
            assert expected in (case.last_refusal or "")
    # a stale pause key (the step asked again since) is refused too
    assert not waiting.answer(store, number, step.pause_key, {**DA, **me}).accepted
    out = _answer(store, mail, number, **DA)
    assert out.accepted and out.state == "certifier_review"
    # the code is spent: reusing it on the next step fails (a new code was mailed)
    nxt = _ask(store, number)
    assert nxt.step_key.startswith("review-")
    assert not waiting.answer(
        store,
        number,
        nxt.pause_key,
        {**CERTIFY, "acting_as": nxt.person_email, "action_code": code},
    ).accepted


def test_certification_to_delivery_sends_each_email_once(
    sqlite_store: Store, mail: MailSink
) -> None:
    store = sqlite_store
    number = _case(store)
    workflow.intake(store, number)
    assert _answer(store, mail, number, **DA).accepted
    bad = _answer(store, mail, number, **{**CERTIFY, "activity_dates": "2024-06-14, 2030-01-01"})
    assert not bad.accepted and "activity_dates" in bad.message
    assert _answer(store, mail, number, **CERTIFY).accepted
    assert not _answer(store, mail, number, decision="approve").accepted  # no reviewed_draft
    assert _answer(store, mail, number, **APPROVE).accepted
    assert workflow.deliver_certification(store, number) == "delivered"
    assert workflow.deliver_certification(store, number) == "delivered"  # replay: nothing more
    to_requester = [m for m in mail.messages if "rdelgado" in m["To"]]
    assert [m["Subject"].split(":")[-1].strip() for m in to_requester][0] == "received"
    assert len(to_requester) == 2
    with store.reading() as s:
        case = get_case(s, number)
        kinds = [d.kind for d in s.scalars(select(Document).where(Document.case_id == case.id))]
        actions = [r["action"] for r in history(s, case)]
    assert sorted(kinds) == ["certification_cover", "da_memo", "packet", "supplement_b"]
    assert actions.count("deliver") == 1 and actions.count("record_document") == 4
    for m in mail.messages:  # no victim identity in any subject line
        assert "Morales" not in m["Subject"] and "Lucia" not in m["Subject"]


def _to(mail: MailSink, who: str, words: str) -> list[str]:
    return [m["Subject"] for m in mail.messages if who in m["To"] and words in m["Subject"]]


def test_deadline_watch_alerts_the_chief_before_day_90(sqlite_store: Store, mail: MailSink) -> None:
    store = sqlite_store
    number = _case(store)
    urgent = _case(store, "DOM-2", urgency={"in_detention": True})
    for n in (number, urgent):
        workflow.intake(store, n)
    with store.reading() as s:
        assignee = get_case(s, number).assigned_certifier.email  # type: ignore[union-attr]
    due = TODAY + dt.timedelta(days=90)
    # 20 days left: the 30-day reminder for the ordinary case only (expedited marks are 14/7/2),
    # to the certifier alone
    report = workflow.deadline_watch(store, due - dt.timedelta(days=20))
    assert report.reminders == 1 and report.escalations == 0
    assert workflow.deadline_watch(store, due - dt.timedelta(days=20)).reminders == 0  # once
    assert _to(mail, assignee, "20 days left") and not _to(mail, CHIEF, "days left")
    # 10 days left: the 14-day mark for both, now with the Chief copied
    assert workflow.deadline_watch(store, due - dt.timedelta(days=10)).reminders == 2
    assert len(_to(mail, CHIEF, "10 days left")) == 2
    # 6 days left, nothing answered: the Chief is alerted before day 90 (once per case)
    report = workflow.deadline_watch(store, due - dt.timedelta(days=6))
    assert report.escalations == 2
    assert workflow.deadline_watch(store, due - dt.timedelta(days=5)).escalations == 0
    assert len(_to(mail, CHIEF, "no answer yet")) == 2
    # overdue: a second alert, once
    assert workflow.deadline_watch(store, due + dt.timedelta(days=1)).escalations == 2
    assert workflow.deadline_watch(store, due + dt.timedelta(days=2)).escalations == 0
    assert len(_to(mail, CHIEF, "overdue")) == 2


def test_a_delay_has_a_projected_date_the_watch_keeps(sqlite_store: Store, mail: MailSink) -> None:
    """c. 258F §3(iii): the letter gives a date; reminders and the Chief's alert follow it."""
    store = sqlite_store
    number = _case(store)
    workflow.intake(store, number)
    until = TODAY + dt.timedelta(days=120)
    args = ["delay", number, "--reason", "The DA's office is reviewing related charges."]
    args += ["--process", "We will certify or deny once the DA responds.", "--as", CHIEF]
    assert main([*args, "--until", (TODAY - dt.timedelta(days=1)).isoformat()]) == 1
    assert main([*args, "--until", until.isoformat()]) == 0
    letters = [
        m
        for m in mail.messages
        if any(
            (p.get_filename() or "").endswith("delay-explanation.pdf") for p in m.iter_attachments()
        )
    ]
    assert len(letters) == 1
    body = letters[0].get_body(("plain",)).get_content()
    assert f"Projected date of the response: {until:%B} {until.day}, {until.year}" in body
    assert "circunstancias extraordinarias" not in body  # (the letter PDF carries the Spanish)
    with store.reading() as s:
        case = get_case(s, number)
        assignee = case.assigned_certifier.email  # type: ignore[union-attr]
        delay = [r for r in history(s, case) if r["action"] == "mark_delayed"][0]
    assert delay["payload"]["projected_date"] == until.isoformat()
    # the 90-day clock is answered by the delay letter: no reminder or alert against day 90
    report = workflow.deadline_watch(store, TODAY + dt.timedelta(days=85))
    assert (report.reminders, report.escalations, report.delay_letters) == (0, 0, 0)
    assert (report.delay_reminders, report.delay_escalations) == (0, 0)
    # the projected date: reminders (the Chief copied within 14 days), alert, overdue
    report = workflow.deadline_watch(store, until - dt.timedelta(days=12))
    assert report.delay_reminders == 1 and report.delay_escalations == 0
    assert _to(mail, assignee, "12 days left") and _to(mail, CHIEF, "12 days left")
    report = workflow.deadline_watch(store, until - dt.timedelta(days=3))
    assert (report.delay_reminders, report.delay_escalations) == (1, 1)
    assert _to(mail, CHIEF, "no answer yet")
    assert workflow.deadline_watch(store, until - dt.timedelta(days=2)).delay_escalations == 0
    assert workflow.deadline_watch(store, until + dt.timedelta(days=1)).delay_escalations == 1
    assert _to(mail, CHIEF, "is overdue")


def test_filing_window_warnings_for_u_certifications(sqlite_store: Store, mail: MailSink) -> None:
    store = sqlite_store
    urgent = _case(store, "DOM-2", urgency={"in_detention": True})
    workflow.intake(store, urgent)
    with store.unit_of_work() as s:
        case = get_case(s, urgent)
        steps.record_da_consultation(
            s,
            case,
            certifier_actor(case.assigned_certifier),
            case.version,
            consulted_name="ADA",
            consulted_on=TODAY,
            position="supports",
        )
        steps.recommend_certification(
            s,
            case,
            certifier_actor(case.assigned_certifier),
            case.version,
            findings=Findings(
                visa_type="U",
                **{k: v for k, v in CERTIFY.items() if k not in ("decision", "activity_dates")},
                activity_dates=[dt.date(2024, 6, 14)],
            ),
        )
        steps.approve_signature(
            s,
            case,
            chief_actor(s),
            case.version,
            signature_date=TODAY,
            signer=chief(s),
            signer_title="Chief of Police",
        )
    last = last_filing_day(TODAY)
    assert workflow.deadline_watch(store, last - dt.timedelta(days=40)).filing_warnings == 0
    assert workflow.deadline_watch(store, last - dt.timedelta(days=20)).filing_warnings == 1
    assert workflow.deadline_watch(store, last - dt.timedelta(days=19)).filing_warnings == 0
    assert workflow.deadline_watch(store, last - dt.timedelta(days=5)).filing_warnings == 1


@pytest.mark.parametrize(
    ("signed", "last"),
    [
        (dt.date(2026, 4, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 8, 31), dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 26), dt.date(2027, 5, 25)),
        (dt.date(2026, 12, 31), dt.date(2027, 6, 30)),
    ],
)
def test_last_filing_day(signed: dt.date, last: dt.date) -> None:
    assert last_filing_day(signed) == last
