"""Shared fixtures. Every test that touches the database gets a clean one (`db`), on PostgreSQL
by default (TEST_DATABASE_URL), or on SQLite when that URL says so."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.db_support import DEFAULT_TEST_URL, ensure_database, is_postgres, reset_schema, empty_tables

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
    from domain.events import bus as events

    await asyncio.to_thread(empty_tables, database_url)
    get_settings.cache_clear()
    init_engine(database_url)
    events.bus.clear()
    yield database_url
    events.bus.clear()
    await dispose_engine()


@pytest.fixture
async def demo(db: str) -> str:
    """The demo data loaded into the clean database."""
    from db.seed import DEMO_PASSWORD, seed_demo
    from domain.access.passwords import hash_password
    from domain.unit_of_work import unit_of_work

    password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD)
    async with unit_of_work() as session:
        assert await seed_demo(session, password_hash)
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
