"""A command on a missing or uninitialised case store says so and creates nothing; answer files
that are not JSON or not an object are refused on one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from casework.cli import main

COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["show", "NPD-U-2026-0001"],
    ["history", "NPD-U-2026-0001", "--json"],
    ["verify-history"],
    ["resume", "NPD-U-2026-0001", "--input", "answer.json"],
    ["reissue-code", "NPD-U-2026-0001", "--as", "chief@npd.example.org"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_no_store_is_said_and_nothing_is_created(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "var"
    monkeypatch.setenv("CASEWORK_HOME", str(home))
    monkeypatch.delenv("CASEWORK_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"no case store at {home / 'casework.sqlite'}; run casework init"
    assert list(tmp_path.iterdir()) == []  # not even the folder
    # an empty file is no case store either, and stays as it was
    home.mkdir()
    (home / "casework.sqlite").write_bytes(b"")
    assert main(args) == 1
    assert "no casework schema" in capsys.readouterr().err
    assert (home / "casework.sqlite").read_bytes() == b""
    assert sorted(p.name for p in home.iterdir()) == ["casework.sqlite"]


def test_another_database_without_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "other.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE t (x)")
    monkeypatch.setenv("CASEWORK_DATABASE_URL", f"sqlite:///{db}")
    assert main(["list"]) == 1
    assert "no casework schema" in capsys.readouterr().err


def test_answer_files_that_cannot_be_read(
    sqlite_store: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for content, reason in (
        (None, "no such file"),
        ('{"acting_as": ', "is not valid JSON"),
        ("[1, 2]", "must hold one JSON object"),
    ):
        answer = tmp_path / "answer.json"
        answer.unlink(missing_ok=True)
        if content is not None:
            answer.write_text(content)
        assert main(["resume", "NPD-U-2026-0001", "--input", str(answer)]) == 1
        err = capsys.readouterr().err
        assert reason in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
