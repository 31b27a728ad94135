"""Engine and unit of work for the case store (SQLite by default, PostgreSQL by URL).

On SQLite a unit of work takes the write lock when it begins (``BEGIN IMMEDIATE``): a
transaction that read under a shared lock and then writes would fail at once ("database is
locked") if another writer committed in between, which is how concurrent submissions used to
be lost. Read-only sessions begin deferred and never block writers (WAL).

Before the first session of a store is handed out, the key ring is checked against the key
check values the store records (:func:`casework.keys.check_store`): a missing or wrong key
is refused before anything is read or written.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Engine, create_engine, event, literal_column
from sqlalchemy.engine import make_url
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.sql import ClauseElement

from casework.config import Settings, load_settings

T = TypeVar("T")
#: Session.info flag of the sessions ``Store.reading()`` hands out (they never commit).
READ_ONLY = "casework.read_only"


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _private_file(path: Path) -> None:
    """Create the SQLite file with mode 0600 before SQLite does (its WAL and shared-memory
    files take the main file's mode), and tighten files an older version left readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except (FileNotFoundError, PermissionError):
            pass


#: The most of the store SQLite maps into memory for reading (address space, not RAM).
SQLITE_MMAP_BYTES = 1 << 30


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            _private_file(path)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we say BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            # Reads through a memory map rather than read() calls into SQLite's small page
            # cache: the reports walk 100,000s of history rows (measured at 100,000 cases:
            # both reports 20-25 % faster). Writes still go through the journal as before.
            cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


def raw_rows(session: Session, stmt: ClauseElement) -> list[Any]:
    """Rows as the database driver gives them, without SQLAlchemy's per-value processing
    (which costs more than the hashing when 100,000s of history rows are checked). ``stmt``
    must carry only trusted literals (ids, a case number): they are rendered into the SQL."""
    conn = session.connection()
    sql = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(sql))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def as_date(value: object) -> dt.date:
    """A date column's value from :func:`raw_rows` (SQLite hands back ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def ids_in(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], ids: Iterable[int]
) -> ColumnElement[bool]:
    """``column IN (1, 2, ...)`` with the ids written into the SQL, for :func:`raw_rows`: each
    is passed through ``int``, so there is nothing to escape, and 10,000 of them cost nothing
    to compile (as bound literals they take SQLAlchemy a tenth of a second)."""
    listed = ",".join(str(int(i)) for i in ids) or "NULL"
    return column.op("IN")(literal_column(f"({listed})"))


class Store:
    """The case store: one engine, sessions handed out as units of work."""

    def __init__(self, url: str | None = None, settings: Settings | None = None):
        from casework import ledger

        self.settings = settings or load_settings()
        self.url = url or self.settings.database_url
        if self.url.startswith("sqlite:///"):
            self.settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.engine = make_engine(self.url)
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        shared: dict[str, Any] = {
            ledger.KEY_IDS: {}
        }  # one dict for all sessions (the dicts are copied)
        self._writer = sessionmaker(writer, expire_on_commit=False, info=shared)
        self._sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={**shared, READ_ONLY: True}
        )
        ledger.install(self._writer)
        ledger.install(self._sessions)
        self._cache: dict[str, object] = {}
        self._keys_checked = False
        self._lock = threading.Lock()
        self._sqlite = self.engine.dialect.name == "sqlite"
        self._open = threading.local()  # units of work open in this thread

    def check_keys(self) -> None:
        """Refuse (KeyUnavailable) unless the key ring is one the store knows; once per store."""
        if self._keys_checked:
            return
        with self._lock:
            if not self._keys_checked:
                from casework.keys import check_store

                check_store(self)
                self._keys_checked = True

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        self.check_keys()
        depth: int = getattr(self._open, "depth", 0)
        if self._sqlite and depth:
            raise RuntimeError(
                "a unit of work is already open in this thread: on SQLite a second one would "
                "wait for the first's write lock forever; finish the first one first"
            )
        self._open.depth = depth + 1
        try:
            with self._writer() as session, session.begin():
                yield session
        finally:
            self._open.depth -= 1

    @contextmanager
    def reading(self) -> Iterator[Session]:
        self.check_keys()
        with self._sessions() as session:
            yield session

    @contextmanager
    def raw_unit_of_work(self) -> Iterator[Session]:
        """A write transaction without the key check (for the key check itself, ``init``)."""
        with self._writer() as session, session.begin():
            yield session

    def cached(self, key: str, load: Callable[[], T]) -> T:
        """A value that does not change while the process runs (e.g. the case-number prefix)."""
        if key not in self._cache:
            self._cache[key] = load()
        return cast(T, self._cache[key])

    def dispose(self) -> None:
        self.engine.dispose()


_SHARED: dict[str, Store] = {}


def shared_store() -> Store:
    """One store (engine and connection pool) per process and database, for code that runs
    many short steps, such as the Prefect tasks, instead of a new engine for each."""
    settings = load_settings()
    key = f"{settings.database_url}|{settings.home}"
    if key not in _SHARED:
        _SHARED[key] = Store(settings=settings)
    return _SHARED[key]
