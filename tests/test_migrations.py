"""The Alembic migrations build exactly the schema the models declare, and undo cleanly."""

from __future__ import annotations

import pytest
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


def _to_0001_with_legacy_data(store: Store) -> tuple[str, str, str]:
    """A store as version 0001 left it: cases and history, unkeyed status hashes, a
    plaintext attachment file. Returns (case number, status token, status code)."""
    import hashlib

    from sqlalchemy import text

    from casework.access import issue_status_access
    from casework.blobs import BlobStore
    from casework.transitions import Actor, apply_transition
    from tests.helpers import certifiers, load, new_case

    number = new_case(store)
    new_case(store, victim={"given_name": "Ana"})
    with store.unit_of_work() as s:
        case = load(s, number)
        apply_transition(
            s, case, "assign", Actor.system(), case.version, assign_to=certifiers(s)[0]
        )
        token, code = issue_status_access(s, case)
        attachment = case.attachments[0].sha256
    cfg = alembic_config(store.url)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        conn.execute(
            text("UPDATE status_access SET token_hash = :t, code_hash = :c"),
            {
                "t": hashlib.sha256(token.encode()).hexdigest(),
                "c": hashlib.sha256(code.encode()).hexdigest(),
            },
        )
    blobs = BlobStore(store.settings.attachments_dir)
    blobs.path_for(attachment).write_bytes(blobs.get(attachment))  # as 0001 wrote it
    return number, token, code


def test_an_existing_store_is_sealed_under_its_key(sqlite_store: Store) -> None:
    from sqlalchemy import func, select

    from casework.access import case_for_code, case_for_token
    from casework.blobs import BlobStore
    from casework.cli import main
    from casework.crypto import keyring
    from casework.models import Case, CaseEvent, LedgerEntry

    number, token, code = _to_0001_with_legacy_data(sqlite_store)
    assert current_revision(sqlite_store) == "0001"
    assert main(["init"]) == 0
    assert current_revision(sqlite_store) == _head(sqlite_store)
    assert main(["verify-history"]) == 0
    store = Store(sqlite_store.url)
    with store.reading() as s:
        assert (
            s.scalar(select(func.count()).select_from(LedgerEntry))
            == s.scalar(select(func.count()).select_from(CaseEvent))
            == 3
        )
        assert case_for_token(s, token) is not None
        # The person key (the §4 count of individuals) is filled from the victim record.
        ring = keyring()
        rows = s.execute(select(Case.victim_enc, Case.person_key)).all()
        assert len(rows) == 2
        for victim_enc, person_key in rows:
            v = ring.decrypt_json(victim_enc)
            want = ring.person_key(v)
            assert person_key == want and person_key.startswith(ring.person_key_prefix)
        assert case_for_code(s, number, "rdelgado@pvvac.example.org", code) is not None
    blobs = BlobStore(store.settings.attachments_dir)
    for digest in blobs.digests():
        assert blobs.is_current(digest)  # the plaintext file was encrypted
    store.dispose()


def test_a_broken_history_is_not_sealed(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import text

    from casework.cli import main

    _to_0001_with_legacy_data(sqlite_store)
    with sqlite_store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER case_events_no_update"))
        conn.execute(text("UPDATE case_events SET actor_name = 'Someone Else' WHERE seq = 2"))
    capsys.readouterr()
    assert main(["init"]) == 1
    err = capsys.readouterr().err
    assert "the stored history is already broken" in err and "event 2" in err
    assert "Traceback" not in err
    assert current_revision(sqlite_store) == "0001"  # nothing half-done
