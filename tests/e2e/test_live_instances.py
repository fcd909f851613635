"""Two app instances on one PostgreSQL database, in real Chromium: a change committed through
instance A shows, live and without a reload, on a page served by instance B; pages closed on B
leave no subscription behind."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import Journey, User
from db.seed import DEMO_PASSWORD
from db.session import sync_url
from domain.rbac import principal_of
from domain.tokens import issue_token
from tests.conftest import TEST_DATABASE_URL
from tests.e2e.live_server import LiveServer, blank_database, sibling_database, start_live_server

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The issue's promise: a change shows on the other instance within a second.
LIVE_WITHIN_MS = 1000


@dataclass(frozen=True)
class Instances:
    a: LiveServer
    b: LiveServer
    database_url: str


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instances]:
    """Two servers booted together on one empty database (they take turns to migrate and seed)."""
    url = blank_database(sibling_database(TEST_DATABASE_URL, "e2e"))
    servers = [start_live_server(url, workdir=tmp_path_factory.mktemp(name)) for name in ("a", "b")]
    try:
        for server in servers:
            server.wait_ready()
        yield Instances(servers[0], servers[1], url)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass(frozen=True)
class Fixture:
    journey_id: int
    dispatcher_token: str


@pytest.fixture(scope="module")
def data(instances: Instances) -> Fixture:
    engine = create_engine(sync_url(instances.database_url))
    try:
        with Session(engine) as session:
            dispatcher = session.scalars(select(User).where(User.email == "dispatcher@demo.ccrm")).one()
            locations = [link.location_id for link in dispatcher.location_links]
            journey_id = session.scalars(
                select(Journey.id).where(Journey.location_id.in_(locations)).order_by(Journey.id).limit(1)
            ).one()
            token, _ = issue_token(principal_of(dispatcher))
    finally:
        engine.dispose()
    return Fixture(journey_id, token)


def signed_in_page(browser: Browser, server: LiveServer, email: str) -> Page:
    page = browser.new_context(base_url=server.url).new_page()
    page.goto("/login")
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(DEMO_PASSWORD)
    page.get_by_test_id("sign-in").click()
    page.wait_for_url("**/dashboard")
    return page


def open_status(page: Page, journey_id: int) -> None:
    page.goto(f"/journeys/{journey_id}/status")
    expect(page.get_by_test_id(f"journey-card-{journey_id}")).to_be_visible()
    page.wait_for_function("window.did_handshake === true")  # the live socket is up
    page.evaluate("window.__not_reloaded = true")


def test_both_instances_relay_events_with_their_own_identity(instances: Instances) -> None:
    relays = [server.health()["live"]["relay"] for server in (instances.a, instances.b)]
    assert all(relay["enabled"] and relay["listening"] for relay in relays)
    assert relays[0]["instance"] != relays[1]["instance"]


def test_a_change_committed_through_a_appears_live_on_a_page_served_by_b(
    instances: Instances, browser: Browser, data: Fixture
) -> None:
    page = signed_in_page(browser, instances.b, "manager@demo.ccrm")
    open_status(page, data.journey_id)
    notes = page.get_by_test_id(f"journey-notes-{data.journey_id}")
    marker = f"Through A at {time.time_ns()}"
    received_before = instances.b.health()["live"]["relay"]["received"]

    started = time.perf_counter()
    response = httpx.put(
        f"{instances.a.url}/api/journeys/{data.journey_id}/notes",
        json={"notes": marker},
        headers={"Authorization": f"Bearer {data.dispatcher_token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    expect(notes).to_have_text(marker, timeout=LIVE_WITHIN_MS)
    elapsed_ms = (time.perf_counter() - started) * 1000

    assert page.evaluate("window.__not_reloaded") is True
    assert instances.b.health()["live"]["relay"]["received"] > received_before
    print(f"\ncommit through A -> visible on B: {elapsed_ms:.0f} ms")
    page.context.close()


def test_notes_saved_in_a_page_on_b_appear_on_a_page_served_by_a(
    instances: Instances, browser: Browser, data: Fixture
) -> None:
    editor = signed_in_page(browser, instances.b, "dispatcher@demo.ccrm")
    viewer = signed_in_page(browser, instances.a, "manager@demo.ccrm")
    open_status(viewer, data.journey_id)
    open_status(editor, data.journey_id)
    marker = f"Typed on B at {time.time_ns()}"

    editor.get_by_test_id("notes-input").fill(marker)
    editor.get_by_test_id("save-notes").click()

    expect(viewer.get_by_test_id(f"journey-notes-{data.journey_id}")).to_have_text(marker, timeout=LIVE_WITHIN_MS * 2)
    assert viewer.evaluate("window.__not_reloaded") is True
    editor.context.close()
    viewer.context.close()


def settled_subscribers(server: LiveServer) -> int:
    """The server's subscription count once it stopped changing for longer than NiceGUI's
    reconnect_timeout (3 s), i.e. once pages that were left have been deleted."""
    last, since, deadline = -1, time.monotonic(), time.monotonic() + 30
    while time.monotonic() < deadline:
        count = server.health()["live"]["subscribers"]
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since > 4:
            return count
        time.sleep(0.25)
    raise AssertionError(f"subscriber count never settled (last {last})")


def test_pages_closed_on_b_end_their_subscriptions(instances: Instances, browser: Browser, data: Fixture) -> None:
    baseline = settled_subscribers(instances.b)
    first = signed_in_page(browser, instances.b, "dispatcher@demo.ccrm")
    pages = [first] + [first.context.new_page() for _ in range(5)]
    for page in pages:
        open_status(page, data.journey_id)
    assert settled_subscribers(instances.b) == baseline + len(pages)

    first.context.close()
    assert settled_subscribers(instances.b) == baseline
