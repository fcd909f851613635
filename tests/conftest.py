"""Shared fixtures. Every test that touches the database gets a clean one (`db`), on PostgreSQL
by default (TEST_DATABASE_URL), or on SQLite when that URL says so."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.db_support import DEFAULT_TEST_URL, DemoSnapshot, empty_tables, ensure_database, is_postgres, reset_schema

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_URL)

# The app under test reads these; set before any app module builds its settings.
os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ["DEMO_MODE"] = "true"
os.environ["SEED_DEMO_DATA"] = "false"
os.environ["SCHEDULER_ENABLED"] = "false"
os.environ["SIMULATOR_ENABLED"] = "false"  # tests serve their own simulator on a free port
os.environ["LOG_JSON"] = "false"
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ccrm-media-"))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    ensure_database(TEST_DATABASE_URL)
    reset_schema(TEST_DATABASE_URL)
    yield TEST_DATABASE_URL


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """A clean database with the engine initialised; yields its URL."""
    from config import get_settings
    from db.session import dispose_engine, init_engine
    from domain import events

    await asyncio.to_thread(empty_tables, database_url)
    get_settings.cache_clear()
    init_engine(database_url)
    events.bus.clear()
    yield database_url
    events.bus.clear()
    await dispose_engine()


@pytest.fixture(scope="session")
def demo_snapshot(database_url: str) -> DemoSnapshot:
    """The demo data, seeded once per session into the emptied database and kept as a snapshot
    (`tests/db_support.py`) that `demo` restores for each test."""
    from db.seed import DEMO_PASSWORD, seed_demo
    from db.session import create_engine_for
    from domain.passwords import hash_password
    from sqlalchemy.ext.asyncio import AsyncSession

    async def seed() -> None:
        engine = create_engine_for(database_url)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                assert await seed_demo(session, hash_password(DEMO_PASSWORD))
                await session.commit()
        finally:
            await engine.dispose()

    def seed_and_keep() -> DemoSnapshot:
        empty_tables(database_url)
        asyncio.run(seed())  # its own loop and engine, in a thread: no test's loop is touched
        return DemoSnapshot(database_url)

    with ThreadPoolExecutor(1) as pool:
        snapshot = pool.submit(seed_and_keep).result()
    empty_tables(database_url)
    return snapshot


@pytest.fixture
async def demo(db: str, demo_snapshot: DemoSnapshot) -> str:
    """The demo data loaded into the clean database (restored from the session's snapshot)."""
    await asyncio.to_thread(demo_snapshot.restore)
    return db


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if is_postgres(TEST_DATABASE_URL):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL is SQLite)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def media_root() -> Path:
    return Path(os.environ["MEDIA_ROOT"])


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection loaded (the app's modules, NiceGUI, hypothesis, schemathesis: a
    quarter of a million objects) out of the garbage collector's reach. NiceGUI's `user` fixture
    runs two full `gc.collect()` per test; over the frozen heap each took 0.3 s, now microseconds.
    Objects made by the tests themselves are collected as before."""
    import gc

    gc.collect()
    gc.freeze()
