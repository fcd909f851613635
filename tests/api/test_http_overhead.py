"""What the cheaper request path keeps and what it drops (issue 18): an API call with a bearer
token neither reads nor gets a browser session; a cookie still serves the API's GETs from a
signed-in page; anonymous page visits still go to the login page; small bodies go out
uncompressed, larger ones gzipped."""

from __future__ import annotations

import httpx
import pytest
from nicegui import app
from nicegui.testing import User as SimulatedUser
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.http.bearer import is_bearer_api_call
from api.http.compression import GZIP_MINIMUM_BYTES, gzip_middleware
from tests.helpers import bearer, sign_in, token_for
from tests.world import WORLD_PASSWORD, World, build_world


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


async def test_a_bearer_call_gets_no_session(world: World, user: SimulatedUser) -> None:
    token = await token_for(user.http_client, "admin@alpha.test", WORLD_PASSWORD)
    user.http_client.cookies.clear()
    sessions_before = len(app.storage._users)
    for _ in range(3):
        response = await user.http_client.get("/api/auth/me", headers=bearer(token))
        assert response.status_code == 200
        assert response.json()["data"]["email"] == "admin@alpha.test"
        assert "set-cookie" not in response.headers  # no session id handed out
    assert len(app.storage._users) == sessions_before  # and no user storage made for one


async def test_a_call_without_a_token_still_gets_its_session(world: World, user: SimulatedUser) -> None:
    user.http_client.cookies.clear()
    refused = await user.http_client.get("/api/auth/me")
    assert refused.status_code == 401 and refused.json()["error"] == "not_authenticated"
    assert "session=" in refused.headers.get("set-cookie", "")  # as before: the cookie path is untouched


async def test_a_signed_in_page_reads_the_api_with_its_cookie(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    response = await user.http_client.get("/api/auth/me")
    assert response.status_code == 200 and response.json()["data"]["email"] == "admin@alpha.test"
    write = await user.http_client.post("/api/auth/logout")  # writes still need the token
    assert write.status_code == 401


async def test_anonymous_page_visits_go_to_the_login_page(world: World, user: SimulatedUser) -> None:
    user.http_client.cookies.clear()
    response = await user.http_client.get("/board?day=2026-01-05", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/login?redirect_to=%2Fboard%3Fday%3D2026-01-05"
    assert (await user.http_client.get("/login", follow_redirects=False)).status_code == 200


@pytest.mark.parametrize(("path", "headers", "expected"), [
    ("/api/auth/me", [(b"authorization", b"Bearer abc")], True),
    ("/api/auth/me", [(b"authorization", b"bearer abc")], True),
    ("/api/auth/me", [(b"authorization", b"Basic abc")], False),
    ("/api/auth/me", [(b"cookie", b"session=x")], False),
    ("/board", [(b"authorization", b"Bearer abc")], False),
    ("/apis", [(b"authorization", b"Bearer abc")], False),
])
def test_what_counts_as_a_bearer_api_call(path: str, headers: list[tuple[bytes, bytes]], expected: bool) -> None:
    assert is_bearer_api_call({"type": "http", "path": path, "headers": headers}) is expected
    assert is_bearer_api_call({"type": "websocket", "path": path, "headers": headers}) is False


@pytest.mark.parametrize(("size", "compressed"), [
    (600, False), (GZIP_MINIMUM_BYTES - 1, False), (GZIP_MINIMUM_BYTES, True), (50_000, True),
])
async def test_only_bodies_of_a_kilobyte_or_more_are_gzipped(size: int, compressed: bool) -> None:
    async def endpoint(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("x" * size)

    served = gzip_middleware(Starlette(routes=[Route("/", endpoint)]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url="http://test") as client:
        response = await client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert (response.headers.get("content-encoding") == "gzip") is compressed
    assert response.text == "x" * size  # httpx decodes: the same text either way
    if compressed:
        assert int(response.headers["content-length"]) < size
