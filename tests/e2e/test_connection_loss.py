"""Connection loss on the phone page, in real Chromium: nothing is blocked. While the browser is
offline, or the server is gone (the page's socket closes), the journey is worked in the outbox's
offline view; once the connection is back what was done is sent, and the live page shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import phone_page, served_app, start_again

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

#: socket.io retries with a growing delay (up to 5 s); a restarted server takes a few seconds.
RECONNECT_TIMEOUT = 30_000


def _tick_offline(page: Page, key: str) -> None:
    view = page.get_by_test_id("offline-view")
    expect(view).to_be_visible(timeout=RECONNECT_TIMEOUT)
    expect(page.locator("#app")).to_be_hidden()
    assert page.evaluate("document.getElementById('app').inert") is False  # nothing is made inert
    page.get_by_test_id(f"ob-check-{key}").click()
    expect(page.get_by_test_id(f"ob-check-{key}")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_test_id("outbox-count")).to_have_text("1 waiting to send")


def _back_live(page: Page, key: str) -> None:
    expect(page.get_by_test_id("offline-view")).to_be_hidden(timeout=RECONNECT_TIMEOUT)
    expect(page.get_by_test_id("outbox-count")).to_have_count(0)
    expect(page.get_by_test_id(f"check-{key}")).to_have_attribute("aria-checked", "true", timeout=RECONNECT_TIMEOUT)


def test_work_goes_on_while_offline_and_is_sent_after(chromium: Browser) -> None:
    shots = Screenshots("connection-loss")
    with served_app() as app:
        page = phone_page(chromium, app.base_url, "mover@demo.ccrm")
        context = page.context
        page.locator("[data-testid^='journey-']").first.click()
        expect(page.get_by_test_id("phase-title")).to_have_text("2. Morning prep")
        page.wait_for_function("window.did_handshake === true && !!window.ccrmCrew")
        expect(page.get_by_test_id("offline-view")).to_be_hidden()
        journey_id = page.url.rsplit("/", 1)[-1]

        # 1. the phone loses its network
        context.set_offline(True)
        _tick_offline(page, "lights_ok")
        shots.take(page, "offline view")
        context.set_offline(False)
        _back_live(page, "lights_ok")

        # 2. the server goes away (the socket closes) and comes back
        app.server.stop()
        _tick_offline(page, "brakes_ok")
        start_again(app)
        _back_live(page, "brakes_ok")
        expect(page.get_by_test_id("phase-title")).to_have_text("2. Morning prep")
        shots.take(page, "back online after a restart")

        items = {i["key"]: i["done"] for i in page.request.get(f"/api/mobile/journey/{journey_id}").json()[
            "data"]["workflow"]["phases"][1]["items"]}
        assert items["lights_ok"] and items["brakes_ok"] and not items["equipment_loaded"]
