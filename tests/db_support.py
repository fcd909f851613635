"""Test databases: create on demand, reset the schema once per session, empty every table per test."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.migrate import upgrade_to_head
from db.models import Base
from db.session import sync_url

DEFAULT_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist (SQLite files appear by themselves)."""
    parsed = make_url(sync_url(url))
    if not is_postgres(url):
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def reset_schema(url: str) -> None:
    """Drop everything and migrate to head: each session starts from the real migrations."""
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            if is_postgres(url):
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
    upgrade_to_head(url)


def empty_tables(url: str) -> None:
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            if is_postgres(url):
                names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(table.delete())
    finally:
        engine.dispose()
