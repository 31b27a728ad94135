"""Where the casework system keeps its data, read from the environment.

``CASEWORK_HOME`` is the data folder (default SQLite file, attachments, generated
documents, key file); ``CASEWORK_DATABASE_URL`` overrides the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str

    @property
    def attachments_dir(self) -> Path:
        return self.home / "attachments"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def key_file(self) -> Path:
        return Path(os.environ.get("CASEWORK_KEY_FILE") or self.home / "casework.key")

    @property
    def checkpoints_dir(self) -> Path:
        """Where signed checkpoints of the ledger are written (copy them off this machine)."""
        return Path(os.environ.get("CASEWORK_CHECKPOINT_DIR") or self.home / "checkpoints")

    @property
    def checkpoint_key_file(self) -> Path:
        """The Ed25519 key that signs checkpoints (a C2SP signed-note private key, 0600)."""
        return Path(
            os.environ.get("CASEWORK_CHECKPOINT_KEY_FILE") or self.home / "checkpoint-signing.key"
        )

    @property
    def checkpoint_origin(self) -> str:
        """The checkpoints' origin line and key name (no spaces, no "+")."""
        return os.environ.get("CASEWORK_CHECKPOINT_ORIGIN") or "casework.local/ledger"

    @property
    def official_forms_dir(self) -> Path:
        return Path(os.environ.get("CASEWORK_FORMS_DIR") or self.home / "official-forms")


def load_settings() -> Settings:
    home = Path(os.environ.get("CASEWORK_HOME") or Path.cwd() / "var").resolve()
    url = os.environ.get("CASEWORK_DATABASE_URL") or f"sqlite:///{home / 'casework.sqlite'}"
    return Settings(home=home, database_url=url)
