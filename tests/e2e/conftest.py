"""Playwright end-to-end support, for every e2e test: the app served by a real `python app.py`
subprocess on a free port with its own PostgreSQL database (demo data loaded), and Debian's
Chromium. The e2e tests are synchronous (Playwright's sync API) and never share the NiceGUI user
fixture's event loop.

    with live_app(SOME_SETTING="x") as base_url: ...      # fresh database, started, stopped
    LiveApp(...).start() / .stop()                        # when a test needs to stop the server
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.seed import DEMO_PASSWORD
from db.session import sync_url
from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
START_TIMEOUT = 90.0
#: app.py logs this at the end of its startup (migrations, demo data); /health may answer before.
STARTED_MARK = "C&C CRM started"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def e2e_database_url(suffix: str = "e2e") -> str:
    """The test database's URL with `_<suffix>` appended to its name (e.g. test_mobile_e2e)."""
    url = make_url(TEST_DATABASE_URL)
    return url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)


def fresh_database(url: str) -> None:
    """Drop and create the PostgreSQL database, so the app migrates and seeds it from scratch."""
    parsed = make_url(sync_url(url))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


class LiveApp:
    """`python app.py` as a subprocess; `start()` waits for /health, `stop()` terminates it.
    Restarting keeps the port, the database and the media directory."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start and wait until /health answers 200 and the startup (migrations, demo data) is done."""
        started_before = self.log.read_text(errors="replace").count(STARTED_MARK) if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                healthy = httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200
                if healthy and self.log.read_text(errors="replace").count(STARTED_MARK) > started_before:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"app not healthy after {START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_app(**env_overrides: str) -> Iterator[LiveApp]:
    """A started `LiveApp` on a fresh database (`DATABASE_URL` may be overridden), stopped on exit."""
    database = env_overrides.pop("DATABASE_URL", None) or e2e_database_url()
    fresh_database(database)
    with tempfile.TemporaryDirectory(prefix="ccrm-e2e-") as scratch:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}
        env = {  # (NiceGUI behaves as under test when it sees PYTEST_CURRENT_TEST)
            **inherited, "DATABASE_URL": database, "PORT": str(free_port()), "DEMO_MODE": "true",
            "SEED_DEMO_DATA": "true", "SCHEDULER_ENABLED": "false", "LOG_JSON": "false",
            "MEDIA_ROOT": str(Path(scratch) / "media"), **env_overrides,
        }
        app = LiveApp(env, int(env["PORT"]), Path(scratch) / "app.log")
        app.start()
        try:
            yield app
        finally:
            app.stop()


@contextmanager
def live_app(**env_overrides: str) -> Iterator[str]:
    """Start the app (fresh database, demo data, no scheduler), wait for /health, yield its base URL."""
    with running_app(**env_overrides) as app:
        yield app.base_url


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def signed_in(browser: Browser, base_url: str, email: str, *, phone: bool = True) -> tuple[BrowserContext, Page]:
    """A new browser context (phone or desktop viewport) signed in as `email` (demo password)."""
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, base_url=base_url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(DEMO_PASSWORD)
    page.get_by_test_id("sign-in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page
