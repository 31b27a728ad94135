"""Prefect keeps nothing identifying or secret. A U and a T case, each with a victim, an
A-Number, a narrative and family members no other test uses, go through every human step on
the local stack (one wrong code each, so a refused answer is kept and shown again) to
delivery. Then every table of Prefect's database (PostgreSQL or SQLite) and every file under
the stack's data folders (the case store's home, Prefect's home with its result storage, the
logs; the mail folder aside) are searched for each name, date of birth, A-Number, narrative
phrase, family member's name and action code, in the forms they could be written in, inside
base64 too (persisted results are base64 in JSON). The database files are 0600."""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from tests.conftest import example_request
from tests.workflow_stack import (
    CODE_LINE,
    Stack,
    approval,
    assignee,
    body,
    certify_answer,
    code_for,
    da_answer,
    new_case,
    plain,
    prefect_tables,
    refused,
    resume,
    run_inputs,
    run_state,
    wait_for,
    wait_state,
    wait_waiting,
)

pytestmark = pytest.mark.prefect


@dataclass(frozen=True)
class Victim:
    """Everything about one victim that must never leave the case store, bar the delivery."""

    visa: str
    report: str
    family: str
    given: str
    middle: str
    other: str  # another name used
    born: str  # ISO
    a_number: str  # nine digits
    description: str
    injuries: str
    summary: str  # the request's helpfulness summary
    finding: str  # the certifier's own description
    relative: tuple[str, str]  # a family member implicated: family, given
    involvement: str

    def request(self) -> dict[str, Any]:
        raw = example_request(
            visa_type=self.visa,
            victim={
                "family_name": self.family,
                "given_name": self.given,
                "middle_name": self.middle,
                "other_names": [{"family_name": self.other, "given_name": self.given}],
                "date_of_birth": self.born,
                "a_number": f"A-{self.a_number[:3]}-{self.a_number[3:6]}-{self.a_number[6:]}",
            },
            incident={
                "police_report_numbers": [self.report],
                "description": self.description,
                "known_injuries": self.injuries,
            },
            helpfulness={"summary": self.summary},
            family_members_implicated=[self.member("")],
        )
        if self.visa == "T":
            raw["incident"]["qualifying_activities"] = ["labor_trafficking"]
            raw["incident"]["statutory_citations"] = ["M.G.L. c. 265 s. 51"]
        return raw

    def member(self, involvement: str | None = None) -> dict[str, str]:
        return {
            "family_name": self.relative[0],
            "given_name": self.relative[1],
            "middle_name": "",
            "relationship": "uncle",
            "involvement": self.involvement if involvement is None else involvement,
        }

    def findings(self, who: str, code: str) -> dict[str, Any]:
        extra: dict[str, Any] = (
            {"qualifying_activities": ["labor_trafficking"], "statutory_citations": "M.G.L. c. 265 s. 51"}
            if self.visa == "T"
            else {}
        )  # fmt: skip
        return certify_answer(
            who,
            code,
            description=self.finding,
            known_injuries=self.injuries,
            helpfulness_narrative=self.summary,
            family_members=[self.member()],
            **extra,
        )

    def needles(self) -> list[str]:
        """Each secret in the forms it could be written in."""
        y, m, d = self.born.split("-")
        month = ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"][int(m) - 1]  # fmt: skip
        a = self.a_number
        return [
            self.family,
            self.given,
            self.middle,
            self.other,
            self.born,
            f"{m}/{d}/{y}",
            f"{d}/{m}/{y}",
            f"{month} {int(d)}, {y}",
            f"{y}{m}{d}",
            a,
            f"A{a}",
            f"{a[:3]}-{a[3:6]}-{a[6:]}",
            *phrases(self.description, self.injuries, self.summary, self.finding, self.involvement),
            *self.relative,
        ]


def phrases(*texts: str) -> list[str]:
    """Every run of four words of each narrative (a phrase is what a leak would show)."""
    out = []
    for t in texts:
        words = t.split()
        out += [" ".join(words[i : i + 4]) for i in range(max(len(words) - 3, 1))]
    return out


