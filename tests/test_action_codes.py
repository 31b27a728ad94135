"""Action codes that hold: 60 bits in groups of four, kept only as an HMAC under a key from
the key ring, bound to case, step and person, single use, expiring, and void after five
wrong attempts (the Chief is alerted by email and reissues one with ``casework reissue-code``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from casework import actioncodes, workflow
from casework.cli import main
from casework.crypto import _keyring_for
from casework.db import Store
from casework.mailsink import MailSink
from casework.models import ActionCode
from casework.roster import find_person
from casework.steps import waiting
from casework.views import get_case
from tests.humansteps import CHIEF, DA, answer, ask, code_mailed, new_case, state, text

FORMAT = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


def test_codes_are_60_bits_in_groups_of_four(sqlite_store: Store) -> None:
    number = new_case(sqlite_store)
    assert len(set(actioncodes.ALPHABET)) == 32 and not set("01IO") & set(actioncodes.ALPHABET)
    symbols = actioncodes.GROUPS * actioncodes.GROUP_SIZE
    assert symbols * math.log2(len(actioncodes.ALPHABET)) >= 60
    with sqlite_store.unit_of_work() as s:
        case = get_case(s, number)
        person = find_person(s, "dreyes@npd.example.org")
        codes = [actioncodes.issue(s, case, f"da-{i}", person) for i in range(300)]
    assert all(FORMAT.match(c) for c in codes) and len(set(codes)) == 300
    counts = Counter("".join(codes).replace("-", ""))
    assert set(counts) == set(actioncodes.ALPHABET)  # every symbol in use
    expected = 300 * symbols / 32
    chi2 = sum((n - expected) ** 2 / expected for n in counts.values())
    assert chi2 < 80  # 31 degrees of freedom: p < 1e-6 for a uniform source


def test_the_store_holds_no_code_and_no_unkeyed_hash(
    sqlite_store: Store, mail: MailSink, cw_home: Path
) -> None:
    store = sqlite_store
    number = new_case(store)
    workflow.intake(store, number)
    step = ask(store, number)
    code = code_mailed(mail, step.person_email)
    dump = b"".join(p.read_bytes() for p in cw_home.glob("casework.sqlite*"))
    with sqlite3.connect(cw_home / "casework.sqlite") as con:
        dump += "\n".join(con.iterdump()).encode()
    bare = code.replace("-", "")
    with store.reading() as s:
        person_id = s.scalars(select(ActionCode.person_id)).one()
    for candidate in (
        code,
        bare,
        *[
            hashlib.sha256(v.encode()).hexdigest()
            for v in (
                code,
                bare,
                f"{number}|{step.step_key}|{bare}",
                f"{number}|{step.step_key}|{person_id}|{bare}",
            )
        ],
    ):
        assert candidate.encode() not in dump, candidate
    # the stored value is a keyed MAC: under another key ring the right code does not verify
    with store.reading() as s:
        case = get_case(s, number)
        person = find_person(s, step.person_email)
        assert actioncodes.check(s, case, step.step_key, person, code).problem is None
        _keyring_for.cache_clear()
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CASEWORK_KEY", Fernet.generate_key().decode())
            other = actioncodes.check(s, case, step.step_key, person, code)
        _keyring_for.cache_clear()
    assert other.outcome == "wrong_code"


def test_codes_expire_and_are_single_use(
    sqlite_store: Store, mail: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = sqlite_store
    monkeypatch.setenv("CASEWORK_ACTION_CODE_DAYS", "3")
    number = new_case(store)
    workflow.intake(store, number)
    step = ask(store, number)
    code = code_mailed(mail, step.person_email)
    with store.reading() as s:
        row = s.scalars(select(ActionCode)).one()
        lifetime = row.expires_at - row.created_at
    assert lifetime == dt.timedelta(days=3)
    assert f"valid until {(dt.date.today() + dt.timedelta(days=3)).isoformat()}" in text(
        mail.messages[-1]
    )
    with store.unit_of_work() as s:
        s.execute(update(ActionCode).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(1)))
    out = waiting.answer(
        store, number, step.pause_key, {**DA, "acting_as": step.person_email, "action_code": code}
    )
    assert not out.accepted and "expired" in out.message
    # the Chief sends a new code; it works once
    assert main(["reissue-code", number, "--as", CHIEF]) == 0
    new = code_mailed(mail, step.person_email)
    assert new != code
    again = ask(store, number)
    assert waiting.answer(
        store, number, again.pause_key, {**DA, "acting_as": step.person_email, "action_code": new}
    ).accepted
    with store.reading() as s:
        case = get_case(s, number)
        person = find_person(s, step.person_email)
        used = actioncodes.check(s, case, step.step_key, person, new)
    assert used.outcome == "used"


def test_five_wrong_attempts_void_the_code_and_alert_the_chief(
    sqlite_store: Store, mail: MailSink, capsys: pytest.CaptureFixture[str]
) -> None:
    store = sqlite_store
    number = new_case(store)
    workflow.intake(store, number)
    step = ask(store, number)
    right = code_mailed(mail, step.person_email)
    other = next(
        e for e in ("kliu@npd.example.org", "sbrooks@npd.example.org") if e != step.person_email
    )
    wrong = [
        {"acting_as": step.person_email, "action_code": "AAAA-BBBB-CCCC"},
        {"acting_as": other, "action_code": right},  # someone else, with the right code
        {"acting_as": step.person_email, "action_code": "DDDD-EEEE-FFFF"},
        {"acting_as": step.person_email, "action_code": "GGGG-HHHH-JJJJ"},
    ]
    for attempt in wrong:
        pause = waiting.waiting_step(store, number)
        assert pause is not None
        assert not waiting.answer(store, number, pause.pause_key, {**DA, **attempt}).accepted
    assert not [m for m in mail.messages if CHIEF in m["To"]]  # four: no alert yet
    pause = waiting.waiting_step(store, number)
    assert pause is not None
    fifth = {**DA, "acting_as": "mallory@evil.example\nBcc: x", "action_code": right}
    assert not waiting.answer(store, number, pause.pause_key, fifth).accepted
    (alert,) = mail.wait_for(1, timeout=5) and [m for m in mail.messages if CHIEF in m["To"]]
    assert number in alert["Subject"] and "da step" in alert["Subject"]
    body = text(alert)
    assert f"casework reissue-code {number} --as {CHIEF}" in body
    assert "claimed to be: mallory@evil.example Bcc: x\r\n" in body  # one line, as typed
    # the right code no longer works, for anyone
    out = answer(store, mail, number, **DA, action_code=right)
    assert not out.accepted and "void" in out.message
    with store.reading() as s:
        row = s.scalars(select(ActionCode)).one()
        assert row.attempts == 5 and row.voided_at is not None
    # only the Chief may reissue; the rightful person gets the new code and can act
    assert main(["reissue-code", number, "--as", step.person_email]) == 1
    assert "only the Chief" in capsys.readouterr().err
    assert main(["reissue-code", number, "--as", CHIEF]) == 0
    assert step.person_email in capsys.readouterr().out
    new = code_mailed(mail, step.person_email)
    assert new != right
    assert answer(store, mail, number, **DA).accepted
    assert state(store, number) == "certifier_review"
    assert main(["reissue-code", number, "--as", CHIEF]) == 0  # the review waits now: fine
    assert main(["reissue-code", "NPD-U-2026-9999", "--as", CHIEF]) == 1
