"""Engine and sessions.

Decision (once, here): the app uses **async SQLAlchemy** — psycopg 3's async driver on
PostgreSQL, aiosqlite on SQLite — so no NiceGUI handler or API route ever blocks the asyncio
loop on the database. Alembic and other one-off tools use the sync twin of the same URL.
"""

from __future__ import annotations

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


def create_engine_for(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys on (off by default there)."""
    url = async_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)


def init_engine(url: str) -> AsyncEngine:
    """Create the process-wide engine (called from the app's startup, never at import)."""
    global _engine, _sessions
    _engine = create_engine_for(url)
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
