"""The executive order's registers: entries recorded through the one door, the policies
refused by name with nothing stored, CSV imports all or none (every bad row named by line and
column), the counts in the Mayor's record, and a tampered register named by verify-history."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from casework.audit import verify
from casework.cli import main
from casework.db import Store
from casework.models_registers import DetainerEntry, LanguageEntry, RegisterHead, StopEntry
from casework.registers import door
from casework.registers.schema import LanguageIn, StopIn

TODAY = dt.date.today()
DAY = (TODAY - dt.timedelta(days=40)).isoformat()
SUPERVISOR = "rhaines@npd.example.org"


def detainer(**changes: Any) -> dict[str, Any]:
    entry = {
        "received_on": DAY,
        "form": "I-247A",
        "booking_number": "B-2026-00113",
        "criminal_charge": "Assault and battery with a dangerous weapon (G.L. c. 265, s. 15A)",
        "judicial_warrant": {"court": "Hampshire Superior Court", "number": "2679CR00012"},
        "decision": "honored",
        "decided_by": SUPERVISOR,
        "notes": "Warrant checked with the court clerk.",
    }
    entry.update(changes)
    return entry


def stop(**changes: Any) -> dict[str, Any]:
    entry = {
        "occurred_on": DAY,
        "incident_number": "26-01187-MV",
        "outcome": "licensed_driver_arranged",
        "authority": None,
        "offered_opportunity": True,
        "notes": None,
    }
    entry.update(changes)
    return entry


def service(**changes: Any) -> dict[str, Any]:
    entry = {
        "occurred_on": DAY,
        "language": "pt-BR",
        "mode": "phone",
        "context": "call",
        "wait_minutes": 4,
    }
    entry.update(changes)
    return entry


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, name: str, value: Any) -> str:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return str(path)


def counts(store: Store) -> dict[str, int]:
    with store.reading() as s:
        return {
            m.register: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (DetainerEntry, StopEntry, LanguageEntry)
        }


def heads(store: Store) -> dict[str, tuple[str, int]]:
    with store.reading() as s:
        return {h.register: (h.head, h.count) for h in s.scalars(select(RegisterHead))}


def test_each_register_records_what_its_policy_allows_and_refuses_the_rest(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = [
        ("detainer", detainer()),
        ("detainer", detainer(decision="declined", criminal_charge=None, judicial_warrant=None)),
        ("detainer", detainer(decided_by="chief@npd.example.org", form="I-247N")),
        ("stop", stop()),
        (
            "stop",
            stop(
                outcome="towed_statutory",
                authority="G.L. c. 90, s. 22(c)",
                offered_opportunity=False,
            ),
        ),  # fmt: skip
        ("stop", stop(outcome="towed_no_licensed_driver")),
        ("language", service()),
        (
            "language",
            [
                service(language="mam", mode="in_person", wait_minutes=None),
                service(language="es", context="certification"),
            ],
        ),  # fmt: skip
    ]
    for i, (kind, entry) in enumerate(ok):
        code, out, err = cli(capsys, "register", kind, write(tmp_path, f"ok{i}.json", entry))
        assert code == 0, err
        assert f"{kind} register:" in out and "recorded" in out
    assert counts(sqlite_store) == {"detainer": 3, "stop": 3, "language": 3}
    before = heads(sqlite_store)
    refused = [
        # Policy 1: honored only with both a criminal charge and a judicial warrant.
        ("detainer", detainer(judicial_warrant=None), "decision", "no judicial warrant"),
        ("detainer", detainer(criminal_charge=None), "decision", "no criminal charge"),
        ("detainer", detainer(criminal_charge=None, judicial_warrant=None), "decision",
         "no criminal charge and no judicial warrant"),
        ("detainer", detainer(decided_by="kliu@npd.example.org"), "decided_by",
         "does not hold a supervisor role"),
        ("detainer", detainer(decided_by="nobody@npd.example.org"), "decided_by",
         "is not on the roster"),
        ("detainer", detainer(subject_name="Ana Lopez"), "subject_name", "keeps no names"),
        ("detainer", {k: v for k, v in detainer().items() if k != "judicial_warrant"},
         "judicial_warrant", "is required"),
        ("detainer", detainer(form="I-247X"), "form", "I-247A"),
        ("detainer", detainer(booking_number="B-1\u202e"), "booking_number", "bidirectional"),
        # Policy 2: a statutory tow names its authority; otherwise the opportunity is offered.
        ("stop", stop(outcome="towed_statutory"), "authority", "names the statute or regulation"),
        ("stop", stop(offered_opportunity=False), "offered_opportunity",
         "must have been offered the opportunity"),
        ("stop", stop(outcome="towed_no_licensed_driver", offered_opportunity=False),
         "offered_opportunity", "unlicensed-operator policy"),
        ("stop", stop(authority="G.L. c. 90, s. 22(c)"), "authority", "only a tow required"),
        # Policy 3 and plain hygiene.
        ("language", service(language="en"), "language", "other than English"),
        ("language", service(language="Portuguese"), "language", "pattern"),
        ("language", service(context="ana_lopez"), "context", "must be one of: 'call'"),
        ("language", service(wait_minutes=-3), "wait_minutes", "greater than or equal to 0"),
        ("language", service(occurred_on=(TODAY + dt.timedelta(days=2)).isoformat()),
         "occurred_on", "in the future"),
        ("language", service(occurred_on="2025-02-30"), "occurred_on", "not a real calendar date"),
    ]  # fmt: skip
    for i, (kind, entry, field, words) in enumerate(refused):
        code, out, err = cli(capsys, "register", kind, write(tmp_path, f"bad{i}.json", entry))
        assert code == 1, (kind, entry)
        assert "nothing was stored" in err and f"{field}: " in err and words in err, err
        assert "Traceback" not in err and out == ""
    assert "refused under the executive order's detainer policy" in cli(
        capsys, "register", "detainer", write(tmp_path, "again.json", detainer(judicial_warrant=None))
    )[2]  # fmt: skip
    # Nothing of any refusal was stored, and no chain moved.
    assert counts(sqlite_store) == {"detainer": 3, "stop": 3, "language": 3}
    assert heads(sqlite_store) == before
    # A list with one bad entry stores none of it.
    mixed = [service(), service(language="en"), service()]
    code, _, err = cli(capsys, "register", "language", write(tmp_path, "mixed.json", mixed))
    assert code == 1 and "entry 2, language:" in err
    assert counts(sqlite_store)["language"] == 3
    # Files that are not what they should be: one line, no traceback.
    for content, words in (("{", "is not valid JSON"), ("[" * 100 + "]" * 100, "nested too deeply"),
                           ("[]", "a list of 1 to"), ('"text"', "one entry")):  # fmt: skip
        code, _, err = cli(capsys, "register", "stop", write(tmp_path, "odd.json", content))
        assert code == 1 and words in err and "Traceback" not in err
    code, _, err = cli(capsys, "register", "stop", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot be read" in err
    # What was stored: the fields, no name, the decider as on the roster that day.
    with sqlite_store.reading() as s:
        first = s.scalars(select(DetainerEntry).order_by(DetainerEntry.seq)).first()
        assert first is not None
        assert (first.decision, first.warrant_number, first.decided_by_name) == (
            "honored", "2679CR00012", "Robert Haines"
        )  # fmt: skip
        assert first.booking_number == "B-2026-00113" and first.source == "json"
        assert "(shell)" in first.recorded_by
    with sqlite_store.reading() as s:
        result = verify(s)
    assert result.breaks == [] and result.register_entries == 9


CSV_HEAD = "occurred_on,incident_number,outcome,authority,offered_opportunity,notes\n"


def test_a_csv_import_with_bad_rows_stores_nothing_and_names_each_row_and_column(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        f"{DAY},26-00001-MV,licensed_driver_arranged,,true,",
        f'{DAY},26-00002-MV,towed_statutory,"G.L. c. 90, s. 22(c)",no,driver asleep',
        f"{DAY},26-00003-MV,licensed_driver_arranged,,false,",  # line 4: not offered
        f'{DAY},26-00004-MV,towed_no_licensed_driver,,yes,"a note\nover two lines"',
        f"{DAY},26-00005-MV,towed_statutory,,no,",  # line 7 (after the two-line note)
        "2026-13-01,26-00006-MV,licensed_driver_arranged,,true,",  # line 8: no such month
    ]
    path = write(tmp_path, "stops.csv", CSV_HEAD + "\n".join(rows) + "\n")
    code, out, err = cli(capsys, "register", "import", "stop", path)
    assert code == 1 and out == ""
    lines = [x.strip() for x in err.splitlines()[1:]]
    assert lines[0].startswith("line 4, column offered_opportunity: refused under")
    assert lines[1].startswith("line 7, column authority: refused under")
    assert lines[2].startswith("line 8, column occurred_on: ")
    assert len(lines) == 3 and "3 problem(s); nothing was stored" in err
    assert counts(sqlite_store)["stop"] == 0
    # One bad row among good ones in another register: that row and column, and nothing else.
    services = "occurred_on,language,mode,context,wait_minutes\n" + "".join(
        f"{DAY},es,phone,call,{w}\n" for w in ("3", "5", "soon", "")
    )
    code, _, err = cli(capsys, "register", "import", "language", write(tmp_path, "l.csv", services))
    assert code == 1 and err.count("line ") == 1
    assert "line 4, column wait_minutes: Input should be a valid integer" in err
    assert counts(sqlite_store)["language"] == 0
    # Columns the register does not have (a name) and columns missing: refused before any row.
    named = write(tmp_path, "named.csv", CSV_HEAD.replace("notes", "driver_name") + f"{DAY},x,licensed_driver_arranged,,true,Ana\n")  # fmt: skip
    code, _, err = cli(capsys, "register", "import", "stop", named)
    assert code == 1 and "line 1, column driver_name: is not a column" in err
    short = write(tmp_path, "short.csv", "occurred_on,outcome\n2026-01-01,towed_statutory\n")
    code, _, err = cli(capsys, "register", "import", "stop", short)
    assert code == 1 and "the column incident_number is missing" in err
    binary = tmp_path / "latin1.csv"
    binary.write_bytes(CSV_HEAD.encode() + b"2026-01-01,caf\xe9,licensed_driver_arranged,,true,\n")
    code, _, err = cli(capsys, "register", "import", "stop", str(binary))
    assert code == 1 and "line 2: is not UTF-8" in err
    assert counts(sqlite_store)["stop"] == 0
    # Corrected, the same export goes in whole, in order, as one chain.
    rows[2] = rows[2].replace(",false,", ",true,")
    rows[4] = rows[4].replace("towed_statutory,,", 'towed_statutory,"540 CMR 2.05",')
    rows[5] = rows[5].replace("2026-13-01", DAY)
    code, out, err = cli(
        capsys, "register", "import", "stop", write(tmp_path, "ok.csv", CSV_HEAD + "\n".join(rows))
    )
    assert code == 0, err
    assert "6 recorded (entries 1-6)" in out
    with sqlite_store.reading() as s:
        stored = list(s.scalars(select(StopEntry).order_by(StopEntry.seq)))
    assert [e.incident_number for e in stored] == [f"26-0000{i}-MV" for i in range(1, 7)]
    assert stored[3].notes == "a note\nover two lines" and stored[0].source == "csv import"
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]


def test_the_records_report_carries_each_register_part(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = dt.date(TODAY.year - 1, 3, 1)
    entries = {
        "detainer": [detainer(received_on=f"{month:%Y-%m}-0{d}") for d in (2, 3)]
        + [detainer(received_on=f"{month:%Y-%m}-05", decision="declined",
                    criminal_charge=None, judicial_warrant=None) for _ in range(6)],
        "stop": [stop(occurred_on=f"{month:%Y-%m}-1{d}") for d in range(7)]
        + [stop(occurred_on=f"{month:%Y-%m}-20", outcome="towed_statutory",
                authority="G.L. c. 90, s. 22(c)", offered_opportunity=False)],
        "language": [service(occurred_on=f"{month:%Y-%m}-0{d}", wait_minutes=d) for d in range(1, 9)]
        + [service(occurred_on=f"{month:%Y-%m}-21", language="vi", mode="video", context="stop")],
    }  # fmt: skip
    for kind, items in entries.items():
        assert cli(capsys, "register", kind, write(tmp_path, f"{kind}.json", items))[0] == 0
    span = ["--from", f"{month:%Y-%m}-01", "--to", f"{month:%Y-%m}-31"]
    code, out, err = cli(capsys, "report", "records", *span, "--no-suppression", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data)[-4:] == [
        "detainers", "unlicensed_operators", "language_access", "certifications"
    ]  # fmt: skip
    det = data["detainers"]["figures"]
    assert det["detainer_requests"]["received"] == {"declined": 6, "honored": 2, "total": 8}
    assert det["detainer_requests_by_month"][f"{month:%Y-%m}"]["total"] == 8
    assert det["detainer_requests_by_basis"]["neither"] == {"declined": 6, "honored": 0, "total": 6}
    assert det["detainer_requests_by_basis"]["charge_and_warrant"]["honored"] == 2
    assert det["detainer_requests_by_form"]["I-247A"]["total"] == 8
    ops = data["unlicensed_operators"]["figures"]["stops"]
    assert ops["stops"] == {"licensed_driver_arranged": 7, "towed_statutory": 1,
                            "towed_no_licensed_driver": 0, "total": 8}  # fmt: skip
    assert ops["not_offered"]["towed_statutory"] == 1 and ops["not_offered"]["total"] == 1
    lang = data["language_access"]["figures"]
    assert lang["language_services"]["services"]["phone"] == 8
    assert lang["language_services"]["median_wait_minutes"]["phone"] == 4.5
    assert lang["language_services_by_language"]["pt-BR"]["total"] == 8
    assert lang["language_services_by_context"]["stop"] == {
        "in_person": 0, "phone": 0, "video": 1, "translated_document": 0, "total": 1
    }  # fmt: skip
    assert "detainer_requests" in data["detainers"]["definitions"]
    # The public release of that month: small register counts withheld like any other.
    code, out, err = cli(
        capsys, "report", "records", "--period", f"{month:%Y-%m}", "--format", "json"
    )
    assert code == 0, err
    pub = json.loads(out)
    received = pub["detainers"]["figures"]["detainer_requests"]["received"]
    assert received["honored"] == "fewer than 5" and received["declined"] in ("suppressed", 6)
    assert received["declined"] != 6 or received["total"] != 8  # 8 - 6 would give the 2 away
    vi = pub["language_access"]["figures"]["language_services_by_language"]["vi"]
    assert vi["video"] == "fewer than 5"
    # The CSV of the same release has a line per register figure.
    code, out, _ = cli(capsys, "report", "records", "--period", f"{month:%Y-%m}", "--format", "csv")
    assert "public,detainers,detainer_requests,received,honored,fewer than 5" in out


def _drop_guards(store: Store) -> None:
    """A database administrator disables the append-only triggers (in a copy)."""
    with store.engine.begin() as conn:
        for table in ("detainer_register", "stop_register", "language_register", "ledger"):
            if store.engine.dialect.name == "postgresql":
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
            else:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))


def _record(store: Store, kind: str, items: list[Any]) -> None:
    with store.unit_of_work() as s:
        door.record(s, kind, items, who="tester", source="json")


def _breaks(store: Store) -> list[str]:
    with store.reading() as s:
        return [str(b) for b in verify(s).breaks]


def test_the_registers_are_append_only(store: Store) -> None:
    _record(store, "stop", [StopIn.model_validate(stop())])
    for sql in (
        "UPDATE stop_register SET outcome = 'towed_statutory'",
        "DELETE FROM stop_register",
    ):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(sql))
    assert _breaks(store) == []


def test_tampering_with_a_register_is_named_by_verify_history(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(
        store, "stop", [StopIn.model_validate(stop(incident_number=f"26-{i}")) for i in range(3)]
    )
    _record(store, "language", [LanguageIn.model_validate(service()) for _ in range(2)])
    assert _breaks(store) == []
    _drop_guards(store)
    # An entry rewritten (the stop "offered" after all).
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE stop_register SET offered_opportunity = false WHERE seq = 2"))
    found = _breaks(store)
    assert "stop register: entry 2: content does not match its hash" in found
    # ... and its hash recomputed to match, without the key: the ledger's copy disagrees.
    from casework.registers.chain import entry_hash

    with store.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM stop_register WHERE seq = 2")).mappings().one()
        entry = _Plain(row)
        new = entry_hash("stop", entry, row["prev_hash"])
        conn.execute(text("UPDATE stop_register SET hash = :h WHERE seq = 2"), {"h": new})
    found = _breaks(store)
    assert any(
        b.startswith("stop register: stop register entry id") and "it was rewritten" in b
        for b in found
    ), found
    # The last language service deleted: the head and the ledger both notice.
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM language_register WHERE seq = 2"))
    found = _breaks(store)
    assert any(
        b.startswith("language register: history: the register records 2 entries") for b in found
    ), found
    assert any("language register entry it records" in b and "deleted" in b for b in found)
    # An entry added outside the door: not in the ledger.
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO language_register (id, occurred_on, language, mode, context, "
                "wait_minutes, seq, recorded_at, recorded_by, source, prev_hash, hash) "
                "SELECT 99, occurred_on, language, mode, context, wait_minutes, 2, recorded_at, "
                "recorded_by, source, hash, hash FROM language_register WHERE seq = 1"
            )
        )
    found = _breaks(store)
    assert any("is not in the ledger: it was added outside the system" in b for b in found)
    # The command says so and fails.
    if store.engine.dialect.name == "postgresql":
        monkeypatch.setenv("CASEWORK_DATABASE_URL", store.url)
    code = main(["verify-history"])
    out, err = capsys.readouterr()
    assert code == 1 and "BROKEN stop register: entry 3: prev_hash does not match" in err
    assert "BROKEN language register: language register entry id 99: " in err
    assert "5 register entries checked, 2 register(s) broken" in out
    assert "0 case(s) checked, 0 with a broken history" in out


class _Plain:
    """A stored row as the chain reads it (SQLite hands back text for dates and times)."""

    def __init__(self, row: Any):
        values = dict(row)
        for key in ("occurred_on",):
            if isinstance(values[key], str):
                values[key] = dt.date.fromisoformat(values[key])
        if isinstance(values["recorded_at"], str):
            values["recorded_at"] = dt.datetime.fromisoformat(values["recorded_at"])
        if isinstance(values["offered_opportunity"], int):
            values["offered_opportunity"] = bool(values["offered_opportunity"])
        self.__dict__.update(values)


def test_concurrent_recordings_take_turns_on_one_chain(store: Store) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(8):
                item = LanguageIn.model_validate(
                    service(context=["call", "stop", "court"][n], wait_minutes=i)
                )
                _record(store, "language", [item])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.reading() as s:
        seqs = list(s.scalars(select(LanguageEntry.seq).order_by(LanguageEntry.seq)))
    assert seqs == list(range(1, 25))
    assert _breaks(store) == []
