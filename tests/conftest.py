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

from tests.db_support import (
    DEFAULT_TEST_URL,
    DemoSnapshot,
    empty_tables,
    ensure_database,
    is_postgres,
    reset_schema,
    worker_database,
)

#: The database of this test process: TEST_DATABASE_URL's, or under pytest-xdist a sibling of it
#: per worker (`<name>_gw0`, `<name>_gw1`, ...; `<stem>.gw0.db` on SQLite). Every other database
#: the tests create is named after this one (`<name>_gw0_e2e`, `<name>_gw0_api_fuzz`, ...).
TEST_DATABASE_URL = worker_database(os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_URL),
                                    os.environ.get("PYTEST_XDIST_WORKER"))

# The app under test reads these; set before any app module builds its settings.
os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ["DEMO_MODE"] = "true"
os.environ["SEED_DEMO_DATA"] = "false"
os.environ["SCHEDULER_ENABLED"] = "false"
os.environ["SIMULATOR_ENABLED"] = "false"  # tests serve their own simulator on a free port
os.environ["DEMO_MAIL_SERVER"] = "false"  # tests serve their own SMTP server on a free port
os.environ["LOG_JSON"] = "false"
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ccrm-media-"))


def _cheap_password_hashing() -> dict[str, int]:
    """Passwords are hashed and checked with argon2 at 1 MiB and one lane instead of 64 MiB and
    four: the same code paths (and a real argon2 hash), a fifteenth of the CPU. Every sign-in of a
    test checks one. The servers the e2e tests start are separate processes: they keep the real
    cost, returned here (for the demo data made for them, see `tests/e2e/live_server.py`)."""
    from passlib.handlers.argon2 import argon2

    real = {"memory_cost": argon2.memory_cost, "parallelism": argon2.parallelism}
    argon2.memory_cost = 1024
    argon2.parallelism = 1
    return real


#: argon2's real cost (passlib's defaults), as the served apps hash passwords.
SERVER_ARGON2 = _cheap_password_hashing()

#: How long NiceGUI's simulated user looks for something to appear (`should_see`) or go away
#: (`should_not_see`) before failing. NiceGUI's default (3 tries, 0.1-0.3 s) failed pages on a
#: busy machine (xdist workers beside other suites) that were merely late. Seen at once, it returns at once.
PATIENCE_SECONDS = 10.0


def _patient_simulated_user() -> None:
    import functools

    from nicegui.testing.user import User

    for name, pause in (("should_see", 0.1), ("should_not_see", 0.05)):  # NiceGUI's pause between tries
        original = getattr(User, name)
        floor = int(PATIENCE_SECONDS / pause)

        @functools.wraps(original)
        async def patient(self: User, *args: object, retries: int = 3, _original=original, _floor=floor,
                          **kwargs: object) -> None:
            await _original(self, *args, retries=max(retries, _floor), **kwargs)

        setattr(User, name, patient)


_patient_simulated_user()


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


@pytest.fixture(scope="session")
def demo_snapshot(database_url: str) -> DemoSnapshot:
    """The demo data, seeded once per session into the emptied database and kept as a snapshot
    (`tests/db_support.py`) that `demo` restores for each test."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from db.seed import DEMO_PASSWORD, seed_demo
    from db.session import create_engine_for
    from domain.access.passwords import hash_password

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


def _longest_modules_first(items: list[pytest.Item]) -> None:
    """Under xdist (`--dist loadscope --no-loadscope-reorder`) modules go to the workers in this
    order: the long ones first (e2e and fuzz modules, which serve apps; hypothesis properties), then
    the others; within each kind by their number of tests, so that no long module starts last and
    runs on alone (the e2e story, a dozen steps and the longest module with the fuzz, starts beside
    the fuzz instead of after every other e2e module)."""
    def module_of(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]

    sizes: dict[str, int] = {}
    rank: dict[str, int] = {}  # 0 the API fuzz (the longest), 1 e2e, 2 properties, 3 the others
    for item in items:
        module = module_of(item)
        sizes[module] = sizes.get(module, 0) + 1
        kind = (0 if item.get_closest_marker("fuzz") else 1 if item.get_closest_marker("e2e")
                else 2 if module.endswith("_properties.py") else 3)
        rank[module] = min(rank.get(module, 3), kind)
    order = {module: i for i, module in enumerate(
        sorted(sizes, key=lambda m: (rank[m], -sizes[m])))}
    items.sort(key=lambda item: order[module_of(item)])  # stable: a module's tests keep their order


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _longest_modules_first(items)
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
