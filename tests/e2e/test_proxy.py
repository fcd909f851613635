"""deploy/nginx.conf, run for real in front of two instances: each browser sticks to one instance
(both get browsers), socket.io's WebSocket passes through, and live updates reach a page served
through the proxy. Skipped where nginx is not installed."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.live_server import (
    DemoJourney,
    Instances,
    demo_journey,
    open_journey_status,
    signed_in_page,
)
from tests.e2e.nginx_proxy import PROXY_TEST_MARKS, Proxy, running_nginx

pytestmark = PROXY_TEST_MARKS

BROWSERS = 30


@pytest.fixture(scope="module")
def proxy(two_instances: Instances, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    with running_nginx(two_instances, tmp_path_factory.mktemp("nginx")) as running:
        yield running


def test_every_browser_sticks_to_one_instance_and_both_instances_get_browsers(
    proxy: Proxy, two_instances: Instances
) -> None:
    url = proxy.url
    for _ in range(BROWSERS):  # each a new browser: its own cookie jar
        with httpx.Client(base_url=url, timeout=10) as browser:
            first = browser.get("/login")
            assert "ccrm_route=" in first.headers.get("set-cookie", "")
            for _ in range(3):
                again = browser.get("/login")
                assert again.status_code == 200
                assert "set-cookie" not in again.headers or "ccrm_route" not in again.headers["set-cookie"]

    routes = proxy.upstreams_by_route()
    assert len(routes) >= BROWSERS
    assert all(len(upstreams) == 1 for upstreams in routes.values())
    used = set().union(*routes.values())
    assert used == {f"127.0.0.1:{two_instances.a.port}", f"127.0.0.1:{two_instances.b.port}"}


def test_a_page_served_through_the_proxy_updates_live_over_its_websocket(
    proxy: Proxy, two_instances: Instances, chromium: Browser
) -> None:
    url, access_log = proxy.url, proxy.access_log
    data: DemoJourney = demo_journey(two_instances.database_url)
    page = signed_in_page(chromium, url, "manager@demo.ccrm")
    open_journey_status(page, data.journey_id)
    transport = page.evaluate("window.socket.io.engine.transport.name")
    marker = f"Through the proxy at {time.time_ns()}"

    for server in (two_instances.a, two_instances.b):  # whichever instance serves the page, one is remote
        data.put_notes(server.url, f"{marker} via {server.port}")
        expect(page.get_by_test_id(f"journey-notes-{data.journey_id}")).to_have_text(
            f"{marker} via {server.port}", timeout=2000
        )

    assert transport == "websocket"
    assert page.evaluate("window.__not_reloaded") is True
    assert re.search(r'"GET /_nicegui_ws/socket.io/\?[^"]*transport=websocket[^"]*" 101', access_log.read_text())
    page.context.close()
