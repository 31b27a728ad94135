"""Key rules: a missing or wrong key is refused before anything is read or written, a new
key only comes from `casework init` on an empty store, rotation keeps duplicate detection
working, `keys rotate` moves everything to the newest key (resumably), and no command ever
answers a key problem with a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from casework.access import case_for_code, issue_status_access
from casework.audit import verify_store
from casework.blobs import BlobStore
from casework.cli import main
from casework.crypto import keyring
from casework.db import Store
from casework.models import Case, CaseEvent, KeyCheck
from tests.conftest import EXAMPLES, TODAY, example_request
from tests.test_concurrent_intake import HOLD, ROOT

REQUEST = EXAMPLES / "request-u-domestic-violence.json"


def _submit(path: Path = REQUEST) -> int:
    return main(["submit", "--no-flow", "--received", TODAY.isoformat(), str(path)])


def _counts(home: Path) -> tuple[int, int]:
    store = Store()
    try:
        with store.engine.connect() as conn:
            return (
                conn.scalar(select(func.count()).select_from(Case)) or 0,
                conn.scalar(select(func.count()).select_from(CaseEvent)) or 0,
            )
    finally:
        store.dispose()


@pytest.fixture
def key_file_store(cw_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store initialised the ordinary way: the key in CASEWORK_HOME/casework.key."""
    monkeypatch.delenv("CASEWORK_KEY")
    assert main(["init", "--demo"]) == 0
    key_file = cw_home / "casework.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert _submit() == 0
    return key_file