U = Victim(
    visa="U",
    report="PRIV-U-0001",
    family="Quillfeather",
    given="Temperance",
    middle="Oriel",
    other="Brightwater",
    born="1987-11-23",
    a_number="208417396",
    description="The landlord of her cousin struck her beneath the blue tarpaulin at the quarry",
    injuries="Fractured left clavicle and bruised kneecaps",
    summary="She identified the getaway van by its dented tailgate",
    finding="Struck beneath the blue tarpaulin, then chased along the towpath",
    relative=("Hargreave", "Zebulon"),
    involvement="Drove the landlord to the quarry twice",
)
T = Victim(
    visa="T",
    report="PRIV-T-0001",
    family="Vantongeren",
    given="Marisol",
    middle="Ysolde",
    other="Castellaw",
    born="1993-02-17",
    a_number="077123458",
    description="Forced to sew garments in the locked basement of the laundromat",
    injuries="Chemical burns on both wrists from the steam press",
    summary="She kept a ledger of unpaid shifts hidden in a hymnal",
    finding="Kept sewing in the locked basement for fourteen months unpaid",
    relative=("Drummondsey", "Ignatius"),
    involvement="Collected her wages at the laundromat every Friday",
)


def haystack(raw: bytes) -> str:
    """The bytes as text, with every base64 run decoded beside it and backslash escapes
    (markdown, JSON) undone: a secret hidden in a persisted result or escaped still shows."""
    parts = [raw]
    for run in re.findall(rb"[A-Za-z0-9+/_-]{24,}={0,2}", raw):
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            with contextlib.suppress(binascii.Error, ValueError):
                parts.append(decode(run + b"=" * (-len(run) % 4)))
    found = "\n".join(p.decode("utf-8", "replace") for p in parts)
    return found + "\n" + plain(found)


def data_files(stack: Stack) -> list[Path]:
    base = stack.logs.parent
    mail = base / "mail"
    return [p for p in base.rglob("*") if p.is_file() and mail not in p.parents]


