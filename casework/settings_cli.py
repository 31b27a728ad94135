"""``casework settings``: the effective settings (secrets masked), or the README's table.

casework settings              every CASEWORK_* setting, its value and where it came from
casework settings --markdown   the README's table of settings (a test compares them)
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from casework.config import (
    NOT_SETTINGS,
    SECRETS,
    Settings,
    load_settings,
    set_in_environment,
    variable,
)
from casework.terminal import printable


def default_text(name: str) -> str:
    """A field's default as the README shows it."""
    field = Settings.model_fields[name]
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "shown_default" in extra:
        return str(extra["shown_default"])
    value = field.default
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "1" if value else "0"
    return f"`{value}`" if isinstance(value, str) else str(value)


def settings_markdown() -> str:
    """The README's table: every setting, its default and its meaning."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `{variable(name)}` | {default_text(name)} | {field.description} |")
    return "\n".join(rows)


def not_settings_markdown() -> str:
    """The CASEWORK_* variables only scripts and tests read."""
    return "\n".join(f"- `{name}`: {meaning}" for name, meaning in NOT_SETTINGS.items())


def _without_password(url: str) -> str:
    """``postgresql://user:***@host/db``: a URL shown without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def shown(name: str, value: Any) -> str:
    """A setting's value for a terminal: secrets only as set or not, no password in a URL."""
    if name in SECRETS:
        return "(set, hidden)" if isinstance(value, SecretStr) else "(not set)"
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ", ".join(value) or "(none)"
    text = str(value)
    return _without_password(text) if "://" in text else text


def effective_lines(settings: Settings) -> list[str]:
    lines, given = [], set_in_environment()
    for name in Settings.model_fields:
        var = variable(name)
        source = "environment" if var in given else "default"
        lines.append(f"{var}={printable(shown(name, getattr(settings, name)))}  # {source}")
    return lines


def cmd_settings(args: argparse.Namespace) -> int:
    """Run before any store is opened: it needs none."""
    if args.markdown:
        print(settings_markdown())
        return 0
    print("\n".join(effective_lines(load_settings())))
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "settings", help="show the effective CASEWORK_* settings (secrets masked)"
    )
    p.add_argument(
        "--markdown", action="store_true", help="print the README's table of every setting"
    )


if __name__ == "__main__":  # python -m casework.settings_cli: the README's table
    print(settings_markdown())
