"""Engine and sessions.

Decision (once, here): the app uses **async SQLAlchemy** — psycopg 3's async driver on
PostgreSQL, aiosqlite on SQLite — so no NiceGUI handler or API route ever blocks the asyncio
loop on the database. Alembic and other one-off tools use the sync twin of the same URL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

_engine: AsyncEngine | None = None
_sessions: async_sessionmaker[AsyncSession] | None = None


def async_url(url: str) -> str:
    """Turn any accepted database URL into its async-driver form."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database backend {backend!r}: use PostgreSQL or SQLite")


def sync_url(url: str) -> str:
    """The blocking-driver twin of a database URL (for Alembic and scripts)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    driver = {"postgresql": "postgresql+psycopg", "sqlite": "sqlite"}.get(backend)
    if driver is None:
        raise ValueError(f"unsupported database backend {backend!r}: use PostgreSQL or SQLite")
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


#: The app stops waiting for an answer this long after PostgreSQL would have cancelled the statement.
ANSWER_MARGIN_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class DatabaseTimeouts:
    """The outage bounds of an engine, in seconds (settings DB_CONNECT_TIMEOUT, DB_STATEMENT_TIMEOUT,
    DB_POOL_TIMEOUT): opening a connection, a statement on the server, waiting for a pooled
    connection. `answer` bounds every wait for the server on an open connection (a hung server
    or network, which no server-side timeout ends)."""

    connect: float = 5.0
    statement: float = 15.0
    pool: float = 5.0

    @property
    def answer(self) -> float:
        return self.statement + ANSWER_MARGIN_SECONDS


#: A shorter bound on waits for the server for a block (see `answers_within`).
_answer_bound: ContextVar[float | None] = ContextVar("db_answer_bound", default=None)


@contextlib.contextmanager
def answers_within(seconds: float) -> Iterator[None]:
    """Wait at most `seconds` for each answer of the server in this block (e.g. `/health`, which
    must report a hung database quickly rather than wait for a statement's bound)."""
    token = _answer_bound.set(seconds)
    try:
        yield
    finally:
        _answer_bound.reset(token)


class BoundedConnection(psycopg.AsyncConnection[Any]):
    """A psycopg connection that never waits for the server longer than its `answer_timeout`.

    Every operation on an open connection (statements, commit, rollback, the pool's ping) goes
    through `wait`. When the bound passes, the connection is closed (its state is unknown) and
    the operation fails with an `OperationalError`, which SQLAlchemy treats as a disconnect: the
    connection leaves the pool and the request gets the outage answer (503) instead of hanging."""

    answer_timeout: float = DatabaseTimeouts().answer

    async def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:  # noqa: ASYNC109
        if timeout is not None:  # psycopg's own bounded waits: untouched
            return await super().wait(gen, interval, timeout)
        bound = _answer_bound.get() or self.answer_timeout
        try:
            return await super().wait(gen, interval, bound)
        except pg_errors._WaitTimeout:
            self.pgconn.finish()
            raise psycopg.OperationalError(f"no answer from the database within {bound:g} s") from None


def _bounded_connector(timeouts: DatabaseTimeouts) -> Any:
    async def connect(*args: Any, **kwargs: Any) -> BoundedConnection:
        connection = await BoundedConnection.connect(*args, **kwargs)
        connection.answer_timeout = timeouts.answer
        return connection

    return connect


def create_engine_for(url: str, *, pool_size: int = 10, timeouts: DatabaseTimeouts | None = None) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys on (off by default there). On PostgreSQL every
    wait is bounded by `timeouts`: connecting, each statement (server-side `statement_timeout`
    and the client's answer bound), and the wait for a pooled connection."""
    url = async_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    timeouts = timeouts or DatabaseTimeouts()
    connect_args = {
        "connect_timeout": max(2, round(timeouts.connect)),  # libpq: whole seconds, at least 2
        "options": f"-c statement_timeout={round(timeouts.statement * 1000)}",
        "async_creator_fn": _bounded_connector(timeouts),
    }
    # hide_parameters: an error's text (logged) never carries the values of a statement (e-mails, hashes)
    return create_async_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True,
                               pool_timeout=timeouts.pool, connect_args=connect_args, hide_parameters=True)


def init_engine(url: str, timeouts: DatabaseTimeouts | None = None) -> AsyncEngine:
    """Create the process-wide engine (called from the app's startup, never at import)."""
    global _engine, _sessions
    _engine = create_engine_for(url, timeouts=timeouts)
    _sessions = async_sessionmaker(_engine, expire_on_commit=False)
    return _engine


async def dispose_engine() -> None:
    global _engine, _sessions
    if _engine is not None:
        await _engine.dispose()
    _engine, _sessions = None, None


def engine_ready() -> bool:
    return _engine is not None


def get_engine() -> AsyncEngine:
    if _engine is None:
        raise RuntimeError("database engine not initialised: init_engine() runs at app startup")
    return _engine


def session_factory() -> async_sessionmaker[AsyncSession]:
    if _sessions is None:
        raise RuntimeError("database engine not initialised: init_engine() runs at app startup")
    return _sessions
