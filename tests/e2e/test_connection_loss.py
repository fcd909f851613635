"""Connection loss on the phone page, in real Chromium: the page blocks input under an offline
banner while the browser is offline or the server is gone, nothing tapped meanwhile is recorded,
and once the connection is back the banner goes and the next action is recorded."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import phone_page, served_app, start_again
from tests.e2e.phone_steps import tick

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

#: socket.io retries with a growing delay (up to 5 s); a restarted server takes a few seconds.
RECONNECT_TIMEOUT = 30_000


def _assert_blocked(page: Page, key: str) -> None:
    banner = page.get_by_test_id("offline-banner")
    expect(banner).to_be_visible(timeout=RECONNECT_TIMEOUT)
    expect(banner).to_contain_text("Offline — reconnecting…")
    with pytest.raises(PlaywrightTimeout, match=r"inert|intercepts pointer events"):
        page.get_by_test_id(f"check-{key}").click(timeout=1500)
    page.mouse.click(200, 400)  # a tap anywhere lands on the banner's overlay, not on the page
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def test_input_is_blocked_while_offline_and_works_again_after(chromium: Browser) -> None:
    shots = Screenshots("connection-loss")
    with served_app() as app:
        page = phone_page(chromium, app.base_url, "mover@demo.ccrm")
        context = page.context
        page.locator("[data-testid^='journey-']").first.click()
        expect(page.get_by_test_id("phase-title")).to_have_text("2. Morning prep")
        expect(page.get_by_test_id("offline-banner")).to_be_hidden()
        journey_id = page.url.rsplit("/", 1)[-1]

        # 1. the phone loses its network
        context.set_offline(True)
        _assert_blocked(page, "lights_ok")
        shots.take(page, "offline banner")
        context.set_offline(False)
        expect(page.get_by_test_id("offline-banner")).to_be_hidden(timeout=RECONNECT_TIMEOUT)
        expect(page.get_by_test_id("check-lights_ok")).to_have_attribute("aria-checked", "false")
        tick(page, "lights_ok")

        # 2. the server goes away (the socket closes) and comes back
        app.server.stop()
        _assert_blocked(page, "brakes_ok")
        start_again(app)
        expect(page.get_by_test_id("offline-banner")).to_be_hidden(timeout=RECONNECT_TIMEOUT)
        expect(page.get_by_test_id("phase-title")).to_have_text("2. Morning prep")
        expect(page.get_by_test_id("check-brakes_ok")).to_have_attribute("aria-checked", "false")
        tick(page, "brakes_ok")
        shots.take(page, "back online after a restart")

        items = {i["key"]: i["done"] for i in page.request.get(f"/api/mobile/journey/{journey_id}").json()[
            "data"]["workflow"]["phases"][1]["items"]}
        assert items["lights_ok"] and items["brakes_ok"] and not items["equipment_loaded"]
