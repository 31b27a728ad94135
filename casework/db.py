"""Engine and unit of work for the case store (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from casework.config import Settings, load_settings

T = TypeVar("T")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Store:
    """The case store: one engine, sessions handed out as units of work."""

    def __init__(self, url: str | None = None, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.url = url or self.settings.database_url
        if self.url.startswith("sqlite:///"):
            self.settings.home.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._cache: dict[str, object] = {}

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
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
