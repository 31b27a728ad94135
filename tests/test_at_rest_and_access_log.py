"""At rest: attachments and documents are unreadable without the key, database and blob files
are 0600, status codes are keyed hashes; every decryption path we own (show, attachments,
portal downloads) writes an access-log entry; the evidence export names what is missing or
altered; the orphan sweep removes only unreferenced, old files."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from casework.access import code_digest, token_digest
from casework.blobs import BlobStore, sweep_orphans
from casework.cli import main
from casework.db import Store
from casework.intake.service import submit
from casework.models import AccessLogEntry, Case, StatusAccess
from casework.steps import record_document
from tests.conftest import EXAMPLES, TODAY, example_request
from tests.test_portal_support import (  # noqa: F401 - fixtures
    api_submit,
    client_fixture,
    csrf_token,
    example_pdfs,
    mail_fixture,
    token_from,
)

PDFS = ("police-report-24-01187.pdf", "victim-statement.pdf")


def _new_case(store: Store) -> str:
    return submit(store, example_request(), base_dir=EXAMPLES, received=TODAY).case_number


def _document(store: Store, number: str, kind: str, data: bytes) -> int:
    with store.unit_of_work() as s:
        case = s.scalars(select(Case).where(Case.case_number == number)).one()
        blobs = BlobStore(store.settings.documents_dir)
        return record_document(s, case, case.version, kind=kind, data=data, blobs=blobs).id


def _log(store: Store) -> list[tuple[str, int | None, str, str]]:
    with store.reading() as s:
        return [
            (e.who, e.case_id, e.what, e.why)
            for e in s.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))
        ]


def test_files_are_unreadable_without_the_key(sqlite_store: Store) -> None:
    number = _new_case(sqlite_store)
    memo = b"%PDF-1.4 DA memo about Lucia Morales, born 1991-03-08"
    _document(sqlite_store, number, "da_memo", memo)
    home = sqlite_store.settings.home
    stored = [p for p in home.rglob("*") if p.is_file() and len(p.name) == 64]
    assert len(stored) == 3  # two attachments, one document
    originals = [(EXAMPLES / n).read_bytes() for n in PDFS] + [memo]
    for path in stored:
        raw = path.read_bytes()
        assert b"%PDF" not in raw and b"Morales" not in raw and raw not in originals
        assert path.stat().st_mode & 0o777 == 0o600
        with pytest.raises(InvalidToken):
            Fernet(Fernet.generate_key()).decrypt(raw)
        assert hashlib.sha256(BlobStore(path.parent.parent).get(path.name)).hexdigest() == path.name


def test_database_files_are_private(sqlite_store: Store) -> None:
    _new_case(sqlite_store)
    with sqlite_store.engine.connect() as conn:  # hold the WAL open while looking
        conn.execute(text("SELECT 1 FROM cases"))
        db = Path(sqlite_store.url.removeprefix("sqlite:///"))
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(f.exists() for f in files)
        for f in files:
            assert f.stat().st_mode & 0o777 == 0o600, f


def test_an_older_readable_database_file_is_tightened(cw_home: Path) -> None:
    db = cw_home / "casework.sqlite"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    Store().dispose()
    assert db.stat().st_mode & 0o777 == 0o600


def test_status_hashes_are_keyed(client: TestClient, sqlite_store: Store) -> None:
    a = api_submit(client, example_request(), example_pdfs()).json()
    with sqlite_store.reading() as s:
        row = s.scalars(select(StatusAccess)).one()
    token = token_from(a["status_url"])
    # a copy of the database alone does not allow an offline search for the code
    assert row.code_hash != code_digest(a["access_code"])
    assert row.token_hash != token_digest(token)
    assert client.get(f"/status/{token}").status_code == 200


def test_show_and_attachments_are_in_the_access_log(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _new_case(sqlite_store)
    assert _log(sqlite_store) == []
    assert main(["show", number]) == 0
    assert main(["attachments", number, "--out", str(tmp_path / "evidence")]) == 0
    entries = _log(sqlite_store)
    assert [(e[2].split()[0], e[3]) for e in entries] == [
        ("victim", "casework show"),
        ("2", "casework attachments"),
    ]
    assert all(e[1] is not None and "(shell)" in e[0] for e in entries)
    capsys.readouterr()
    assert main(["access-log", number]) == 0
    out = capsys.readouterr().out
    assert out.count(number) == 2 and "casework show" in out and "2 entries" in out
    assert (
        main(["access-log", "--since", (dt.date.today() + dt.timedelta(days=1)).isoformat()]) == 0
    )
    assert "0 entries" in capsys.readouterr().out
    assert main(["verify-history"]) == 0  # the entries are in the ledger


def test_portal_downloads_are_in_the_access_log(client: TestClient, sqlite_store: Store) -> None:
    a = api_submit(client, example_request(), example_pdfs()).json()
    letter = example_pdfs()["victim-statement.pdf"]
    doc_id = _document(sqlite_store, a["case_number"], "acknowledgment", letter)
    token = token_from(a["status_url"])
    got = client.get(f"/status/{token}/documents/{doc_id}")
    assert got.status_code == 200 and got.content == letter  # decrypted for the requester
    assert client.get(f"/api/requests/{token}/documents/{doc_id}").content == letter
    csrf = csrf_token(client, "/status")
    data = {
        "case_number": a["case_number"],
        "email": "rdelgado@pvvac.example.org",
        "code": a["access_code"],
        "csrf_token": csrf,
    }
    assert client.post("/status", data=data, follow_redirects=False).status_code == 303
    assert client.get(f"/my-case/documents/{doc_id}").content == letter
    entries = _log(sqlite_store)
    assert [e[0] for e in entries] == [
        "requester rdelgado@pvvac.example.org (status link)",
        "requester rdelgado@pvvac.example.org (API)",
        "requester rdelgado@pvvac.example.org (lookup code)",
    ]
    assert {e[3] for e in entries} == {"portal document download"}
    assert client.get(f"/status/{token}/documents/{doc_id + 99}").status_code == 404
    assert len(_log(sqlite_store)) == 3  # nothing decrypted, nothing logged


def test_export_writes_the_files_as_submitted_and_names_what_is_wrong(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _new_case(sqlite_store)
    out = tmp_path / "evidence"
    assert main(["attachments", number, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(PDFS)
    for name in PDFS:
        assert (out / name).read_bytes() == (EXAMPLES / name).read_bytes()
    blobs = BlobStore(sqlite_store.settings.attachments_dir)
    with sqlite_store.reading() as s:
        case = s.scalars(select(Case).where(Case.case_number == number)).one()
        by_name = {a.filename: a.sha256 for a in case.attachments}
    blobs.path_for(by_name[PDFS[0]]).unlink()
    altered = blobs.path_for(by_name[PDFS[1]])
    altered.write_bytes(Fernet(os.environ["CASEWORK_KEY"]).encrypt(b"%PDF-1.4 altered"))
    capsys.readouterr()
    assert main(["attachments", number, "--out", str(tmp_path / "again")]) == 1
    err = capsys.readouterr().err
    assert f"NOT EXPORTED {PDFS[0]}: the stored file is missing" in err
    assert f"NOT EXPORTED {PDFS[1]}: does not match its recorded SHA-256" in err
    assert list((tmp_path / "again").iterdir()) == []


def test_the_orphan_sweep_removes_only_unreferenced_old_files(sqlite_store: Store) -> None:
    _new_case(sqlite_store)
    blobs = BlobStore(sqlite_store.settings.attachments_dir)
    old_orphan, _ = blobs.put(b"%PDF-1.4 left behind by a killed submission")
    new_orphan, _ = blobs.put(b"%PDF-1.4 a submission still in flight")
    hour_ago = time.time() - 7200
    for digest in (*blobs.digests(),):
        if digest != new_orphan:
            os.utime(blobs.path_for(digest), (hour_ago, hour_ago))
    result = sweep_orphans(sqlite_store)
    assert [p.name for p in result.removed] == [old_orphan]
    assert sorted(blobs.digests()) == sorted(
        [new_orphan, *(hashlib.sha256((EXAMPLES / n).read_bytes()).hexdigest() for n in PDFS)]
    )


def test_a_reused_file_is_refreshed_so_the_sweep_keeps_it(sqlite_store: Store) -> None:
    blobs = BlobStore(sqlite_store.settings.attachments_dir)
    digest, created = blobs.put(b"%PDF-1.4 shared")
    os.utime(blobs.path_for(digest), (0, 0))
    assert blobs.put(b"%PDF-1.4 shared") == (digest, False)
    assert sweep_orphans(sqlite_store).removed == []


def test_a_damaged_file_is_replaced_on_the_next_put(sqlite_store: Store) -> None:
    blobs = BlobStore(sqlite_store.settings.attachments_dir)
    digest, _ = blobs.put(b"%PDF-1.4 evidence")
    blobs.path_for(digest).write_bytes(b"garbage")
    assert blobs.put(b"%PDF-1.4 evidence") == (digest, True)
    assert blobs.get(digest) == b"%PDF-1.4 evidence"


def test_the_access_log_refuses_a_session_that_never_commits(sqlite_store: Store) -> None:
    from casework import accesslog
    from casework.errors import CaseworkError

    with sqlite_store.reading() as s, pytest.raises(CaseworkError, match="unit of work"):
        accesslog.record(s, who="x", case_id=None, what="y", why="z")


def test_a_nested_unit_of_work_on_sqlite_fails_at_once(sqlite_store: Store) -> None:
    with sqlite_store.unit_of_work(), pytest.raises(RuntimeError, match="already open"):  # noqa: SIM117
        with sqlite_store.unit_of_work():
            pass
    with sqlite_store.unit_of_work():  # the count went back down
        pass
