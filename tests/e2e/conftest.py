"""Shared e2e support (Playwright, real Chromium, the app as a `python app.py` subprocess), on top
of `tests/e2e/live_server.py`:

    with served_app(SOME_SETTING="x") as app: ...   # own fresh database with the demo data, stopped after
    def test_x(shared_app: ServedApp): ...          # one app per worker, shared by modules that add their own rows
    with served_app() as app: app.server.stop(); start_again(app)   # a test that stops the server
    page = phone_page(chromium, base_url, "driver@demo.ccrm")   # signed in, 390×844

The `chromium` fixture (Debian's Chromium, module-scoped) is available to every e2e test, and so
is `two_instances` (two servers on one PostgreSQL database, one pair per xdist worker).
Tests marked `incremental` are the steps of one story, in file order: once a step fails, the
later steps of its module are skipped (naming the failed one) instead of failing in its wake.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import TEST_DATABASE_URL
from tests.e2e.live_server import (
    LiveServer,
    chromium,  # noqa: F401  (the fixture, for every e2e test)
    demo_database,
    running_live_server,
    sibling_database,
    signed_in_page,
    start_live_server,
    two_instances,  # noqa: F401  (the fixture, session-scoped: two servers on one database)
)

PHONE = {"width": 390, "height": 844}
#: The first failed step of an `incremental` module, kept on the module's node.
FAILED_STEP = pytest.StashKey[str]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.failed and item.get_closest_marker("incremental") and item.parent is not None:
        item.parent.stash.setdefault(FAILED_STEP, item.name)
    return report


def pytest_runtest_setup(item: pytest.Item) -> None:
    failed = item.parent.stash.get(FAILED_STEP, None) if item.parent is not None else None
    if failed and item.get_closest_marker("incremental"):
        pytest.skip(f"an earlier step of this story failed: {failed}")


@dataclass
class ServedApp:
    server: LiveServer
    database_url: str

    @property
    def base_url(self) -> str:
        return self.server.url


@contextmanager
def served_app(**env: str) -> Iterator[ServedApp]:
    """The app on a free port with its own fresh database (`<test db>_e2e`, or `DATABASE_URL`),
    migrated and holding the demo data (`demo_database`); ready (startup finished) when yielded."""
    database_url = demo_database(env.pop("DATABASE_URL", None) or sibling_database(TEST_DATABASE_URL, "e2e"))
    with running_live_server(database_url, env=env) as server:
        app = ServedApp(server, database_url)
        try:
            yield app
        finally:
            app.server.stop()


@pytest.fixture(scope="session")
def shared_app() -> Iterator[ServedApp]:
    """One served app with the default settings (its own database, `<test db>_e2e_shared`), started
    once per xdist worker for the e2e modules that only read the demo data and plant their own rows
    beside it (their own journeys, links, holidays); each app start costs ~10 s of CPU. A module
    that stops the server, needs other settings or pristine data uses `served_app` instead."""
    with served_app(DATABASE_URL=sibling_database(TEST_DATABASE_URL, "e2e_shared")) as app:
        yield app


def start_again(app: ServedApp) -> None:
    """Start a stopped server again on the same port, database and storage (as after a redeploy)."""
    app.server = start_live_server(app.database_url, port=app.server.port, workdir=app.server.workdir).wait_ready()


def phone_page(browser: Browser, base_url: str, email: str) -> Page:
    """A new browser context signed in as `email` (demo password), on a 390×844 screen."""
    page = signed_in_page(browser, base_url, email)
    page.set_viewport_size(PHONE)
    return page
