"""Intake throughput and history verification time, each beside a baseline from the same run.

    python bench/bench_core.py [--requests 400] [--cases 10000]

Goals (issue 2): intake >= 200 requests/s without attachments on SQLite;
verifying 10,000 cases x 8 events in under 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT.parent / "shared" / "examples"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--cases", type=int, default=10_000)
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="cw-bench-"))
    os.environ["CASEWORK_HOME"] = str(home)
    os.environ["CASEWORK_KEY"] = Fernet.generate_key().decode()
    os.environ.pop("CASEWORK_DATABASE_URL", None)

    from sqlalchemy import insert

    from casework.audit import verify_store
    from casework.db import Store
    from casework.history import GENESIS, canonical_bytes, event_hash
    from casework.intake.service import store_request
    from casework.intake.validate import validate_request
    from casework.migrate import upgrade
    from casework.models import Case, CaseEvent
    from casework.setup_data import load_demo

    store = Store()
    upgrade(store)
    with store.unit_of_work() as s:
        load_demo(s)
    raw = json.loads((EXAMPLES / "request-u-domestic-violence.json").read_text())
    today = dt.date(2026, 11, 26)

    def requests(n: int, offset: int, with_files: bool) -> list[dict]:  # type: ignore[type-arg]
        out = []
        for i in range(n):
            r = json.loads(json.dumps(raw))
            r["incident"]["police_report_numbers"] = [f"B-{offset + i:07d}"]
            if not with_files:
                r["attachments"] = []
            out.append(r)
        return out

    print(f"# casework core benchmark ({os.cpu_count()} cores, SQLite at {home})")
    for with_files in (False, True):
        batch = requests(
            args.requests if not with_files else args.requests // 2, 10**6 * with_files, with_files
        )
        t0 = time.perf_counter()
        for r in batch:
            valid = validate_request(r, today=today, base_dir=EXAMPLES)
            store_request(store, valid, received=today)
        took = time.perf_counter() - t0
        label = "with 2 PDF attachments" if with_files else "without attachments"
        print(
            f"intake {label:<24} {len(batch) / took:8.1f} requests/s  ({len(batch)} in {took:.2f} s)"
        )

    # Baseline: raw Core inserts of the same case + event rows, one transaction each.
    n = args.requests
    rows = []
    with store.reading() as s:
        sample = s.query(Case).first()
        assert sample is not None
        template = {c.key: getattr(sample, c.key) for c in Case.__table__.columns if c.key != "id"}
        ev = s.query(CaseEvent).first()
        ev_template = {
            c.key: getattr(ev, c.key) for c in CaseEvent.__table__.columns if c.key != "id"
        }
    for i in range(n):
        rows.append({**template, "case_number": f"RAW-{i:07d}"})
    t0 = time.perf_counter()
    for row in rows:
        with store.engine.begin() as conn:
            case_id = conn.execute(insert(Case.__table__).values(row)).inserted_primary_key[0]
            conn.execute(insert(CaseEvent.__table__).values({**ev_template, "case_id": case_id}))
    took = time.perf_counter() - t0
    print(
        f"baseline: raw Core insert of the same rows {n / took:8.1f} rows/s  ({n} in {took:.2f} s)"
    )

    # History verification over cases x 8 events with a real chain.
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
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    case_rows, event_rows, blobs = [], [], []
    base_id = 1_000_000
    for c in range(args.cases):
        number = f"V-U-2025-{c:06d}"
        prev = GENESIS
        for seq, (action, src, dst) in enumerate(actions, start=1):
            e = SimpleNamespace(
                seq=seq,
                action=action,
                from_state=src,
                to_state=dst,
                actor_id=None,
                actor_name="bench",
                actor_role="system",
                occurred_at=start + dt.timedelta(minutes=seq),
                reason=None,
                notes=None,
                outcome=None,
                payload={},
                document_sha256=None,
            )
            h = event_hash(number, e, prev)
            blobs.append(canonical_bytes(number, e, prev))
            event_rows.append({**vars(e), "case_id": base_id + c, "prev_hash": prev, "hash": h})
            prev = h
        case_rows.append(
            {
                **template,
                "id": base_id + c,
                "case_number": number,
                "history_head": prev,
                "event_count": 8,
                "state_": "delivered",
            }
        )
    with store.engine.begin() as conn:
        conn.execute(
            insert(Case.__table__),
            [{("state" if k == "state_" else k): v for k, v in r.items()} for r in case_rows],
        )
        conn.execute(insert(CaseEvent.__table__), event_rows)
    t0 = time.perf_counter()
    with store.reading() as s:
        checked, breaks = verify_store(s)
    took = time.perf_counter() - t0
    breaks = [b for b in breaks if not b.case_number.startswith("RAW-")]  # baseline rows
    assert not breaks, breaks[:3]
    t0 = time.perf_counter()
    for b in blobs:
        hashlib.sha256(b).hexdigest()
    base = time.perf_counter() - t0
    print(
        f"verify-history: {checked} cases ({len(event_rows) + n + args.requests} events) in {took:.2f} s"
    )
    print(f"baseline: SHA-256 of the same {len(blobs)} canonical event bytes in {base:.3f} s")


if __name__ == "__main__":
    main()
