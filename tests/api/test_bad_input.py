"""Bad input the API fuzz (tests/fuzz) found answered with a 500 or outside the envelope, one test
per class of bug: each is now a 4xx in the envelope, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui.testing import User as SimulatedUser

from domain.tokens import issue_token
from tests.helpers import bearer
from tests.world import World, build_world, fingerprint


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


async def _refused(user: SimulatedUser, headers: dict[str, str], method: str, path: str, status: int,
                   **kwargs: Any) -> dict[str, Any]:
    """The request answered `status` in the error envelope, with nothing written."""
    before = await fingerprint()
    response = await user.http_client.request(method, path, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and isinstance(body["error"], str) and isinstance(body["message"], str)
    assert await fingerprint() == before
    return body


@pytest.mark.parametrize(("method", "path", "status", "error"), [
    ("GET", "/api/no-such-thing", 404, "not_found"),
    ("DELETE", "/api/auth/me", 405, "method_not_allowed"),
    ("PUT", "/api/journey/active", 405, "method_not_allowed"),  # not a journey id: no PUT there
])
async def test_unknown_paths_and_methods_are_answered_in_the_envelope(world: World, user: SimulatedUser, method: str,
                                                                      path: str, status: int, error: str) -> None:
    """Starlette's own 404 and 405 (and NiceGUI's 404 page) under /api."""
    body = await _refused(user, bearer(issue_token(world.admin_a)[0]), method, path, status)
    assert body["error"] == error


async def test_a_405_names_the_allowed_methods(world: World, user: SimulatedUser) -> None:
    response = await user.http_client.delete("/api/auth/me")
    assert response.status_code == 405 and response.headers["allow"] == "GET"
