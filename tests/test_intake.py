"""Intake: every rule with a request that breaks it, all problems at once, nothing stored."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.blobs import BlobStore
from casework.db import Store
from casework.intake.service import submit
from casework.intake.validate import IntakeRejected, validate_request
from casework.models import Attachment, Case, CaseEvent
from tests import pdfs
from tests.conftest import EXAMPLES, TODAY, example_request, t_request


def problems_for(raw: dict, base_dir: Path = EXAMPLES) -> list[str]:  # type: ignore[type-arg]
    with pytest.raises(IntakeRejected) as info:
        validate_request(raw, today=TODAY, base_dir=base_dir)
    return [str(p) for p in info.value.problems]


def test_the_shared_example_is_valid() -> None:
    valid = validate_request(example_request(), today=TODAY, base_dir=EXAMPLES)
    assert valid.request.visa_type == "U"
    assert [a.filename for a in valid.attachments] == [
        "police-report-24-01187.pdf",
        "victim-statement.pdf",
    ]
    assert all(a.page_count >= 1 for a in valid.attachments)


def test_a_t_request_is_valid() -> None:
    assert validate_request(t_request(), today=TODAY, base_dir=EXAMPLES).request.visa_type == "T"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"visa_type": "X"}, "visa_type: must be one of: U, T"),
        (
            {"requester": {"email": "rdelgado@@pvvac"}},
            "requester.email: is not a valid email address",
        ),
        (
            {"requester": {"email": "no-at-sign.example.org"}},
            "requester.email: is not a valid email address",
        ),
        ({"requester": {"name": ""}}, "requester.name: must not be empty"),
        (
            {"requester": {"role": "cousin"}},
            "requester.role: must be one of: victim_advocate, attorney",
        ),
        (
            {"victim": {"date_of_birth": "08/03/1991"}},
            "victim.date_of_birth: must be a date written YYYY-MM-DD",
        ),
        (
            {"victim": {"date_of_birth": "1991-02-30"}},
            "victim.date_of_birth: 1991-02-30 is not a real calendar date",
        ),
        ({"victim": {"date_of_birth": "2027-01-01"}}, "victim.date_of_birth: is in the future"),
        (
            {"victim": {"date_of_birth": "1890-01-01"}},
            "victim.date_of_birth: is more than 120 years ago",
        ),
        ({"victim": {"a_number": "12-34"}}, "victim.a_number: an A-Number is 7 to 9 digits"),
        (
            {"victim": {"preferred_language": "Spanish!"}},
            "victim.preferred_language: must be a language code",
        ),
        (
            {"victim": {"immigration_status": "undocumented"}},
            "victim.immigration_status: is not collected: the department does not ask about immigration status",
        ),
        (
            {"incident": {"dates": ["2024-06-14", "2031-01-01"]}},
            "incident.dates[1]: is in the future",
        ),
        (
            {"incident": {"dates": ["1990-01-01"]}},
            "incident.dates[0]: is before the victim's date of birth",
        ),
        ({"incident": {"dates": []}}, "incident.dates: needs at least one entry"),
        (
            {"incident": {"police_report_numbers": []}},
            "incident.police_report_numbers: needs at least one entry",
        ),
        (
            {"incident": {"qualifying_activities": ["jaywalking"]}},
            "incident.qualifying_activities[0]: 'jaywalking' is not a U qualifying crime; choose from: abduction,",
        ),
        (
            {"incident": {"qualifying_activities": ["labor_trafficking"]}},
            "incident.qualifying_activities[0]: 'labor_trafficking' is not a U qualifying crime",
        ),
        (
            {"incident": {"qualifying_activities": ["other_related"]}},
            "incident.other_activity_description: is required when other_related is chosen",
        ),
        (
            {"incident": {"qualifying_activities": ["stalking", "stalking"]}},
            "incident.qualifying_activities: lists an activity twice",
        ),
        (
            {"incident": {"description": ""}},
            "incident.description: must not be empty",
        ),
        (
            {"helpfulness": {"possesses_information": "maybe"}},
            "helpfulness.possesses_information: must be true or false",
        ),
        (
            {"urgency": {"family_member_turning_21_on": "2020-01-01"}},
            "urgency.family_member_turning_21_on: is in the past",
        ),
        ({"attachments": ["missing.pdf"]}, "attachments[0]: missing.pdf does not exist"),
        (
            {"attachments": ["../examples/README.md"]},
            "attachments[0]: ../examples/README.md is not a PDF file",
        ),
        (
            {"attachments": ["../../etc/passwd"]},
            "attachments[0]: ../../etc/passwd is outside the request's folder",
        ),
        ({"surprise": 1}, "surprise: is not a field of a certification request"),
    ],
)
def test_each_rule(changes: dict, expected: str) -> None:  # type: ignore[type-arg]
    found = problems_for(example_request(**changes))
    assert any(p.startswith(expected) for p in found), found


def test_t_requests_use_trafficking_types() -> None:
    raw = t_request()
    raw["incident"]["qualifying_activities"] = ["domestic_violence"]
    assert any("is not a T trafficking type" in p for p in problems_for(raw))


def test_every_problem_is_reported_at_once() -> None:
    raw = example_request(
        requester={"email": "bad"},
        victim={"date_of_birth": "2030-01-01"},
        incident={"qualifying_activities": ["other_related"], "dates": ["2031-05-05"]},
        attachments=["nope.pdf"],
    )
    found = problems_for(raw)
    paths = {p.split(":")[0] for p in found}
    assert {
        "requester.email",
        "victim.date_of_birth",
        "incident.other_activity_description",
        "incident.dates[0]",
        "attachments[0]",
    } <= paths


@pytest.mark.parametrize(
    ("maker", "expected"),
    [
        (pdfs.encrypted_pdf, "is encrypted"),
        (pdfs.javascript_pdf, "contains JavaScript"),
        (pdfs.open_action_launch_pdf, "contains a launch action"),
        (pdfs.embedded_file_pdf, "contains embedded files"),
        (lambda: b"%PDF-1.7\n garbage \x00\x01", "cannot be read as a PDF"),
        (lambda: b"MZ\x90\x00 not a pdf", "is not a PDF file"),
    ],
)
def test_hostile_or_broken_pdfs_are_refused(tmp_path: Path, maker, expected: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "evil.pdf").write_bytes(maker())
    found = problems_for(example_request(attachments=["evil.pdf"]), base_dir=tmp_path)
    assert any(p.startswith("attachments[0]: evil.pdf ") and expected in p for p in found), found


def test_page_and_size_limits(tmp_path: Path) -> None:
    from casework.intake.pdfcheck import check_pdf

    assert "has 4 pages; the limit is 3" in check_pdf(pdfs.plain_pdf(4), max_pages=3).problems
    assert any(
        "the limit is 1 MB" in p
        for p in check_pdf(b"%PDF-" + b"0" * 2_000_000, max_bytes=1_048_576).problems
    )


def _counts(store: Store) -> tuple[int, int, int]:
    with store.reading() as s:
        return (
            s.scalar(select(func.count()).select_from(Case)) or 0,
            s.scalar(select(func.count()).select_from(CaseEvent)) or 0,
            s.scalar(select(func.count()).select_from(Attachment)) or 0,
        )


def test_nothing_is_stored_unless_all_is_valid(store: Store) -> None:
    before = _counts(store)
    with pytest.raises(IntakeRejected):
        submit(
            store,
            example_request(attachments=["police-report-24-01187.pdf", "nope.pdf"]),
            base_dir=EXAMPLES,
            received=TODAY,
        )
    assert _counts(store) == before
    assert list(store.settings.attachments_dir.rglob("*")) == []  # no file left behind


def test_submission_creates_case_with_due_date_and_attachments(store: Store) -> None:
    result = submit(store, example_request(), base_dir=EXAMPLES, received=TODAY)
    assert result.created and result.case_number == "NPD-U-2026-0001"
    assert result.response_due == TODAY + dt.timedelta(days=90)
    t = submit(store, t_request(), base_dir=EXAMPLES, received=TODAY)
    assert t.case_number == "NPD-T-2026-0001"
    with store.reading() as s:
        case = s.scalars(select(Case).where(Case.case_number == result.case_number)).one()
        assert case.state == "submitted" and case.version == 1 and not case.expedited
        assert sorted(a.filename for a in case.attachments) == [
            "police-report-24-01187.pdf",
            "victim-statement.pdf",
        ]
        blobs = BlobStore(store.settings.attachments_dir)
        for a in case.attachments:
            original = (EXAMPLES / a.filename).read_bytes()
            stored = blobs.path_for(a.sha256).read_bytes()  # encrypted at rest
            assert stored != original and b"%PDF" not in stored
            assert blobs.get(a.sha256) == original


def test_urgency_makes_a_case_expedited(store: Store) -> None:
    result = submit(
        store,
        example_request(urgency={"in_removal_proceedings": True}),
        base_dir=EXAMPLES,
        received=TODAY,
    )
    with store.reading() as s:
        assert s.scalars(select(Case).where(Case.case_number == result.case_number)).one().expedited


def test_resubmission_returns_the_existing_case(store: Store) -> None:
    first = submit(store, example_request(), base_dir=EXAMPLES, received=TODAY)
    # same victim written differently, same report number among others
    again = example_request(
        victim={"family_name": "MORALES", "given_name": "lucía"},
        incident={"police_report_numbers": ["99-00001", "24-01187-OF"]},
    )
    second = submit(store, again, base_dir=EXAMPLES, received=TODAY)
    assert (second.case_number, second.created) == (first.case_number, False)
    assert _counts(store)[0] == 1
    other_victim = submit(
        store, example_request(victim={"given_name": "Ana"}), base_dir=EXAMPLES, received=TODAY
    )
    assert other_victim.created and other_victim.case_number != first.case_number


def test_victim_identity_is_encrypted_at_rest(sqlite_store: Store) -> None:
    submit(sqlite_store, example_request(), base_dir=EXAMPLES, received=TODAY)
    db_file = Path(sqlite_store.url.removeprefix("sqlite:///"))
    sqlite_store.dispose()  # flush the WAL into the main file
    raw = db_file.read_bytes() + (
        db_file.with_name(db_file.name + "-wal").read_bytes()
        if db_file.with_name(db_file.name + "-wal").exists()
        else b""
    )
    for secret in (
        b"Morales",
        b"Lucia",
        b"1991-03-08",
        b"kitchen knife",
        b"Laceration",
        b"called 911",
    ):
        assert secret not in raw, secret
    assert b"rdelgado@pvvac.example.org" in raw  # the requester's work contact is not secret
    key_file = sqlite_store.settings.key_file
    assert not key_file.exists() or key_file.read_bytes() not in raw


def test_victim_identity_is_encrypted_on_postgres(pg_store: Store) -> None:
    from sqlalchemy import text

    submit(pg_store, example_request(), base_dir=EXAMPLES, received=TODAY)
    with pg_store.engine.connect() as conn:
        dump = " ".join(str(r) for r in conn.execute(text("SELECT * FROM cases")))
        dump += " ".join(str(r) for r in conn.execute(text("SELECT * FROM incidents")))
    assert "Morales" not in dump and "1991-03-08" not in dump


def test_the_request_folder_may_be_anywhere(tmp_path: Path, sqlite_store: Store) -> None:
    for name in ("police-report-24-01187.pdf", "victim-statement.pdf"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    assert submit(sqlite_store, example_request(), base_dir=tmp_path, received=TODAY).created
