"""Intake throughput under concurrency and history verification time, each beside a baseline
measured in the same run.

    python bench/bench_core.py [--requests 400] [--cases 10000] [--no-pg] [--verify-only]

* Intake: the same requests (without attachments, then with the example's two PDFs) stored by
  1 and by 8 concurrent submitters (separate processes), on SQLite and on PostgreSQL (when
  127.0.0.1:5432 answers, or CASEWORK_TEST_PG), beside a raw Core insert of the same case and
  event rows; the number of cases stored must equal the number sent.
* verify-history: 10,000 cases x 8 events (chains, ledger, MACs) beside SHA-256 of the same
  canonical event bytes. Goal (issue 10): under 1.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT.parent / "shared" / "examples"
TODAY = dt.date(2026, 11, 26)
PG_ADMIN = os.environ.get(
    "CASEWORK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def requests(n: int, tag: str, with_files: bool) -> list[dict[str, Any]]:
    raw = json.loads((EXAMPLES / "request-u-domestic-violence.json").read_text())
    out = []
    for i in range(n):
        r = json.loads(json.dumps(raw))
        r["incident"]["police_report_numbers"] = [f"{tag}-{i:07d}"]
        if not with_files:
            r["attachments"] = []
        out.append(r)
    return out


def _submitter(url: str, batch: list[dict[str, Any]], go: Any) -> None:
    from casework.db import Store
    from casework.intake.service import store_request
    from casework.intake.validate import validate_request

    store = Store(url)
    store.check_keys()
    go.wait()
    for r in batch:
        store_request(store, validate_request(r, today=TODAY, base_dir=EXAMPLES), received=TODAY)
    store.dispose()


def intake(url: str, batch: list[dict[str, Any]], workers: int) -> float:
    """Seconds for ``workers`` processes to store ``batch`` between them."""
    ctx = mp.get_context("fork")
    go = ctx.Event()
    procs = [
        ctx.Process(target=_submitter, args=(url, batch[i::workers], go)) for i in range(workers)
    ]
    for p in procs:
        p.start()
    time.sleep(0.5)  # let every process connect and check its keys
    t0 = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
        assert p.exitcode == 0, f"a submitter failed ({p.exitcode})"
    return time.perf_counter() - t0


def count_cases(store: Any, prefix: str = "NPD-") -> int:
    from sqlalchemy import func, select

    from casework.models import Case

    with store.reading() as s:
        return s.scalar(select(func.count()).where(Case.case_number.like(f"{prefix}%"))) or 0


def raw_insert(store: Any, n: int) -> float:
    """Baseline: the same case + event rows by Core, one transaction each, one writer."""
    from sqlalchemy import insert

    from casework.models import Case, CaseEvent

    with store.reading() as s:
        sample = s.query(Case).first()
        ev = s.query(CaseEvent).first()
        row = {c.key: getattr(sample, c.key) for c in Case.__table__.columns if c.key != "id"}
        ev_row = {c.key: getattr(ev, c.key) for c in CaseEvent.__table__.columns if c.key != "id"}
    t0 = time.perf_counter()
    for _ in range(n):
        with store.engine.begin() as conn:
            values = {("state" if k == "state_" else k): v for k, v in row.items()}
            case_id = conn.execute(
                insert(Case.__table__).values(
                    {**values, "case_number": f"RAW-{uuid.uuid4().hex[:12]}"}
                )
            ).inserted_primary_key[0]
            conn.execute(insert(CaseEvent.__table__).values({**ev_row, "case_id": case_id}))
    return time.perf_counter() - t0


def bench_intake(name: str, url: str, n: int) -> None:
    from casework.db import Store
    from casework.migrate import upgrade
    from casework.setup_data import load_demo

    store = Store(url)
    upgrade(store)
    with store.unit_of_work() as s:
        load_demo(s)
    sent = 0
    for with_files in (False, True):
        size = n if not with_files else n // 4
        label = "2 PDFs" if with_files else "no files"
        for workers in (1, 8):
            batch = requests(size, f"{name}-{workers}-{with_files}", with_files)
            took = intake(url, batch, workers)
            sent += len(batch)
            stored = count_cases(store)
            assert stored == sent, f"{stored} cases stored, {sent} sent"
            print(
                f"{name:<10} intake, {label:<8} {workers} submitter(s): "
                f"{len(batch) / took:7.1f} requests/s ({len(batch)} in {took:.2f} s), "
                f"stored {stored} of {sent} sent"
            )
    took = raw_insert(store, n)
    print(f"{name:<10} baseline: raw Core insert of the same rows: {n / took:7.1f} rows/s")
    store.dispose()


def build_histories(store: Any, cases: int) -> list[bytes]:
    """``cases`` delivered cases x 8 events with real chains, ledger entries and MACs, written
    by Core; returns the canonical bytes of every event (for the baseline)."""
    from sqlalchemy import insert, select, update

    from casework import ledger
    from casework.crypto import keyring
    from casework.history import GENESIS, canonical_bytes, event_hash
    from casework.models import Case, CaseEvent, LedgerEntry, LedgerHead, LedgerMac

    actions = [
        ("submit", None, "submitted"),
        ("assign", "submitted", "submitted"),
        ("start_da_consultation", "submitted", "da_consultation"),
        ("record_da_consultation", "da_consultation", "certifier_review"),
        ("recommend_certification", "certifier_review", "awaiting_signature"),
        ("approve_signature", "awaiting_signature", "certified"),
        ("record_document", "certified", "certified"),
        ("deliver", "certified", "delivered"),
    ]
    with store.reading() as s:
        template = {c.key: getattr(s.query(Case).first(), c.key) for c in Case.__table__.columns}
        key_id = ledger.current_key_id(s, keyring())
        size = s.scalar(select(LedgerHead.size))
        next_event = (s.scalar(select(CaseEvent.id).order_by(CaseEvent.id.desc())) or 0) + 1
    secret = keyring().derive(ledger.PURPOSE)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    case_rows, event_rows, ledger_rows, mac_rows, blobs = [], [], [], [], []
    base_id = 1_000_000
    for c in range(cases):
        number, prev = f"V-U-2025-{c:06d}", GENESIS
        for seq, (action, src, dst) in enumerate(actions, start=1):
            e = SimpleNamespace(
                seq=seq, action=action, from_state=src, to_state=dst, actor_id=None,
                actor_name="bench", actor_role="system",
                occurred_at=start + dt.timedelta(minutes=seq), reason=None, notes=None,
                outcome=None, payload={}, document_sha256=None,
            )  # fmt: skip
            h = event_hash(number, e, prev)
            blobs.append(canonical_bytes(number, e, prev))
            event_id = next_event + len(event_rows)
            event_rows.append(
                {**vars(e), "id": event_id, "case_id": base_id + c, "prev_hash": prev, "hash": h}
            )
            size += 1
            ledger_rows.append(
                {"pos": size, "kind": "event", "ref_id": event_id, "case_id": base_id + c, "item_hash": h}
            )  # fmt: skip
            leaf = ledger.leaf("event", event_id, base_id + c, h)
            mac_rows.append({"pos": size, "key_id": key_id, "mac": ledger.mac(secret, size, leaf)})
            prev = h
        case_rows.append(
            {**template, "id": base_id + c, "case_number": number, "history_head": prev,
             "event_count": 8, "state": "delivered"}
        )  # fmt: skip
    for r in case_rows:
        r.pop("state_", None)
    with store.engine.begin() as conn:
        conn.execute(insert(Case.__table__), case_rows)
        conn.execute(insert(CaseEvent.__table__), event_rows)
        conn.execute(insert(LedgerEntry.__table__), ledger_rows)
        conn.execute(insert(LedgerMac.__table__), mac_rows)
        conn.execute(update(LedgerHead.__table__).values(size=size))
    return blobs


def bench_verify(name: str, url: str, cases: int) -> None:
    from casework import checkpoints
    from casework.audit import verify
    from casework.db import Store
    from casework.migrate import upgrade
    from casework.setup_data import load_demo

    os.environ["CASEWORK_CHECKPOINT_DIR"] = str(Path(os.environ["CASEWORK_HOME"]) / f"cp-{name}")
    store = Store(url)
    upgrade(store)
    with store.unit_of_work() as s:
        load_demo(s)
    store_request_one(store)
    blobs = build_histories(store, cases)
    checkpoints.write_checkpoint(store)
    t0, cpu = time.perf_counter(), time.process_time()
    with store.reading() as s:  # what `casework verify-history` does
        result = verify(s)
    checked, problems = checkpoints.check(store.settings, result.leaves or [])
    took, cpu = time.perf_counter() - t0, time.process_time() - cpu
    assert not result.breaks and not problems, (result.breaks[:3], problems)
    t0 = time.perf_counter()
    for b in blobs:
        hashlib.sha256(b).hexdigest()
    base = time.perf_counter() - t0
    goal = "goal < 1.5 s: " + ("met" if took < 1.5 else "NOT met")
    print(
        f"{name:<10} verify-history (with the checkpoint): {result.checked} cases, "
        f"{len(result.leaves or [])} ledger entries in {took:.2f} s (CPU {cpu:.2f} s; {goal}); "
        f"baseline SHA-256 of the same {len(blobs)} "
        f"canonical event bytes: {base:.3f} s"
    )
    store.dispose()


def store_request_one(store: Any) -> None:
    from casework.intake.service import store_request
    from casework.intake.validate import validate_request

    (r,) = requests(1, "verify", False)
    store_request(store, validate_request(r, today=TODAY, base_dir=EXAMPLES), received=TODAY)


def pg_database() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(
            PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        name = f"casework_corebench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    except Exception as exc:  # noqa: BLE001 - PostgreSQL is optional here
        print(f"# PostgreSQL skipped: {type(exc).__name__}: {str(exc)[:120]}")
        return None


def drop_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--verify-only", action="store_true", help="skip the intake figures")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="cw-bench-"))
    os.environ["CASEWORK_HOME"] = str(home)
    os.environ["CASEWORK_KEY"] = Fernet.generate_key().decode()
    os.environ.pop("CASEWORK_DATABASE_URL", None)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# casework core benchmark ({os.cpu_count()} cores, load {load}, data in {home})")
    backends = [("SQLite", f"sqlite:///{home / 'intake.sqlite'}")]
    pg = None if args.no_pg else pg_database()
    if pg:
        backends.append(("PostgreSQL", pg))
    try:
        for name, url in [] if args.verify_only else backends:
            bench_intake(name, url, args.requests)
        bench_verify("SQLite", f"sqlite:///{home / 'verify.sqlite'}", args.cases)
        if pg:
            drop_pg(pg)
            pg = pg_database()
            if pg:
                bench_verify("PostgreSQL", pg, args.cases)
    finally:
        if pg:
            drop_pg(pg)
        shutil.rmtree(home, ignore_errors=True)  # the bench's stores and its throw-away key


if __name__ == "__main__":
    main()