def test_a_missing_key_file_is_refused_and_never_replaced(
    key_file_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _counts(key_file_store.parent)
    key_file_store.rename(tmp_path / "moved-away.key")
    capsys.readouterr()
    for argv in (
        ["submit", "--no-flow", str(REQUEST)],
        ["list"],
        ["show", "NPD-U-2026-0001"],
        ["verify-history"],
        ["init"],
    ):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert "refused: no encryption key" in err and str(key_file_store) in err, err
        assert "CASEWORK_KEY" in err and "Traceback" not in err
        assert not key_file_store.exists()  # no new key was made
    assert _counts(key_file_store.parent) == before


def test_a_wrong_key_is_refused_and_nothing_is_written(
    key_file_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _counts(key_file_store.parent)
    monkeypatch.setenv("CASEWORK_KEY", Fernet.generate_key().decode())
    capsys.readouterr()
    for argv in (["submit", "--no-flow", str(REQUEST)], ["show", "NPD-U-2026-0001"], ["list"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "is not a key this store was written with" in err
        assert "CASEWORK_KEY (environment variable)" in err and "Traceback" not in err
    assert _counts(key_file_store.parent) == before
    store = Store()
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(KeyCheck)) == 1  # not recorded
    store.dispose()
    monkeypatch.setenv("CASEWORK_KEY", "not-a-key")
    assert main(["list"]) == 1
    assert "is not a Fernet key" in capsys.readouterr().err


def test_a_wrong_key_gives_no_traceback_in_a_new_process(key_file_store: Path) -> None:
    env = dict(os.environ, CASEWORK_KEY=Fernet.generate_key().decode(), PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-m", "casework.cli", "show", "NPD-U-2026-0001"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1 and out.stderr.startswith("refused: ")
    assert "Traceback" not in out.stderr and "Morales" not in out.stdout + out.stderr


def test_init_makes_a_key_only_for_an_empty_store(
    cw_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CASEWORK_KEY")
    assert main(["init"]) == 0
    assert "new encryption key written to" in capsys.readouterr().out
    assert main(["init"]) == 0  # again: the same key, no new one
    assert "new encryption key" not in capsys.readouterr().out
    (cw_home / "casework.key").unlink()
    assert main(["init"]) == 1  # the store recorded a key: refuse to make another
    assert not (cw_home / "casework.key").exists()


def test_rotation_reads_with_both_keys_and_finds_duplicates(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.intake.service import submit

    old = os.environ["CASEWORK_KEY"]
    first = submit(store, example_request(), base_dir=EXAMPLES, received=TODAY)
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("CASEWORK_KEY", f"{new},{old}")
    rotating = Store(store.url)
    again = submit(rotating, example_request(), base_dir=EXAMPLES, received=TODAY)
    assert (again.case_number, again.created) == (first.case_number, False)
    other = submit(
        rotating, example_request(victim={"given_name": "Ana"}), base_dir=EXAMPLES, received=TODAY
    )
    assert other.created
    with rotating.reading() as s:
        assert len(list(s.scalars(select(KeyCheck)))) == 2
        assert verify_store(s) == (2, [])
    rotating.dispose()


def _rotated_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    """A store with a case (attachments, status code, a document) under the old key, then a
    rotation started; returns (old key, new key, status code)."""
    from casework.intake.service import submit
    from casework.steps import record_document
    from casework.views import get_case

    old = os.environ["CASEWORK_KEY"]
    number = submit(store, example_request(), base_dir=EXAMPLES, received=TODAY).case_number
    with store.unit_of_work() as s:
        case = get_case(s, number)
        _, code = issue_status_access(s, case)
        record_document(
            s, case, case.version, kind="da_memo", data=b"%PDF memo",
            blobs=BlobStore(store.settings.documents_dir),
        )  # fmt: skip
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("CASEWORK_KEY", f"{new},{old}")
    return old, new, code


def test_keys_rotate_moves_everything_to_the_newest_key(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new, code = _rotated_store(store, monkeypatch)
    monkeypatch.setenv("CASEWORK_DATABASE_URL", store.url)
    assert main(["keys", "rotate"]) == 0
    assert "1 older key(s) retired" in capsys.readouterr().out

    monkeypatch.setenv("CASEWORK_KEY", new)  # the newest key alone reads everything
    assert main(["show", "NPD-U-2026-0001"]) == 0
    assert "Morales" in capsys.readouterr().out
    assert main(["verify-history"]) == 0
    assert main(["attachments", "NPD-U-2026-0001", "--out", str(store.settings.home / "x")]) == 0
    alone = Store(store.url)
    with alone.reading() as s:
        assert case_for_code(s, "NPD-U-2026-0001", "rdelgado@pvvac.example.org", code)
    docs = BlobStore(store.settings.documents_dir)
    assert [docs.get(d) for d in docs.digests()] == [b"%PDF memo"]
    ring = keyring()
    with alone.reading() as s:  # the person key (§4 count of individuals) is the new key's
        person_key = s.scalar(select(Case.person_key))
    assert person_key == ring.person_key(
        {"family_name": "MORALES", "given_name": "lucía", "date_of_birth": "1991-03-08"}
    )
    alone.dispose()
    capsys.readouterr()
    assert _submit() == 0  # dedupe still finds the case with the new digests
    assert "duplicates an existing case" in capsys.readouterr().out

    monkeypatch.setenv("CASEWORK_KEY", old)  # the old key alone is now refused
    assert main(["list"]) == 1
    assert "was retired by `casework keys rotate`" in capsys.readouterr().err


def test_keys_rotate_resumes_after_being_killed(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old, new, _ = _rotated_store(sqlite_store, monkeypatch)
    env = dict(os.environ, PYTHONPATH=f"{HOLD}{os.pathsep}{ROOT}")
    killed = subprocess.run(
        [sys.executable, "-m", "casework.cli", "keys", "rotate"],
        env=dict(env, CW_TEST_HOLD="kill:rotate-after-files"),
        capture_output=True,
        timeout=60,
    )
    assert killed.returncode == -9
    monkeypatch.setenv("CASEWORK_KEY", new)
    assert main(["verify-history"]) == 1  # the ledger is not sealed under the new key yet
    monkeypatch.setenv("CASEWORK_KEY", f"{new},{old}")
    done = subprocess.run(
        [sys.executable, "-m", "casework.cli", "keys", "rotate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "0 encrypted value(s) re-encrypted" in done.stdout  # done before it was killed
    monkeypatch.setenv("CASEWORK_KEY", new)
    assert main(["verify-history"]) == 0
    assert main(["show", "NPD-U-2026-0001"]) == 0


def test_a_file_encrypted_under_an_unknown_key_is_named(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from casework.crypto import Keyring
    from casework.intake.service import submit

    number = submit(sqlite_store, example_request(), base_dir=EXAMPLES, received=TODAY).case_number
    blobs = BlobStore(sqlite_store.settings.attachments_dir)
    digest = next(blobs.digests())
    stranger = Keyring([Fernet.generate_key()])
    blobs.path_for(digest).write_bytes(stranger.encrypt_bytes(blobs.get(digest)))
    capsys.readouterr()
    assert main(["attachments", number, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "NOT EXPORTED" in err and digest in err and "cannot be decrypted" in err
    assert "Traceback" not in err
    shutil.rmtree(tmp_path / "out")
