"""Every ``CASEWORK_*`` setting, in one pydantic-settings model.

The environment is read when settings are loaded (:func:`load_settings`), never at import,
so a test or a process that changes a variable sees it at the next load. Loads are cached
on the ``CASEWORK_*`` variables and the working directory, which keeps the frequent calls
(every decryption asks for the key ring) cheap. A bad value is refused with one line per
problem naming the variable (:class:`SettingsError`). Secrets are ``SecretStr``: they are
never printed (``casework settings`` shows whether they are set).

The README's table of settings is generated from this model
(``casework settings --markdown``; a test compares them).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from casework.errors import CaseworkError

PREFIX = "CASEWORK_"

#: Variables some scripts and tests read: not settings of the product (the README lists them).
NOT_SETTINGS = {
    "CASEWORK_VAR": "the local stack's data folder (`scripts/up.sh`, `scripts/stack.py`; default `var/`)",
    "CASEWORK_CODE_DIR": "the checkout the Prefect workers run (`prefect.yaml`)",
    "CASEWORK_SKIP_BROWSER": "1: `scripts/setup.sh` does not install Chromium",
    "CASEWORK_TEST_PG": "the PostgreSQL URL the tests use",
    "CASEWORK_TEST_HOLDS": "tests only: the crash points the crash tests hold processes at",
    "CASEWORK_TEST_HOLD_DIR": "tests only: the folder of those holds",
    "CASEWORK_UPDATE_DOCS": "tests only: 1 rewrites the committed report pictures",
}


class SettingsError(CaseworkError):
    """A ``CASEWORK_*`` variable has a value that cannot be used; the message names it."""


def _shown(text: str) -> dict[str, Any]:
    """How the README shows a default that is computed (from ``CASEWORK_HOME``, say)."""
    return {"shown_default": text}


class Settings(BaseSettings):
    """The casework settings; each field is the variable ``CASEWORK_<FIELD>`` unless it says
    otherwise (``validation_alias``)."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        extra="ignore",
        frozen=True,
        env_ignore_empty=True,  # an empty variable means "not set", as it always did
        populate_by_name=True,
        hide_input_in_errors=True,  # SettingsError shows the value itself, never a secret's
    )

    # -- where things are --------------------------------------------------------------------
    home: Path = Field(
        default_factory=lambda: (Path.cwd() / "var").resolve(),
        description="the data folder: SQLite file, attachments, documents, keys, checkpoints",
        json_schema_extra=_shown("`./var` (from the working directory)"),
    )
    database_url: str = Field(
        default_factory=lambda d: f"sqlite:///{d['home'] / 'casework.sqlite'}",
        description="the case database, an SQLAlchemy URL (`postgresql://...`)",
        json_schema_extra=_shown("`sqlite:///$CASEWORK_HOME/casework.sqlite`"),
    )
    key: SecretStr | None = Field(
        default=None,
        description="the encryption key ring: Fernet keys separated by commas, newest first "
        "(secret); instead of the key file",
    )
    key_file: Path = Field(
        default_factory=lambda d: d["home"] / "casework.key",
        description="the key file (one Fernet key a line, newest first; mode 0600)",
        json_schema_extra=_shown("`$CASEWORK_HOME/casework.key`"),
    )
    checkpoints_dir: Path = Field(
        default_factory=lambda d: d["home"] / "checkpoints",
        validation_alias="CASEWORK_CHECKPOINT_DIR",
        description="where signed checkpoints of the ledger are written (copy them elsewhere)",
        json_schema_extra=_shown("`$CASEWORK_HOME/checkpoints`"),
    )
    checkpoint_key_file: Path = Field(
        default_factory=lambda d: d["home"] / "checkpoint-signing.key",
        description="the Ed25519 key that signs checkpoints (signed-note private key, 0600)",
        json_schema_extra=_shown("`$CASEWORK_HOME/checkpoint-signing.key`"),
    )
    checkpoint_origin: str = Field(
        default="casework.local/ledger",
        description="the checkpoints' origin line and key name (no spaces, no `+`)",
    )
    checkpoint_verifier: str | None = Field(
        default=None,
        description="the checkpoint verifier key (`name+id+key`), a copy kept elsewhere; "
        "default: the checkpoint folder's `verifier.txt`",
    )
    official_forms_dir: Path = Field(
        default_factory=lambda d: d["home"] / "official-forms",
        validation_alias="CASEWORK_FORMS_DIR",
        description="where the installed official USCIS forms are kept",
        json_schema_extra=_shown("`$CASEWORK_HOME/official-forms`"),
    )
    require_official_forms: bool = Field(
        default=True,
        description="0: the Chief's approval does not require the official form of the visa "
        "type to be installed (the local demo and the tests)",
    )
    templates: Path | None = Field(
        default=None,
        description="the letter and email templates folder",
        json_schema_extra=_shown("`templates/` of the checkout"),
    )
    # -- cases -------------------------------------------------------------------------------
    action_code_days: int = Field(
        default=14, ge=1, description="how many days an action code emailed to staff is valid"
    )
    # -- email -------------------------------------------------------------------------------
    smtp_host: str = Field(default="127.0.0.1", description="the SMTP server")
    smtp_port: int = Field(default=8025, ge=1, le=65535, description="the SMTP server's port")
    smtp_user: str | None = Field(default=None, description="the SMTP login (none: no login)")
    smtp_password: SecretStr | None = Field(default=None, description="the SMTP password (secret)")
    smtp_starttls: bool = Field(default=False, description="1: upgrade with STARTTLS")
    mail_from: str = Field(
        default="certifications@npd.example.org", description="the sender of every email"
    )
    # -- portal ------------------------------------------------------------------------------
    portal_url: str | None = Field(
        default=None,
        description="the portal's public base URL, for the links in emails",
        json_schema_extra=_shown(
            "(none: the portal uses its own address, the workflow `http://127.0.0.1:8080`)"
        ),
    )
    portal_secret: SecretStr | None = Field(
        default=None,
        description="the CSRF and session secret (secret)",
        json_schema_extra=_shown("`$CASEWORK_HOME/portal.secret` (made at first start)"),
    )
    portal_submits_per_minute: int = Field(
        default=10, ge=0, description="submissions and answers per client address (0: no limit)"
    )
    portal_lookups_per_minute: int = Field(
        default=60,
        ge=0,
        description="status lookups and downloads per client address (0: no limit)",
    )
    portal_rate_limit_storage: str = Field(
        default="memory://",
        description="where the counts live: a `limits` storage URI; `redis://host:6379/0` lets "
        "several portal processes count together",
    )
    portal_trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="comma-separated addresses or networks of your reverse proxies; only a "
        "request from one of them has its `X-Forwarded-For` believed",
        json_schema_extra=_shown("(none)"),
    )
    portal_start_workflow: bool = Field(
        default=True, description="0: store requests without starting their workflow"
    )
    # -- workflow ----------------------------------------------------------------------------
    deployment: str = Field(
        default="certification-request/certification-request",
        description="the Prefect deployment that runs a case (`flow/deployment`)",
    )
    runner_limit: int = Field(
        default=4, ge=1, description="how many case runs `python -m flows.serve` runs at once"
    )
    recovery_silence_seconds: float = Field(
        default=90,
        ge=45,
        description="how long a case run may go without a heartbeat (every 30 s) before the "
        "recovery watchdog suspects its worker died; it is rescheduled only if it stays silent "
        "40 s more while the Prefect server answers",
    )

    @property
    def attachments_dir(self) -> Path:
        return self.home / "attachments"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @field_validator("home")
    @classmethod
    def _home(cls, value: Path) -> Path:
        return value.resolve()

    @field_validator("checkpoint_origin")
    @classmethod
    def _origin(cls, value: str) -> str:
        if not value or "+" in value or any(c.isspace() for c in value):
            raise ValueError("must be a key name: not empty, no spaces, no '+'")
        return value

    @field_validator("mail_from")
    @classmethod
    def _sender(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("must be an email address (or Name <address>)")
        return value

    @field_validator("portal_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("deployment")
    @classmethod
    def _deployment(cls, value: str) -> str:
        if value.count("/") != 1 or value.startswith("/") or value.endswith("/"):
            raise ValueError("must be FLOW/DEPLOYMENT, the two names joined by one '/'")
        return value

    @field_validator("portal_trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [p.strip() for p in value.split(",") if p.strip()]
        for entry in value:
            try:
                ipaddress.ip_network(str(entry).strip(), strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        return tuple(str(e).strip() for e in value)


def variable(name: str) -> str:
    """The environment variable of a field (``smtp_port`` -> ``CASEWORK_SMTP_PORT``)."""
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else PREFIX + name.upper()


SECRETS = frozenset(n for n, f in Settings.model_fields.items() if "SecretStr" in str(f.annotation))

_MESSAGES = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be 1 or 0 (or true/false, yes/no, on/off)",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
}


def _problem(err: Any, data: dict[str, str]) -> str:
    field = str(err["loc"][0]) if err["loc"] else ""
    name = variable(field) if field in Settings.model_fields else field
    template = _MESSAGES.get(err["type"])
    if template:
        text = template.format(**err.get("ctx", {}))
    else:
        text = str(err["msg"]).removeprefix("Value error, ")
    if field in SECRETS or name not in data:
        return f"{name} {text}"
    from casework.terminal import printable

    return f"{name} {text} (it is {printable(data[name])[:80]!r})"


def _ours() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.upper().startswith(PREFIX)}


def set_in_environment() -> frozenset[str]:
    """The ``CASEWORK_*`` variables set (not empty) in the environment, upper case."""
    return frozenset(k.upper() for k, v in _ours().items() if v)


_CACHE: dict[tuple[object, ...], Settings] = {}


def load_settings() -> Settings:
    """The settings from the environment; raises :class:`SettingsError`, one line a problem,
    each naming its variable."""
    ours = _ours()
    key = (tuple(sorted(ours.items())), os.getcwd())
    found = _CACHE.get(key)
    if found is None:
        try:
            found = Settings()
        except ValidationError as exc:
            upper = {k.upper(): v for k, v in ours.items()}
            problems = [_problem(e, upper) for e in exc.errors()]
            raise SettingsError("; ".join(problems)) from None
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = found
    return found
