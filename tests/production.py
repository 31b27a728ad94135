"""The README's production recipe as processes: a Prefect server on PostgreSQL with basic auth,
the process work pool, ``prefect --no-prompt deploy --all`` from ``prefect.yaml``, workers
(``python -m flows.worker``, each in its own process group) and the case store on PostgreSQL.

Every setting here is one the README's "Production and scaling out" section lists; what a
test adds on top (the crash points, short timings) is marked as such.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from casework.localstack import PY, Process, wait_for
from casework.mailsink import MailSink, free_port
from tests.conftest import PG_ADMIN_URL

REPO = Path(__file__).resolve().parents[1]
CRASHPOINTS = REPO / "tests" / "crashpoints"
AUTH = "casework-admin:prod-test-secret"


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """A new PostgreSQL database (``postgresql+psycopg://...``), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Production:
    base: Path
    logs: Path
    server: Process
    port: int
    server_env: dict[str, str]
    #: what every worker machine and every ``casework``/``prefect`` command is given
    env: dict[str, str]
    sink: MailSink
    store_url: str
    prefect_db: str  # the Prefect server's database, for reading it synchronously
    hold_dir: Path
    workers: dict[str, Process] = field(default_factory=dict)

    def run(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
        """A command as an operator types it, at the repository root."""
        done = subprocess.run(
            list(args),
            env=env or self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done.stdout + done.stderr

    def casework(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
        return self.run(PY, "-m", "casework.cli", *args, env=env, check=check)

    def prefect(self, *args: str) -> str:
        return self.run(PY, "-m", "prefect", *args)

    def start_worker(self, name: str) -> Process:
        """``python -m flows.worker --pool casework`` with its own PREFECT_HOME, started in a
        folder of its own (the code is found through CASEWORK_CODE_DIR when a run starts)."""
        home = self.base / name
        home.mkdir(exist_ok=True)
        env = {**self.env, "PREFECT_HOME": str(home / "prefect")}
        worker = Process(
            [PY, "-m", "flows.worker", "--pool", "casework", "--name", name],
            env,
            self.logs / f"{name}.log",
            cwd=home,
        )
        self.workers[name] = worker
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers.values():
            worker.stop(signal.SIGKILL)

    def worker_of(self, pid: int) -> str:
        """The worker whose process started ``pid`` (walking up the parent processes)."""
        mine = {w.proc.pid: name for name, w in self.workers.items()}
        while pid > 1:
            if pid in mine:
                return mine[pid]
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        raise AssertionError("the held flow process belongs to no worker")

    def kill_worker(self, name: str, flow_pid: int) -> None:
        """SIGKILL the worker's process group and the flow-run process it started."""
        os.killpg(self.workers[name].proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):  # gone with the worker's group
            os.killpg(os.getpgid(flow_pid), signal.SIGKILL)
        self.workers[name].proc.wait(timeout=30)
        wait_for(lambda: not Path(f"/proc/{flow_pid}").exists(), 30, "the flow process to die")


def production(
    cleanup: ExitStack, base: Path, *, silence: int = 45, holds: bool = True
) -> Production:
    """Start the server and set up the pool, the deployments and the case store (no worker).
    ``holds``: the crash points of tests/crashpoints on the workers' PYTHONPATH."""
    logs = base / "logs"
    logs.mkdir(parents=True)
    prefect_db = cleanup.enter_context(fresh_database("prefect_prod"))
    store_db = cleanup.enter_context(fresh_database("casework_prod"))
    sink = MailSink(port=0, folder=base / "mail").start()
    cleanup.callback(sink.stop)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    server_env = {
        **os.environ,
        "PREFECT_HOME": str(base / "server"),
        "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db.replace("+psycopg", "+asyncpg"),
        "PREFECT_SERVER_API_AUTH_STRING": AUTH,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
        "PREFECT_SERVER_UI_V2_ENABLED": "false",
        "PREFECT_UI_API_URL": api,
    }
    for key in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING"):
        server_env.pop(key, None)
    server = Process(
        [PY, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        server_env,
        logs / "prefect-server.log",
        base,
    )
    cleanup.callback(server.stop)

    def healthy() -> bool:
        if server.proc.poll() is not None:
            raise RuntimeError(f"prefect server exited; see {server.log}")
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(healthy, 120, "the Prefect server")
    hold_dir = base / "holds"
    hold_dir.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CASEWORK_", "PREFECT_"))},
        # Prefect: the server, its credentials, a 1 s poll, results every worker can read
        "PREFECT_API_URL": api,
        "PREFECT_API_AUTH_STRING": AUTH,
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
        "PREFECT_LOCAL_STORAGE_PATH": str(base / "shared" / "prefect-results"),
        "PREFECT_HOME": str(base / "operator-prefect"),
        # casework: one shared data folder (documents, attachments), the case store, the key
        "CASEWORK_HOME": str(base / "shared" / "casework"),
        "CASEWORK_DATABASE_URL": store_db,
        "CASEWORK_KEY": Fernet.generate_key().decode(),
        "CASEWORK_SMTP_HOST": "127.0.0.1",
        "CASEWORK_SMTP_PORT": str(sink.port),
        "CASEWORK_MAIL_FROM": "certifications@npd.example.org",
        "CASEWORK_PORTAL_URL": "https://certify.npd.example.org",
        "CASEWORK_CODE_DIR": str(REPO),
        "CASEWORK_REQUIRE_OFFICIAL_FORMS": "0",
        # the test's own: a shorter silence before recovery (and the crash points, below)
        "CASEWORK_RECOVERY_SILENCE_SECONDS": str(silence),
    }
    if holds:
        env["PYTHONPATH"] = str(CRASHPOINTS)
        env["CASEWORK_TEST_HOLDS"] = "documents=casework.documents:assemble_packet"
        env["CASEWORK_TEST_HOLD_DIR"] = str(hold_dir)
    prod = Production(
        base, logs, server, port, server_env, env, sink, store_db, prefect_db, hold_dir
    )
    cleanup.callback(prod.stop_workers)
    prod.casework("init", "--demo")
    prod.prefect("work-pool", "create", "casework", "--type", "process")
    # deployed from a shell whose CASEWORK_CODE_DIR is not the workers': it must not stick
    prod.run(
        PY,
        "-m",
        "prefect",
        "--no-prompt",
        "deploy",
        "--all",
        env={**env, "CASEWORK_CODE_DIR": "/nowhere/deploy-time"},
    )
    return prod
