"""Run the whole local stack on the embedded defaults and bring one example case to its
first human step. Called by scripts/up.sh; Ctrl-C or SIGTERM stops everything it started.

Everything lives in one data folder, ``var/`` (or ``$CASEWORK_VAR``), which is also the
``casework`` command's default data folder when run from the repository root:

    var/                 case store (casework.sqlite), key file, attachments, documents
    var/prefect/         Prefect server database and results
    var/mail/            every email sent, as .eml files
    var/logs/            server, runner, portal, mail sink logs
    var/stack.env        the settings of the running stack, for commands in another shell:
                         . var/stack.env && .venv/bin/casework ...

Files are created readable by their owner only (umask 077): the databases hold case data.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from casework.localstack import PY, Process, start_prefect_server, start_runner, wait_for  # noqa: E402

CODE = re.compile(r"action code for this step: ([A-Z0-9]{4}(?:-[A-Z0-9]{4})+)")


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # runs the finally below: every process is stopped


def shown(path: Path) -> str:
    """``path`` as a command run from the repository root can use it."""
    try:
        return shlex.quote(str(path.relative_to(ROOT)))
    except ValueError:
        return shlex.quote(str(path))


def write_env(path: Path, env: dict[str, str]) -> None:
    """The stack's settings for another shell; secrets given in the environment stay out."""
    secret = ("CASEWORK_KEY", "PASSWORD", "AUTH_STRING", "SECRET")
    keys = [
        k
        for k in sorted(env)
        if k.startswith(("CASEWORK_", "PREFECT_")) and not any(s in k for s in secret)
    ]
    lines = [f"export {k}={shlex.quote(env[k])}" for k in keys]
    path.write_text(
        "# the local stack's settings: . " + shown(path) + "\n" + "\n".join(lines) + "\n"
    )


def action_mail(mail_dir: Path, number: str) -> tuple[str, str] | None:
    """(recipient, code) of the newest action-code email for the case in the mail folder."""
    for eml in sorted(mail_dir.glob("*.eml"), reverse=True):
        msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
        if not str(msg["Subject"]).startswith(f"{number}:"):
            continue
        part = msg.get_body(preferencelist=("plain",))
        found = CODE.search(part.get_content() if part is not None else "")  # type: ignore[union-attr]
        if found:
            return str(msg["To"]), found.group(1)
    return None


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
    # Installed explicitly: a process started in the background inherits SIGINT ignored, and
    # Python then never raises KeyboardInterrupt.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _stop)
    os.umask(0o077)

    var = Path(os.environ.get("CASEWORK_VAR") or ROOT / "var").resolve()
    logs = var / "logs"
    var.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "CASEWORK_HOME": os.environ.get("CASEWORK_HOME") or str(var),
        "CASEWORK_SMTP_HOST": "127.0.0.1",
        "CASEWORK_SMTP_PORT": str(args.smtp_port),
        "CASEWORK_PORTAL_URL": f"http://127.0.0.1:{args.portal_port}",
        # The demo has no official USCIS PDF installed: approvals produce the facsimile.
        "CASEWORK_REQUIRE_OFFICIAL_FORMS": os.environ.get("CASEWORK_REQUIRE_OFFICIAL_FORMS", "0"),
    }
    procs: list[Process] = []
    try:
        mail_dir = var / "mail"
        mail = Process(
            [PY, "-m", "casework.mailsink", "--port", str(args.smtp_port), "--dir", str(mail_dir)],
            env,
            logs / "mailsink.log",
            ROOT,
        )
        procs.append(mail)
        print("starting the Prefect server (about 15 s)...", flush=True)
        server, prefect = start_prefect_server(
            var / "prefect", logs, port=args.prefect_port, cwd=ROOT
        )
        procs.append(server)
        # only Prefect's settings: the rest of that dict is this process's environment, which
        # would put back a CASEWORK_SMTP_PORT (or any CASEWORK_*) the caller had exported
        env.update({k: v for k, v in prefect.items() if k.startswith("PREFECT_")})
        env_file = var / "stack.env"
        write_env(env_file, env)
        casework = [PY, "-m", "casework.cli"]
        subprocess.run([*casework, "init", "--demo"], env=env, check=True, cwd=ROOT)
        print("starting the runner and the intake portal...", flush=True)
        procs.append(start_runner(env, logs, cwd=ROOT))
        procs.append(
            Process(
                [*casework, "portal", "--port", str(args.portal_port)],
                env,
                logs / "portal.log",
                ROOT,
            )
        )
        out = subprocess.run(
            [*casework, "submit", str(args.request)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        print(out.stdout, end="")
        number = out.stdout.strip().splitlines()[-1]

        def waiting() -> str | None:
            listed = subprocess.run(
                [*casework, "list", "--json"], env=env, capture_output=True, text=True, check=True
            )
            case = next(c for c in json.loads(listed.stdout) if c["case_number"] == number)
            return case["state"] if case["state"] == "da_consultation" else None

        wait_for(waiting, 120, f"{number} to reach its first human step", every=1)
        mailed = wait_for(lambda: action_mail(mail_dir, number), 60, "the action-code email")
        subprocess.run([*casework, "show", number], env=env, check=True, cwd=ROOT)
        subprocess.run([*casework, "history", number], env=env, check=True, cwd=ROOT)
        ui = env["PREFECT_UI_URL"]
        who, code = mailed
        source = f". {shown(env_file)}"
        print(
            f"""
Case {number} waits for the DA consultation record from its certifier, {who}.

  Prefect UI (certifiers, the Chief):  {ui}/runs   (filter by tag waiting-for:{who})
  Intake portal (advocates):           http://127.0.0.1:{args.portal_port}/
  Mail sent (acknowledgment, DA memo,  {mail_dir}
    the certifier's action code):
  Logs:                                {logs}

Complete the step in the UI (Resume, in the run page's header) with {who} and the action
code {code} (from the email in the mail folder), or from the command line, in the
repository root (the first part loads the stack's settings into the shell):
  {source} && .venv/bin/casework resume {number} --input examples/answers/da-consultation.json --as {who} --code {code}
Then follow the case:
  {source} && .venv/bin/casework history {number}
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
    except SystemExit as stopped:  # SIGINT/SIGTERM/SIGHUP (see _stop)
        return 0 if stopped.code == 128 + signal.SIGINT else int(stopped.code or 0)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut this short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for p in reversed(procs):
            p.stop()


if __name__ == "__main__":
    sys.exit(main())
