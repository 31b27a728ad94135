"""Run the whole local stack on the embedded defaults and bring one example case to its
first human step. Called by scripts/up.sh; stop with Ctrl-C.

    var/casework/   case store (SQLite), key file, attachments, documents
    var/prefect/    Prefect server database and results
    var/mail/       every email sent, as .eml files
    var/logs/       server, runner, portal logs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from casework.localstack import PY, Process, start_prefect_server, start_runner, wait_for  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefect-port", type=int, default=int(os.environ.get("PREFECT_PORT", 4200)))
    ap.add_argument("--portal-port", type=int, default=8080)
    ap.add_argument("--smtp-port", type=int, default=8025)
    ap.add_argument(
        "--request",
        type=Path,
        default=ROOT.parent / "shared/examples/request-u-domestic-violence.json",
    )
    ap.add_argument(
        "--once", action="store_true", help="stop everything once the example case waits"
    )
    args = ap.parse_args()

    var = Path(os.environ.get("CASEWORK_VAR", ROOT / "var")).resolve()
    logs = var / "logs"
    env = {
        **os.environ,
        "CASEWORK_HOME": os.environ.get("CASEWORK_HOME", str(var / "casework")),
        "CASEWORK_SMTP_HOST": "127.0.0.1",
        "CASEWORK_SMTP_PORT": str(args.smtp_port),
        "CASEWORK_PORTAL_URL": f"http://127.0.0.1:{args.portal_port}",
    }
    procs: list[Process] = []
    try:
        mail = Process(
            [
                PY,
                "-m",
                "casework.mailsink",
                "--port",
                str(args.smtp_port),
                "--dir",
                str(var / "mail"),
            ],
            env,
            logs / "mailsink.log",
        )
        procs.append(mail)
        print("starting the Prefect server (about 15 s)...", flush=True)
        server, prefect = start_prefect_server(var / "prefect", logs, port=args.prefect_port)
        procs.append(server)
        env.update(prefect)
        casework = [PY, "-m", "casework.cli"]
        subprocess.run([*casework, "init", "--demo"], env=env, check=True)
        print("starting the runner and the intake portal...", flush=True)
        procs.append(start_runner(env, logs))
        procs.append(
            Process(
                [*casework, "portal", "--port", str(args.portal_port)], env, logs / "portal.log"
            )
        )
        out = subprocess.run(
            [*casework, "submit", str(args.request)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        print(out.stdout, end="")
        number = out.stdout.strip().splitlines()[-1]

        def waiting() -> str | None:
            shown = subprocess.run(
                [*casework, "list", "--json"], env=env, capture_output=True, text=True, check=True
            )
            case = next(c for c in json.loads(shown.stdout) if c["case_number"] == number)
            return case["state"] if case["state"] == "da_consultation" else None

        wait_for(waiting, 120, f"{number} to reach its first human step", every=1)
        time.sleep(2)
        subprocess.run([*casework, "show", number], env=env, check=True)
        subprocess.run([*casework, "history", number], env=env, check=True)
        ui = env["PREFECT_UI_URL"]
        print(
            f"""
Case {number} waits for the DA consultation record from its certifier.

  Prefect UI (certifiers, the Chief):  {ui}/runs   (filter by tag waiting-for:<email>)
  Intake portal (advocates):           http://127.0.0.1:{args.portal_port}/
  Mail sent (acknowledgment, DA memo,  {var / "mail"}
    the certifier's action code):
  Logs:                                {logs}

Complete the step in the UI (Resume, at the top of the run page) with the certifier's email and the
action code from the mail folder, or from the command line (put the code in a copy of
examples/answers/da-consultation.json first):
  .venv/bin/casework resume {number} --input answer.json
""",
            flush=True,
        )
        if args.once:
            return 0
        print("The stack is running; Ctrl-C stops it.", flush=True)
        while all(p.proc.poll() is None for p in procs):
            time.sleep(1)
        print("a component stopped; see", logs, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for p in reversed(procs):
            p.stop()


if __name__ == "__main__":
    sys.exit(main())
