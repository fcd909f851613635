"""The app served for real: `python app.py` as a subprocess on a free loopback port.

    with running_live_server(database_url, env={"LOG_LEVEL": "WARNING"}) as server:  # waits for /health
        httpx.get(f"{server.url}/health")                                            # stopped after the block

Each server gets its own NiceGUI storage and media directories (as separate containers would),
demo mode with demo data, the scheduler off unless `env` says otherwise. `start_live_server`
returns at once so that several servers can boot together; `wait_ready` then blocks until
`/health` answers 200 with startup finished (migrations, demo data, relay), and fails with the tail
of the server's log if it dies or takes too long.
`blank_database` gives a server an empty PostgreSQL database to migrate and seed on its own;
`demo_database` one already migrated and seeded, as that first start leaves it (a copy of a template).
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from passlib.handlers.argon2 import argon2
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.migrate import upgrade_to_head
from db.models import Journey, User
from db.seed import DEMO_PASSWORD, seed_demo
from db.session import create_engine_for, sync_url
from domain.access.rbac import principal_of
from domain.access.tokens import issue_token
from tests.db_support import ensure_database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STARTUP_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 15.0
#: Set by pytest and NiceGUI's simulation; NiceGUI would think the subprocess is a test run.
_TEST_HARNESS_VARIABLES = ("PYTEST_", "NICEGUI_USER_SIMULATION", "NICEGUI_SCREEN_TEST_PORT")


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sibling_database(url: str, suffix: str) -> str:
    """The URL of a database named like `url`'s plus `_<suffix>` (e.g. test_live → test_live_e2e)."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


def blank_database(url: str) -> str:
    """Create the PostgreSQL database if needed and empty it completely (no tables, no migrations)."""
    ensure_database(url)
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return url


