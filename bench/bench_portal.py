"""Submissions per second through the portal's JSON API, beside ``casework submit``.

Starts the real stack locally: a fresh case store (SQLite in a temporary CASEWORK_HOME,
or --database-url), an SMTP sink for the acknowledgments, and ``casework portal`` under
uvicorn on 127.0.0.1. Then it submits distinct requests (no attachments; two 1 MB PDFs)
through POST /api/requests and the same requests through ``casework submit --no-flow``
(one process per request, as a script would run it) and through the intake function
in-process, and prints one table.

    .venv/bin/python bench/bench_portal.py [--n 40] [--cli-n 8] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT.parent / "shared" / "examples" / "request-u-domestic-violence.json"


def request(i: int, tag: str, attachments: list[str]) -> dict[str, Any]:
    raw = json.loads(EXAMPLE.read_text())
    raw["incident"]["police_report_numbers"] = [f"{tag}-{i:05d}-OF"]
    raw["attachments"] = attachments
    return raw


def timed(n: int, one: Callable[[int], None], concurrency: int = 1) -> float:
    start = time.perf_counter()
    if concurrency == 1:
        for i in range(n):
            one(i)
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, range(n)))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="API submissions per variant")
    parser.add_argument("--cli-n", type=int, default=8, help="casework submit runs per variant")
    parser.add_argument("--concurrency", type=int, default=1, help="parallel API clients")
    parser.add_argument(
        "--database-url", default=None, help="e.g. postgresql://... (default SQLite)"
    )
    args = parser.parse_args()

    from tests.portal_testing import free_port, padded_pdf, smtp_sink

    home = Path(tempfile.mkdtemp(prefix="casework-bench-"))
    env = {
        **os.environ,
        "CASEWORK_HOME": str(home),
        "CASEWORK_PORTAL_SUBMITS_PER_MINUTE": "0",  # 0: no limit (the bench is one address)
        "CASEWORK_PORTAL_LOOKUPS_PER_MINUTE": "0",
        "CASEWORK_PORTAL_START_WORKFLOW": "0",  # same as `casework submit --no-flow`
    }
    if args.database_url:
        env["CASEWORK_DATABASE_URL"] = args.database_url
    cli = [sys.executable, "-m", "casework.cli"]
    subprocess.run([*cli, "init", "--demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    pdf = padded_pdf(1_000_000)
    names = ["report-1mb.pdf", "statement-1mb.pdf"]
    for name in names:
        (home / name).write_bytes(pdf)
    results: list[tuple[str, int, float]] = []

    with smtp_sink() as (sink, smtp_port):
        env["CASEWORK_SMTP_HOST"] = "127.0.0.1"
        env["CASEWORK_SMTP_PORT"] = str(smtp_port)
        port = free_port()
        server = subprocess.Popen(
            [*cli, "portal", "--port", str(port), "--log-level", "warning"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the portal did not start")
                    time.sleep(0.1)

                def api(tag: str, files: dict[str, bytes]) -> Callable[[int], None]:
                    def one(i: int) -> None:
                        parts: list[tuple[str, Any]] = [
                            (
                                "request",
                                (
                                    None,
                                    json.dumps(request(i, tag, list(files))),
                                    "application/json",
                                ),
                            )
                        ]
                        parts += [("files", (n, d, "application/pdf")) for n, d in files.items()]
                        resp = client.post("/api/requests", files=parts)
                        if resp.status_code != 201:
                            raise SystemExit(
                                f"API refused a request: {resp.status_code} {resp.text[:300]}"
                            )

                    return one

                client.post(
                    "/api/requests", files=[("request", (None, json.dumps(request(0, "WARM", []))))]
                )
                t = timed(args.n, api("API0", {}), args.concurrency)
                results.append(("POST /api/requests, no attachments", args.n, t))
                t = timed(args.n, api("API2", dict.fromkeys(names, pdf)), args.concurrency)
                results.append(("POST /api/requests, two 1 MB PDFs", args.n, t))
        finally:
            server.terminate()
            server.wait(timeout=30)

        def cli_submit(tag: str, attachments: list[str]) -> Callable[[int], None]:
            def one(i: int) -> None:
                path = home / f"{tag}-{i}.json"
                path.write_text(json.dumps(request(i, tag, attachments)))
                done = subprocess.run(
                    [*cli, "submit", str(path), "--no-flow"], env=env, cwd=ROOT, capture_output=True
                )
                if done.returncode != 0:
                    raise SystemExit(f"casework submit failed: {done.stderr.decode()[:300]}")

            return one

        t = timed(args.cli_n, cli_submit("CLI0", []))
        results.append(("casework submit (a process each), no attachments", args.cli_n, t))
        t = timed(args.cli_n, cli_submit("CLI2", names))
        results.append(("casework submit (a process each), two 1 MB PDFs", args.cli_n, t))

        os.environ.update(env)
        from casework.db import Store
        from casework.intake.service import submit

        store = Store()

        def in_process(tag: str, attachments: list[str]) -> Callable[[int], None]:
            def one(i: int) -> None:
                submit(store, request(i, tag, attachments), base_dir=home)

            return one

        t = timed(args.n, in_process("FN0", []))
        results.append(("intake submit() in-process, no attachments", args.n, t))
        t = timed(args.n, in_process("FN2", names))
        results.append(("intake submit() in-process, two 1 MB PDFs", args.n, t))
        store.dispose()
        emails = len(sink.messages)

    db = args.database_url.split("@")[-1] if args.database_url else f"SQLite in {home}"
    print(f"portal benchmark: {db}; API clients: {args.concurrency}; {emails} acknowledgments sent")
    print(f"{'path':<52} {'n':>4} {'seconds':>8} {'per second':>11}")
    for label, n, seconds in results:
        print(f"{label:<52} {n:>4} {seconds:>8.2f} {n / seconds:>11.1f}")
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