def checkpoint(url: str) -> None:
    """Prefect on SQLite: write the write-ahead log back into the database and empty it, as
    SQLite does when the server stops. Deleted rows are overwritten in the database file
    (SQLite built with SECURE_DELETE, as Debian's is), but until a checkpoint the WAL still
    holds the pages as they were before the delete: the run inputs the flow deleted. On
    PostgreSQL (production, and the test stack wherever PostgreSQL answers) Prefect's data is
    outside the data folders; its tables are scanned above either way."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA secure_delete")).scalar() == 1
            busy, _, _ = conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
            assert busy == 0, "the Prefect server held the WAL: checkpoint not done"
    finally:
        engine.dispose()


FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_-]+={0,2}")


def ciphertext_or_as_is(raw: bytes) -> bytes:
    """A file that is one Fernet token (an encrypted blob) as the bytes it encodes: its
    base64 letters would match a short name, case aside, by chance (about 1 in 100 runs
    found "ORIel" in a 260 kB document), while plaintext cannot hide in the ciphertext."""
    token = raw.strip()
    if FERNET_TOKEN.fullmatch(token):
        return base64.urlsafe_b64decode(token + b"=" * (-len(token) % 4))
    return raw


def leaks(where: str, content: str, needles: list[str]) -> list[str]:
    low = content.lower()
    return [f"{needle!r} in {where}" for needle in needles if needle.lower() in low]


def through(stack: Stack, victims: list[tuple[Victim, str]], state: str) -> None:
    for _, number in victims:
        wait_waiting(stack, number, state, timeout=120)


def test_prefect_and_the_data_folders_keep_nothing_identifying(stack: Stack) -> None:
    cases = [(v, new_case(stack, v.report, raw=v.request())) for v in (U, T)]
    through(stack, cases, "da_consultation")
    certifiers = {number: assignee(stack, number) for _, number in cases}
    for _, number in cases:  # a wrong code first: the typed answer is kept and shown again
        who = certifiers[number]
        resume(stack, number, da_answer(who, "ZZZZ-ZZZZ-ZZZZ", notes="Consulted by phone."))
    for _, number in cases:
        assert "action code is wrong" in refused(stack, number, 0)
    through(stack, cases, "da_consultation")
    for _, number in cases:
        who = certifiers[number]
        resume(stack, number, da_answer(who, code_for(stack, who, number)))
    through(stack, cases, "certifier_review")
    for victim, number in cases:  # the narrative typed again with a wrong code
        resume(stack, number, victim.findings(certifiers[number], "ZZZZ-ZZZZ-ZZZZ"))
    for _, number in cases:
        assert "action code is wrong" in refused(stack, number, 1)
    through(stack, cases, "certifier_review")
    for victim, number in cases:
        who = certifiers[number]
        resume(stack, number, victim.findings(who, code_for(stack, who, number)))
    through(stack, cases, "awaiting_signature")
    # while the Chief's step waits, its form shows the findings: the scan sees them there
    waiting = haystack(prefect_tables(stack).encode())
    assert leaks("a waiting form", waiting, phrases(U.finding, T.finding))
    for _, number in cases:
        resume(stack, number, approval(stack, number))
    for _, number in cases:
        wait_state(stack, number, "delivered", timeout=180)
        wait_for(lambda n=number: run_state(n, stack).state.is_completed(), 90, "the run's end")
        assert run_inputs(stack, number) == {}

    codes = [
        code
        for m in stack.sink.messages
        if any(number in str(m["Subject"]) for _, number in cases)
        for code in CODE_LINE.findall(body(m))
    ]
    assert len(codes) == 6  # DA, review, signature for each case
    needles = [n for v, _ in cases for n in v.needles()]
    needles += [form for c in codes for form in (c, c.replace("-", ""))]
    # the delivered packet carries the victim's identity (the needles are right)
    packet = next(
        p.get_content()
        for m in stack.sink.messages
        if cases[0][1] in str(m["Subject"])
        for p in m.iter_attachments()
        if p.get_filename() == f"{cases[0][1]}-supplement-b-packet.pdf"
    )
    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(packet)).pages)
    assert leaks("the packet", printed, [U.family, U.given, U.relative[0]])

    found = leaks("Prefect's database", haystack(prefect_tables(stack).encode()), needles)
    if stack.prefect_db.startswith("sqlite"):
        checkpoint(stack.prefect_db)
    for path in data_files(stack):
        found += leaks(str(path), haystack(ciphertext_or_as_is(path.read_bytes())), needles)
    assert found == []

    home = stack.store.settings.home
    databases = [home / "casework.sqlite"]
    databases += [home / f"casework.sqlite-{s}" for s in ("wal", "shm")]
    if stack.prefect_db.startswith("sqlite"):
        prefect_db = Path(stack.prefect_db.removeprefix("sqlite:///"))
        databases += [prefect_db, *(prefect_db.with_name(f"{prefect_db.name}-{s}") for s in ("wal", "shm"))]  # fmt: skip
    assert databases[0].exists()
    for db in databases:
        if db.exists():
            assert stat.S_IMODE(db.stat().st_mode) == 0o600, db


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan itself can fail: a secret in a persisted result (base64 in JSON), escaped as
    markdown, in another case or in a SQLite row is found."""
    secret = "beneath the blue tarpaulin at the quarry"
    pickled = base64.b64encode(b"\x80\x05\x95" + secret.encode() + b"\x94.").decode()
    assert leaks("result", haystack(f'{{"result": "{pickled}"}}'.encode()), [secret])
    assert leaks("form", haystack(rb"beneath the blue tarpaulin at the quarry\."), [secret])
    assert leaks("dob", haystack(b"born 11/23/1987"), U.needles())
    assert leaks("a-number", haystack(b"A\\-208\\-417\\-396"), ["208-417-396"])
    db = tmp_path / "t.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v TEXT)"))
        conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": f"x {U.a_number} y"})
    engine.dispose()
    assert leaks("file", haystack(db.read_bytes()), U.needles())
