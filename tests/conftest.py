"""Shared fixtures: a real case store on SQLite (always) and PostgreSQL (when reachable)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from casework.db import Store
from casework.migrate import upgrade
from casework.setup_data import load_demo

#: ``mail`` (an SMTP sink on loopback) and ``stack`` (the running workflow stack, per session)
pytest_plugins = ["tests.humansteps", "tests.workflow_stack"]

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():  # CI lays shared/ beside the clone
    SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLES = SHARED / "examples"
EXAMPLE_U = EXAMPLES / "request-u-domestic-violence.json"
PG_ADMIN_URL = os.environ.get(
    "CASEWORK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TODAY = dt.date(2026, 11, 26)


def pg_reachable() -> str | None:
    """None when PostgreSQL answers; otherwise the reason it does not."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip with this reason"
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {type(exc).__name__}: {exc}"[:300]


_PG_REASON = pg_reachable()
requires_pg = pytest.mark.skipif(_PG_REASON is not None, reason=_PG_REASON or "")


@pytest.fixture
def cw_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cwhome"
    home.mkdir()
    monkeypatch.setenv("CASEWORK_HOME", str(home))
    monkeypatch.setenv("CASEWORK_KEY", Fernet.generate_key().decode())
    monkeypatch.delenv("CASEWORK_DATABASE_URL", raising=False)
    return home


@pytest.fixture
def sqlite_store(cw_home: Path) -> Iterator[Store]:
    store = Store()
    upgrade(store)
    with store.unit_of_work() as s:
        load_demo(s)
    yield store
    store.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    if _PG_REASON is not None:
        pytest.skip(_PG_REASON)
    name = f"casework_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_store(cw_home: Path, pg_url: str) -> Iterator[Store]:
    store = Store(pg_url)
    upgrade(store)
    with store.unit_of_work() as s:
        load_demo(s)
    yield store
    store.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    """The case store on each database: SQLite always, PostgreSQL when reachable."""
    name = "sqlite_store" if request.param == "sqlite" else "pg_store"
    return request.getfixturevalue(name)


def example_request(**changes: Any) -> dict[str, Any]:
    """The shared U example with attachments made absolute-free (run with base_dir=EXAMPLES)."""
    raw = json.loads(EXAMPLE_U.read_text())
    return _merge(copy.deepcopy(raw), changes)


def t_request() -> dict[str, Any]:
    raw = example_request()
    raw["visa_type"] = "T"
    raw["incident"]["qualifying_activities"] = ["labor_trafficking"]
    raw["incident"]["police_report_numbers"] = ["25-00311-OF"]
    raw["incident"]["statutory_citations"] = ["M.G.L. c. 265 s. 51"]
    raw["incident"]["description"] = "The victim was forced to work without pay at a restaurant."
    raw["victim"]["family_name"] = "Nguyễn"
    raw["victim"]["given_name"] = "Thi Lan"
    return raw


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base
