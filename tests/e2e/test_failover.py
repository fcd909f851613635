"""Instance failover (issue 17): two instances behind deploy/nginx.conf, sessions in Redis. A
Chromium page is open on one; that instance is killed (SIGKILL, no shutdown handlers); the page
comes back on the other one, still signed in, and shows a change committed meanwhile.

Needs Redis at REDIS_TEST_URL (default redis://127.0.0.1:6379/5; CI has it) and nginx: a missing
Redis fails the test loudly, a missing nginx skips it as the other proxy tests do. The keys the
instances write have a prefix of their own, deleted afterwards."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from playwright.sync_api import Browser, expect

from tests.e2e.live_server import (
    Instances,
    LiveServer,
    demo_journey,
    open_journey_status,
    running_instances,
    signed_in_page,
)
from tests.e2e.nginx_proxy import PROXY_TEST_MARKS, Proxy, running_nginx

pytestmark = PROXY_TEST_MARKS

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/5")
#: How long the page may take to come back on the other instance. The issue's promise is 10 s; the
#: test prints the time it took but does not assert it (a busy machine stretches any figure).
FAILOVER_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    """A key prefix of this run's own in the test Redis database, its keys deleted afterwards."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"the failover test needs Redis at {REDIS_TEST_URL} (set REDIS_TEST_URL): {exc}")
    prefix = f"ccrm-test-{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory, redis_prefix: str) -> Iterator[Instances]:
    env = {"REDIS_URL": REDIS_TEST_URL, "REDIS_KEY_PREFIX": redis_prefix}
    with running_instances(tmp_path_factory, "failover", env=env) as running:
        yield running


@pytest.fixture(scope="module")
def proxy(instances: Instances, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    with running_nginx(instances, tmp_path_factory.mktemp("nginx-failover")) as running:
        yield running


def signed_in_sessions(prefix: str) -> list[str]:
    """The session keys in Redis that hold a signed-in user."""
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        return [key.decode() for key in client.scan_iter(match=f"{prefix}user-*")
                if b'"user_id"' in (client.get(key) or b"")]
    finally:
        client.close()


def test_killing_the_instance_of_an_open_page_moves_it_to_the_other_still_signed_in(
    instances: Instances, proxy: Proxy, chromium: Browser, redis_prefix: str
) -> None:
    data = demo_journey(instances.database_url)
    page = signed_in_page(chromium, proxy.url, "manager@demo.ccrm")
    open_journey_status(page, data.journey_id)
    route = next(c["value"] for c in page.context.cookies() if c["name"] == "ccrm_route")
    servers = {f"127.0.0.1:{s.port}": s for s in (instances.a, instances.b)}
    (serving,) = proxy.upstreams_by_route()[route]
    victim: LiveServer = servers.pop(serving)
    (survivor,) = servers.values()
    assert signed_in_sessions(redis_prefix), "the session is not in Redis"

    victim.process.kill()  # SIGKILL: no shutdown handler runs
    victim.process.wait()
    killed = time.perf_counter()
    marker = f"Changed while {victim.port} was down, at {time.time_ns()}"
    data.put_notes(survivor.url, marker)

    expect(page.get_by_test_id(f"journey-notes-{data.journey_id}")).to_have_text(marker, timeout=FAILOVER_TIMEOUT_MS)
    print(f"\nfailover: the page showed the change {time.perf_counter() - killed:.2f}s after the kill")
    assert page.url.endswith(f"/journeys/{data.journey_id}/status")  # not sent to /login
    expect(page.get_by_test_id(f"journey-card-{data.journey_id}")).to_be_visible()
    assert page.evaluate("window.__not_reloaded") is None  # rebuilt by the survivor, not kept alive
    assert proxy.upstreams_by_route()[route] >= {f"127.0.0.1:{survivor.port}"}
    page.context.close()
