"""Shared fixtures: a real case store on SQLite (always) and PostgreSQL (when reachable);
the rule for tests that need a server or a browser (require_or_skip); markers.

Markers (registered in pyproject.toml, checked with --strict-markers): ``postgres``
(PostgreSQL at 127.0.0.1:5432; added here to every test using pg_url or pg_store),
``prefect`` (starts a real Prefect server), ``browser`` (headless Chromium). Unmarked
tests are the fast ones: SQLite, files, loopback SMTP.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, make_url, text

from casework.db import Store, sqlite_path
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


ON_CI = bool(os.environ.get("CI"))


def require_or_skip(reason: str) -> NoReturn:
    """A test cannot run because a server or browser is missing: skip it with the reason,
    or, when ``CI`` is set (where everything must run), fail it with the reason."""
    if ON_CI:
        pytest.fail(f"{reason} [CI is set, so this test must run]", pytrace=False)
    pytest.skip(reason)


def _pg_shown() -> str:
    return make_url(PG_ADMIN_URL).render_as_string(hide_password=True)


def pg_reachable() -> str | None:
    """None when PostgreSQL answers; otherwise the reason it does not."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot run, and this is why"
        detail = " ".join(str(exc).split())[:300]
        if "password" in detail.lower():
            return (
                f"PostgreSQL at {_pg_shown()} asks for a password (set CASEWORK_TEST_PG to a URL "
                f"with credentials, or allow trust auth for 127.0.0.1): {detail}"
            )
        return f"PostgreSQL at {_pg_shown()} is not reachable: {type(exc).__name__}: {detail}"


# Workflow tests deliver marked facsimiles; the tests of the requirement set it to 1.
os.environ.setdefault("CASEWORK_REQUIRE_OFFICIAL_FORMS", "0")

_PG_REASON = pg_reachable()

#: The [test] extras of pyproject.toml, by the module each installs. A declared test
#: dependency must import: a broken install stops the run instead of skipping tests.
TEST_DEPENDENCIES = {
    "pytest": "pytest",
    "hypothesis": "hypothesis",
    "pypdfium2": "pypdfium2",
    "ruff": "ruff",
    "mypy": "mypy",
    "schemathesis": "schemathesis",
    "playwright": "playwright.sync_api",
    "numpy": "numpy",
}


def _declared_test_dependencies() -> set[str]:
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement

    try:
        declared = [Requirement(r) for r in requires("casework") or []]
    except PackageNotFoundError:  # running from a plain checkout: nothing to compare with
        return set()
    return {r.name for r in declared if r.marker and r.marker.evaluate({"extra": "test"})}


def pytest_configure(config: pytest.Config) -> None:
    unlisted = _declared_test_dependencies() - set(TEST_DEPENDENCIES)
    if unlisted:
        raise pytest.UsageError(
            f"tests/conftest.py TEST_DEPENDENCIES lacks {sorted(unlisted)} from pyproject [test]"
        )
    broken = []
    for dist, module in TEST_DEPENDENCIES.items():
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - report every broken dependency at once
            broken.append(f"{dist} ({module}): {type(exc).__name__}: {exc}")
    if broken:
        raise pytest.UsageError(
            "test dependencies do not import; run `bash scripts/setup.sh`:\n  "
            + "\n  ".join(broken)
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    from tests.browser import chromium_problem

    must = " (CI is set: tests that cannot run fail)" if ON_CI else ""
    browser = chromium_problem()
    return [
        f"PostgreSQL: {_PG_REASON or f'{_pg_shown()} answers'}{must}",
        f"Chromium: {browser or 'found'}{must}",
    ]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses a PostgreSQL fixture carries the ``postgres`` marker."""
    for item in items:
        if {"pg_url", "pg_store"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def cw_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cwhome"
    home.mkdir()
    monkeypatch.setenv("CASEWORK_HOME", str(home))
    monkeypatch.setenv("CASEWORK_KEY", Fernet.generate_key().decode())
    monkeypatch.delenv("CASEWORK_DATABASE_URL", raising=False)
    return home


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(database file, key) of a SQLite case store migrated to head with the demo roster,
    made once per session: each ``sqlite_store`` starts as a copy of it (migrating and
    loading the roster again took ~0.12 s a test, for about 200 tests)."""
    home = tmp_path_factory.mktemp("sqlite-template")
    key = Fernet.generate_key().decode()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CASEWORK_HOME", str(home))
        env.setenv("CASEWORK_KEY", key)
        env.delenv("CASEWORK_DATABASE_URL", raising=False)
        store = Store()
        upgrade(store)
        with store.unit_of_work() as s:
            load_demo(s)
        store.dispose()
    path = sqlite_path(store.url)
    assert path is not None and path.exists()
    assert not path.with_name(path.name + "-wal").exists()  # all of it is in the one file
    return path, key


@pytest.fixture
def sqlite_store(
    cw_home: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: tuple[Path, str]
) -> Iterator[Store]:
    """A fresh case store in ``cw_home``, migrated, with the demo roster (a copy of the
    session's template, under the template's key)."""
    template, key = sqlite_template
    monkeypatch.setenv("CASEWORK_KEY", key)
    store = Store()
    path = sqlite_path(store.url)
    assert path is not None and path.parent == cw_home
    path.write_bytes(template.read_bytes())  # into the file Store made, mode 0600
    yield store
    store.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    if _PG_REASON is not None:
        require_or_skip(_PG_REASON)
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
