"""The Alembic migrations build exactly the schema the models declare, and undo cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from casework.db import Store
from casework.migrate import alembic_config, current_revision, upgrade
from casework.models import Base


def _head(store: Store) -> str | None:
    return ScriptDirectory.from_config(alembic_config(store.url)).get_current_head()


def test_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    assert current_revision(store) == _head(store)


def test_downgrade_and_upgrade_again(sqlite_store: Store) -> None:
    cfg = alembic_config(sqlite_store.url)
    with sqlite_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert current_revision(sqlite_store) is None
    upgrade(sqlite_store)
    assert current_revision(sqlite_store) == _head(sqlite_store)
