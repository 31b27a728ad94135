"""One composition root: the domain reaches the workflow engine only through the port.

Parsed with ``ast`` (not searched as text): no ``import_module``/``__import__`` anywhere in
``casework/`` or ``forms/``, no Prefect import there, and ``flows`` imported by one module of
``casework/`` at most, ``casework/bootstrap.py``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from casework.workflow_port import NO_WORKFLOWS, WorkflowRuns

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("casework", "forms")


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module name an import statement names (``from a.b import c`` gives ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
    return found


def _dynamic_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    hits = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.alias):
            name = node.name.rsplit(".", 1)[-1]
        if name in {"import_module", "__import__"} or (
            isinstance(node, ast.alias) and node.name == "importlib"
        ):
            hits.append(f"{path.name}:{getattr(node, 'lineno', '?')} {name}")
    return hits


def _root(name: str) -> str:
    return name.split(".", 1)[0]


def test_the_packages_are_where_the_test_looks() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _modules()}
    assert {"casework/cli.py", "casework/bootstrap.py", "forms/__init__.py"} <= names
    assert len(names) > 100


def test_no_dynamic_imports_in_the_domain() -> None:
    hits = [hit for path in _modules() for hit in _dynamic_imports(path)]
    assert hits == []


def test_the_domain_never_imports_prefect() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in _modules()
        for name, line in _imports(path)
        if _root(name) == "prefect"
    ]
    assert hits == []


def test_flows_is_imported_by_the_composition_root_only() -> None:
    importers = {
        path.relative_to(ROOT).as_posix()
        for path in _modules()
        for name, _ in _imports(path)
        if _root(name) == "flows"
    }
    assert importers == {"casework/bootstrap.py"}
    assert not any(
        _root(n) == "flows" for p in (ROOT / "forms").rglob("*.py") for n, _ in _imports(p)
    )


def test_the_checks_would_see_a_violation(tmp_path: Path) -> None:
    """The parsers find what they are meant to find (so the tests above can fail)."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import importlib\nfrom prefect import flow\n"
        "def f():\n    from flows.launch import nudge\n    return __import__('x')\n"
    )
    assert [_root(n) for n, _ in _imports(bad)] == ["importlib", "prefect", "flows"]
    assert len(_dynamic_imports(bad)) == 2


def test_the_cli_without_the_root_has_no_workflows(tmp_path: Path) -> None:
    """``casework.cli.main`` alone is wired to nothing: a workflow command says so in one
    line; through the composition root (the console script) it reaches Prefect's adapter."""
    port: WorkflowRuns = NO_WORKFLOWS
    assert port.enabled is False and port.run_url("x") is None
    code = (
        "import sys\n"
        "from casework import bootstrap\n"
        "runs = bootstrap.workflow_runs()\n"
        "assert 'flows.launch' not in sys.modules and 'prefect' not in sys.modules\n"
        "from casework.cli import build_parser\n"
        "build_parser(runs)\n"
        "assert 'prefect' not in sys.modules, 'the parser alone must not load Prefect'\n"
        "print(type(runs._runs).__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "flows.launch"


def test_the_console_script_goes_through_the_root() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'casework = "casework.bootstrap:main"' in text
