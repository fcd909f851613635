"""Forwarded headers count only from trusted proxies; the session cookie is Secure over https;
every answer carries the CSP and no-framing headers; socket.io answers only the app's own origin."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from nicegui.testing import User as SimulatedUser

from config import get_settings
from tests.helpers import bearer, token_for
from tests.world import WORLD_PASSWORD, World, build_world

FORGED = {"X-Forwarded-For": '=HYPERLINK("http://evil.test")', "X-Forwarded-Proto": "https"}
SOCKET = "/_nicegui_ws/socket.io/?EIO=4&transport=polling"


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


@pytest.fixture
def loopback_is_a_trusted_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test client connects from 127.0.0.1: make that the proxy (before `user` builds the app)."""
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1/32")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _audited_ips(user: SimulatedUser) -> list[str]:
    token = await token_for(user.http_client, "root@ccrm.test", WORLD_PASSWORD)
    export = await user.http_client.get("/api/audit/export.csv?action=login_failed", headers=bearer(token))
    return [row["ip"] for row in csv.DictReader(io.StringIO(export.text))]


async def _new_session_cookie(user: SimulatedUser, headers: dict[str, str]) -> str:
    """The Set-Cookie of a first visit (the cookie is only sent when the session is new or changed)."""
    user.http_client.cookies.clear()
    return (await user.http_client.get("/login", headers=headers)).headers["set-cookie"]


async def test_a_client_cannot_forge_its_ip_or_scheme(world: World, user: SimulatedUser) -> None:
    response = await user.http_client.post("/api/auth/login", headers=FORGED,
                                           json={"email": "nobody@alpha.test", "password": "x"})
    assert response.status_code == 401
    assert await _audited_ips(user) == ["127.0.0.1"]
    assert "secure" not in (await _new_session_cookie(user, FORGED)).lower()


async def test_a_trusted_proxy_gives_the_client_ip_and_https(
        loopback_is_a_trusted_proxy: None, world: World, user: SimulatedUser) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    await user.http_client.post("/api/auth/login", headers=forwarded, json={"email": "nobody@alpha.test",
                                                                            "password": "x"})
    await user.http_client.post("/api/auth/login", headers=FORGED, json={"email": "nobody@alpha.test",
                                                                         "password": "x"})
    assert sorted(await _audited_ips(user)) == sorted(["203.0.113.7", "'" + FORGED["X-Forwarded-For"]])
    assert "; secure" in (await _new_session_cookie(user, forwarded)).lower()
    assert "secure" not in (await _new_session_cookie(user, {"X-Forwarded-Proto": "http"})).lower()


@pytest.mark.parametrize("path", ["/login", "/api/auth/me", "/health"])
async def test_every_answer_forbids_framing_and_carries_the_policy(
        world: World, user: SimulatedUser, path: str) -> None:
    response = await user.http_client.get(path)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_page_scripts_carry_this_answers_nonce(world: World, user: SimulatedUser) -> None:
    response = await user.http_client.get("/login")
    nonce = response.headers["content-security-policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    tags = [line for line in response.text.split("<script")[1:]]
    assert tags and all(tag.startswith(f' nonce="{nonce}"') for tag in tags)
    again = await user.http_client.get("/login")
    assert nonce not in again.headers["content-security-policy"]


async def test_socket_io_answers_only_the_apps_own_origin(world: World, user: SimulatedUser,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    foreign = await user.http_client.get(SOCKET, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 400
    records = caplog.get_records("call")  # engine.io logs the refusal as an error, once: expected here
    records[:] = [r for r in records if "is not an accepted origin" not in r.getMessage()]
    assert "access-control-allow-origin" not in foreign.headers
    own = await user.http_client.get(SOCKET, headers={"Origin": "http://test"})
    assert own.status_code == 200
    assert own.headers.get("access-control-allow-origin") in (None, "http://test")
