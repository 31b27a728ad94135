"""The settings: one typed model for every CASEWORK_* variable, its README table, clear refusals
of bad values, secrets never shown; and the code rules that keep it so (no other module reads
CASEWORK_* from the environment, no module over 400 lines, no test code in the packages)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import SecretStr

from casework import cli
from casework.config import NOT_SETTINGS, SECRETS, Settings, SettingsError, load_settings
from casework.settings_cli import not_settings_markdown, settings_markdown

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PACKAGES = ("casework", "forms", "flows")
SETTINGS_MODULE = ROOT / "casework" / "config.py"
#: Modules that hand the whole environment to a child process (they read no CASEWORK_* value).
COPY_ENVIRONMENT = {
    ROOT / "casework" / "localstack.py",
    ROOT / "casework/intake/pdfsandbox.py",
    ROOT / "flows/recovery.py",  # sets PREFECT_FLOWS_HEARTBEAT_FREQUENCY for the flow runs
}
#: Longer by nature: database migrations and the form-layout data.
SIZE_EXCEPTIONS = {ROOT / "forms" / "data" / "generate_layouts.py"}
MAX_LINES = 400


def sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No CASEWORK_* variable but a home of the test's own."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("CASEWORK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CASEWORK_HOME", str(tmp_path / "home"))
    return monkeypatch


# -- the README --------------------------------------------------------------------------------
def test_the_readme_has_one_table_of_every_setting_generated_from_the_model() -> None:
    readme = README.read_text(encoding="utf-8")
    assert settings_markdown() in readme, "run .venv/bin/casework settings --markdown"
    assert not_settings_markdown() in readme
    rows = [line for line in readme.splitlines() if line.startswith("| `CASEWORK_")]
    assert len(rows) == len(Settings.model_fields), "one table: no other rows of settings"


def test_every_setting_has_a_description_and_every_variable_used_is_known() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and "\n" not in field.description, name
    documented = {
        (f.validation_alias if isinstance(f.validation_alias, str) else f"CASEWORK_{n.upper()}")
        for n, f in Settings.model_fields.items()
    } | set(NOT_SETTINGS)
    import re

    name = re.compile(r"\bCASEWORK_[A-Z_]*[A-Z]\b")  # not CASEWORK_SMTP_* (a family)
    files = [ROOT / "prefect.yaml"] + [
        p
        for folder in (*PACKAGES, "scripts", "tests", "bench")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in (".py", ".sh") and p.is_file() and p.name != "test_settings.py"
    ]
    used = {found for path in files for found in name.findall(path.read_text())}
    assert used - documented == set(), "a CASEWORK_* variable neither a setting nor listed"


# -- loading -------------------------------------------------------------------------------------
def test_defaults_follow_casework_home(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = load_settings()
    home = (tmp_path / "home").resolve()
    assert s.home == home
    assert s.database_url == f"sqlite:///{home / 'casework.sqlite'}"
    assert s.key_file == home / "casework.key"
    assert s.checkpoints_dir == home / "checkpoints"
    assert s.official_forms_dir == home / "official-forms"
    assert (s.smtp_port, s.action_code_days, s.require_official_forms) == (8025, 14, True)
    assert s.portal_trusted_proxies == () and s.key is None


def test_settings_are_read_when_loaded_not_at_import(clean_env: pytest.MonkeyPatch) -> None:
    assert load_settings().smtp_port == 8025
    clean_env.setenv("CASEWORK_SMTP_PORT", "2525")
    clean_env.setenv("CASEWORK_CHECKPOINT_DIR", "/srv/checkpoints")
    clean_env.setenv("CASEWORK_PORTAL_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    clean_env.setenv("CASEWORK_PORTAL_START_WORKFLOW", "0")
    clean_env.setenv("CASEWORK_PORTAL_URL", "https://certify.example.org/")
    s = load_settings()
    assert s.smtp_port == 2525 and s.checkpoints_dir == Path("/srv/checkpoints")
    assert s.portal_trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert s.portal_start_workflow is False
    assert s.portal_url == "https://certify.example.org"
    clean_env.setenv("CASEWORK_SMTP_PORT", "")  # empty: not set
    assert load_settings().smtp_port == 8025


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("CASEWORK_SMTP_PORT", "25a", "CASEWORK_SMTP_PORT must be a whole number (it is '25a')"),
        ("CASEWORK_SMTP_PORT", "70000", "CASEWORK_SMTP_PORT must be at most 65535"),
        ("CASEWORK_ACTION_CODE_DAYS", "0", "CASEWORK_ACTION_CODE_DAYS must be at least 1"),
        ("CASEWORK_SMTP_STARTTLS", "maybe", "CASEWORK_SMTP_STARTTLS must be 1 or 0"),
        ("CASEWORK_PORTAL_TRUSTED_PROXIES", "10.0.0.x", "'10.0.0.x' is not an IP address"),
        ("CASEWORK_PORTAL_URL", "certify.example.org", "must start with http:// or https://"),
        ("CASEWORK_CHECKPOINT_ORIGIN", "my ledger", "CASEWORK_CHECKPOINT_ORIGIN must be a key"),
        ("CASEWORK_DEPLOYMENT", "certification", "CASEWORK_DEPLOYMENT must be FLOW/DEPLOYMENT"),
        ("CASEWORK_MAIL_FROM", "certifications", "CASEWORK_MAIL_FROM must be an email address"),
    ],
)
def test_a_bad_value_is_refused_in_one_line_naming_the_variable(
    clean_env: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    clean_env.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert says in message and "\n" not in message and variable in message


def test_the_command_line_refuses_a_bad_setting_before_anything_runs(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clean_env.setenv("CASEWORK_SMTP_PORT", "twenty-five")
    assert cli.main(["init"]) == 1
    err = capsys.readouterr().err
    assert err == "refused: CASEWORK_SMTP_PORT must be a whole number (it is 'twenty-five')\n"
    assert not (tmp_path / "home").exists()  # nothing was created


def test_a_refusal_never_shows_a_secret(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CASEWORK_SMTP_PORT", "x")
    clean_env.setenv("CASEWORK_SMTP_PASSWORD", "hunter2-secret")
    clean_env.setenv("CASEWORK_KEY", "hunter3-secret")
    with pytest.raises(SettingsError) as loaded:
        load_settings()
    assert "CASEWORK_SMTP_PORT" in str(loaded.value) and "hunter" not in str(loaded.value)


def test_casework_settings_shows_the_effective_values_with_secrets_masked(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = {
        "CASEWORK_KEY": "Zm9vYmFyLWtleS1zZWNyZXQ=",
        "CASEWORK_SMTP_PASSWORD": "smtp-pass-secret",
        "CASEWORK_PORTAL_SECRET": "portal-secret-value",
        "CASEWORK_DATABASE_URL": "postgresql://casework:db-pass-secret@db/casework",
        "CASEWORK_PORTAL_RATE_LIMIT_STORAGE": "redis://:redis-pass-secret@cache:6379/0",
    }
    for name, value in secrets.items():
        clean_env.setenv(name, value)
    clean_env.setenv("CASEWORK_SMTP_PORT", "2525")
    assert cli.main(["settings"]) == 0
    out = capsys.readouterr().out
    for word in ("Zm9vYmFy", "smtp-pass", "portal-secret", "db-pass", "redis-pass"):
        assert word not in out
    lines = dict(line.split("=", 1) for line in out.splitlines())
    assert set(lines) == {
        f.validation_alias if isinstance(f.validation_alias, str) else f"CASEWORK_{n.upper()}"
        for n, f in Settings.model_fields.items()
    }
    assert lines["CASEWORK_KEY"] == "(set, hidden)  # environment"
    assert lines["CASEWORK_SMTP_USER"] == "(not set)  # default"
    assert lines["CASEWORK_SMTP_PORT"] == "2525  # environment"
    assert lines["CASEWORK_DATABASE_URL"] == "postgresql://casework:***@db/casework  # environment"
    assert {"key", "smtp_password", "portal_secret"} <= SECRETS
    assert "smtp-pass" not in repr(load_settings()) and "smtp-pass" not in str(load_settings())
    assert isinstance(load_settings().smtp_password, SecretStr)


def test_casework_settings_markdown_prints_the_readme_table(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CASEWORK_SMTP_PORT", "not even checked")  # the table needs no settings
    assert cli.main(["settings", "--markdown"]) == 0
    assert capsys.readouterr().out == settings_markdown() + "\n"


# -- code rules ----------------------------------------------------------------------------------
def _environment_reads(path: Path) -> list[str]:
    """Every place the module reads the environment: ``os.environ``/``os.getenv``/``environ``,
    and any ``X["CASEWORK_..."]``, ``X.get("CASEWORK_...")`` or ``getenv("CASEWORK_...")``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            found.append(f"{where} os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"{where} from os import {a.name}" for a in node.names if "env" in a.name]
        elif isinstance(node, ast.Subscript | ast.Call):
            args = [node.slice] if isinstance(node, ast.Subscript) else node.args[:1]
            for arg in args:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and arg.value.startswith("CASEWORK_")
                ):
                    found.append(f"{where} {arg.value}")
    return found


def test_no_module_but_the_settings_reads_casework_variables_from_the_environment() -> None:
    reads = []
    for path in sources():
        if path == SETTINGS_MODULE:
            continue
        found = [f"{path.parent.name}/{f}" for f in _environment_reads(path)]
        if path in COPY_ENVIRONMENT:  # may copy os.environ for a child, never pick from it
            found = [f for f in found if not f.endswith("os.environ")]
        reads += found
    assert reads == [], "read settings through casework.config.load_settings()"


def test_the_environment_check_can_fail(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os\nfrom os import getenv\nenv = os.environ\n"
        'A = env.get("CASEWORK_SLEEP")\nB = getenv("X")\n'
    )
    found = _environment_reads(probe)
    assert any("os.environ" in f for f in found)
    assert any("CASEWORK_SLEEP" in f for f in found)
    assert any("from os import getenv" in f for f in found)


def test_no_module_is_over_400_lines() -> None:
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in sources()
        if p not in SIZE_EXCEPTIONS
        and "migrations" not in p.relative_to(ROOT).parts
        and (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these modules (at most {MAX_LINES} lines)"


def test_no_test_code_in_the_packages() -> None:
    names = {p.name for p in sources()}
    assert "testing.py" not in names and "conftest.py" not in names
