"""Two app instances on one PostgreSQL database, in real Chromium: a change committed through
instance A shows, live and without a reload, on a page served by instance B; pages closed on B
leave no subscription behind."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.artifacts import Screenshots
from tests.e2e.live_server import (
    DemoJourney,
    Instances,
    LiveServer,
    demo_journey,
    open_journey_status,
    signed_in_page,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

#: How long to wait for a change to show on the other instance. The issue's promise is "within a
#: second"; the test prints the time it took but does not assert it: a busy machine (CI, -n 2
#: beside other suites) stretches any wall-clock figure. The page must update without a reload.
LIVE_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def data(two_instances: Instances) -> DemoJourney:
    return demo_journey(two_instances.database_url)


def test_both_instances_relay_events_with_their_own_identity(two_instances: Instances) -> None:
    relays = [server.health()["live"]["relay"] for server in (two_instances.a, two_instances.b)]
    assert all(relay["enabled"] and relay["listening"] for relay in relays)
    assert relays[0]["instance"] != relays[1]["instance"]


def test_a_change_committed_through_a_appears_live_on_a_page_served_by_b(
    two_instances: Instances, chromium: Browser, data: DemoJourney
) -> None:
    page = signed_in_page(chromium, two_instances.b.url, "manager@demo.ccrm")
    open_journey_status(page, data.journey_id)
    notes = page.get_by_test_id(f"journey-notes-{data.journey_id}")
    marker = f"Through A at {time.time_ns()}"
    received_before = two_instances.b.health()["live"]["relay"]["received"]

    started = time.perf_counter()
    data.put_notes(two_instances.a.url, marker)
    expect(notes).to_have_text(marker, timeout=LIVE_TIMEOUT_MS)
    elapsed_ms = (time.perf_counter() - started) * 1000

    assert page.evaluate("window.__not_reloaded") is True
    assert two_instances.b.health()["live"]["relay"]["received"] > received_before
    print(f"\ncommit through A -> visible on B: {elapsed_ms:.0f} ms")
    Screenshots("live-instances").take(page, "journey status on b after a change through a")
    page.context.close()


def test_notes_saved_in_a_page_on_b_appear_on_a_page_served_by_a(
    two_instances: Instances, chromium: Browser, data: DemoJourney
) -> None:
    editor = signed_in_page(chromium, two_instances.b.url, "dispatcher@demo.ccrm")
    viewer = signed_in_page(chromium, two_instances.a.url, "manager@demo.ccrm")
    open_journey_status(viewer, data.journey_id)
    open_journey_status(editor, data.journey_id)
    marker = f"Typed on B at {time.time_ns()}"

    editor.get_by_test_id("notes-input").fill(marker)
    editor.get_by_test_id("save-notes").click()

    expect(viewer.get_by_test_id(f"journey-notes-{data.journey_id}")).to_have_text(marker, timeout=LIVE_TIMEOUT_MS)
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


def test_pages_closed_on_b_end_their_subscriptions(
    two_instances: Instances, chromium: Browser, data: DemoJourney
) -> None:
    baseline = settled_subscribers(two_instances.b)
    first = signed_in_page(chromium, two_instances.b.url, "dispatcher@demo.ccrm")
    pages = [first] + [first.context.new_page() for _ in range(5)]
    for page in pages:
        open_journey_status(page, data.journey_id)
    assert settled_subscribers(two_instances.b) == baseline + 2 * len(pages)  # live updates, sign-out when ended

    first.context.close()
    assert settled_subscribers(two_instances.b) == baseline
