"""deploy/nginx.conf, run for real in front of two instances: each browser sticks to one instance
(both get browsers), socket.io's WebSocket passes through, and live updates reach a page served
through the proxy. Skipped where nginx is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.live_server import (
    ROOT,
    DemoJourney,
    Instances,
    demo_journey,
    free_port,
    open_journey_status,
    signed_in_page,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres_only,
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed"),
]

BROWSERS = 30


def render_config(instances: Instances, port: int, access_log: Path) -> str:
    """The deployment's config with its upstreams and port pointed at the local test servers."""
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = [
        (r"server app1:8080", f"server 127.0.0.1:{instances.a.port}"),
        (r"server app2:8080", f"server 127.0.0.1:{instances.b.port}"),
        (r"listen 80;", f"listen 127.0.0.1:{port};"),
        (r"access_log /var/log/nginx/access.log ccrm;", f"access_log {access_log} ccrm;"),
    ]
    for pattern, replacement in replacements:
        config, count = re.subn(re.escape(pattern), replacement, config)
        assert count == 1, f"deploy/nginx.conf no longer contains {pattern!r}"
    return config


@pytest.fixture(scope="module")
def proxy(two_instances: Instances, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """nginx with deploy/nginx.conf on a free port; yields (its URL, its access log)."""
    workdir = tmp_path_factory.mktemp("nginx")
    port = free_port()
    access_log = workdir / "access.log"
    (workdir / "nginx.conf").write_text(render_config(two_instances, port, access_log))
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e", str(workdir / "error.log"),
         "-g", f"pid {workdir / 'nginx.pid'}; daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"nginx did not come up: {(workdir / 'error.log').read_text()}")
        yield url, access_log
    finally:
        process.terminate()
        process.wait(10)


def upstreams_by_route(access_log: Path) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = defaultdict(set)
    for line in access_log.read_text().splitlines():
        match = re.search(r"route=(\S+) upstream=(\S+)", line)
        if match:
            routes[match.group(1)].add(match.group(2))
    return routes


def test_every_browser_sticks_to_one_instance_and_both_instances_get_browsers(
    proxy: tuple[str, Path], two_instances: Instances
) -> None:
    url, access_log = proxy
    for _ in range(BROWSERS):  # each a new browser: its own cookie jar
        with httpx.Client(base_url=url, timeout=10) as browser:
            first = browser.get("/login")
            assert "ccrm_route=" in first.headers.get("set-cookie", "")
            for _ in range(3):
                again = browser.get("/login")
                assert again.status_code == 200
                assert "set-cookie" not in again.headers or "ccrm_route" not in again.headers["set-cookie"]

    routes = upstreams_by_route(access_log)
    assert len(routes) >= BROWSERS
    assert all(len(upstreams) == 1 for upstreams in routes.values())
    used = set().union(*routes.values())
    assert used == {f"127.0.0.1:{two_instances.a.port}", f"127.0.0.1:{two_instances.b.port}"}


def test_a_page_served_through_the_proxy_updates_live_over_its_websocket(
    proxy: tuple[str, Path], two_instances: Instances, chromium: Browser
) -> None:
    url, access_log = proxy
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