@functools.cache
def _demo_template() -> str:
    """The name of this test process's template database (`<test db>_demo_template`), made on first
    use: migrated to head and seeded with the demo data, passwords hashed at the servers' real cost."""
    from tests.conftest import SERVER_ARGON2, TEST_DATABASE_URL

    url = blank_database(sibling_database(TEST_DATABASE_URL, "demo_template"))
    upgrade_to_head(url)

    async def seed() -> None:
        engine = create_engine_for(url)
        try:
            async with AsyncSession(engine) as session:
                assert await seed_demo(session, argon2.using(**SERVER_ARGON2).hash(DEMO_PASSWORD))
                await session.commit()
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever runs in this thread (Playwright's)
        pool.submit(asyncio.run, seed()).result()
    return str(make_url(url).database)


def demo_database(url: str) -> str:
    """(Re)create the PostgreSQL database of `url` as a copy of the template: what a server's first
    start leaves in an empty database (migrations, demo data; the server then finds nothing to do),
    in a fraction of a second instead of the ~3 s of CPU (and more of PostgreSQL's) each server
    spent on it. The servers of the failover and chaos tests still boot on empty databases."""
    template = _demo_template()
    name = make_url(url).database
    admin = create_engine(make_url(sync_url(url)).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    return url


@dataclass
class LiveServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    workdir: Path
    _log_file: Any = field(repr=False, default=None)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def health(self) -> dict[str, Any]:
        """The `data` of `/health` (raises if the server does not answer 200)."""
        response = httpx.get(f"{self.url}/health", timeout=10)
        response.raise_for_status()
        return response.json()["data"]

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> LiveServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server on port {self.port} exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                response = httpx.get(f"{self.url}/health", timeout=2)
                if response.status_code == 200 and response.json()["data"]["started"]:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server on port {self.port} not healthy after {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM (the app's shutdown handlers run), then SIGKILL if it does not exit in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def start_live_server(database_url: str, *, env: dict[str, str] | None = None, port: int | None = None,
                      workdir: Path | None = None) -> LiveServer:
    """Start `python app.py` on a free port (not waiting for it: call `wait_ready`)."""
    port = port or free_port()
    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"ccrm-live-{port}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_TEST_HARNESS_VARIABLES)}
    environment = {
        **inherited,
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DEMO_MODE": "true",
        "SEED_DEMO_DATA": "true",
        "SCHEDULER_ENABLED": "false",
        "LOG_JSON": "false",
        "MEDIA_ROOT": str(workdir / "media"),
        "NICEGUI_STORAGE_PATH": str(workdir / "nicegui"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    log_path = workdir / "server.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT
    )
    return LiveServer(f"http://127.0.0.1:{port}", port, process, log_path, workdir, log_file)


@contextmanager
def running_live_server(database_url: str, **kwargs: Any) -> Iterator[LiveServer]:
    server = start_live_server(database_url, **kwargs)
    try:
        yield server.wait_ready()
    finally:
        server.stop()


@dataclass(frozen=True)
class Instances:
    """Two servers on one database, as behind the proxy in production."""

    a: LiveServer
    b: LiveServer
    database_url: str


@contextmanager
def running_instances(tmp_path_factory: pytest.TempPathFactory, database_suffix: str,
                      env: dict[str, str] | None = None, *, seeded: bool = False) -> Iterator[Instances]:
    """Two servers booted together on one empty PostgreSQL database (`<test db>_<database_suffix>`);
    they take turns to migrate and seed (`seeded`: on a `demo_database` instead, nothing to do).
    PostgreSQL only: mark the tests `postgres_only`."""
    from tests.conftest import TEST_DATABASE_URL

    url = (demo_database if seeded else blank_database)(sibling_database(TEST_DATABASE_URL, database_suffix))
    servers = [start_live_server(url, env=env, workdir=tmp_path_factory.mktemp(name)) for name in ("a", "b")]
    try:
        for server in servers:
            server.wait_ready()
        yield Instances(servers[0], servers[1], url)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def two_instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instances]:
    """Two servers on one PostgreSQL database with the demo data (`<test db>_e2e_pair`), each with
    its own sessions (the failover test's pair boots on an empty one); started once per xdist
    worker for the modules that use them (the live relay, the proxy), which only add their own
    notes and pages."""
    with running_instances(tmp_path_factory, "e2e_pair", seeded=True) as instances:
        yield instances


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass(frozen=True)
class DemoJourney:
    """A demo journey at one of dispatcher@'s branches, and an API token of that dispatcher."""

    journey_id: int
    dispatcher_token: str

    def put_notes(self, base_url: str, notes: str) -> None:
        """Save the journey's notes through the API of the server at `base_url`."""
        response = httpx.put(f"{base_url}/api/journeys/{self.journey_id}/notes", json={"notes": notes},
                             headers={"Authorization": f"Bearer {self.dispatcher_token}"}, timeout=10)
        assert response.status_code == 200, response.text


def dispatcher_journeys(database_url: str, limit: int) -> tuple[list[int], str]:
    """The first `limit` demo journeys at dispatcher@'s branches, and an API token of that dispatcher."""
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            dispatcher = session.scalars(select(User).where(User.email == "dispatcher@demo.ccrm")).one()
            locations = [link.location_id for link in dispatcher.location_links]
            journey_ids = list(session.scalars(
                select(Journey.id).where(Journey.location_id.in_(locations)).order_by(Journey.id).limit(limit)
            ))
            token, _ = issue_token(principal_of(dispatcher))
    finally:
        engine.dispose()
    return journey_ids, token


def demo_journey(database_url: str) -> DemoJourney:
    journey_ids, token = dispatcher_journeys(database_url, 1)
    return DemoJourney(journey_ids[0], token)


def signed_in_page(browser: Browser, base_url: str, email: str) -> Page:
    """A new browser context signed in as `email` (demo password), on its landing page."""
    page = browser.new_context(base_url=base_url).new_page()
    page.goto("/login")
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(DEMO_PASSWORD)
    page.get_by_test_id("sign-in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def open_journey_status(page: Page, journey_id: int) -> None:
    """Open the journey's live status page and wait until its socket is up; marks the window so
    a test can tell that a later update came without a reload (`window.__not_reloaded`)."""
    page.goto(f"/journeys/{journey_id}/status")
    expect(page.get_by_test_id(f"journey-card-{journey_id}")).to_be_visible()
    page.wait_for_function("window.did_handshake === true")
    page.evaluate("window.__not_reloaded = true")
