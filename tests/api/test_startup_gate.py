"""Requests during startup wait for it instead of failing (a phone reconnecting after a restart)."""

from __future__ import annotations

import asyncio

import pytest
from nicegui.testing import User

from api.http import startup_gate
from domain.runtime.health import mark_started, wait_started


async def _started() -> None:
    """The user fixture's app finishes its own startup in the background first."""
    async with asyncio.timeout(10):
        await wait_started()


async def test_requests_wait_for_the_startup_and_health_does_not(db: str, user: User) -> None:
    await _started()
    mark_started(False)
    try:
        waiting = asyncio.create_task(user.http_client.get("/login"))
        health = await asyncio.wait_for(user.http_client.get("/health"), timeout=5)
        assert health.status_code == 200
        await asyncio.sleep(0.3)
        assert not waiting.done()
    finally:
        mark_started()
    response = await asyncio.wait_for(waiting, timeout=5)
    assert response.status_code == 200 and "Sign in" in response.text


async def test_a_startup_that_never_ends_is_a_clear_503(db: str, user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    await _started()
    monkeypatch.setattr(startup_gate, "STARTUP_WAIT_SECONDS", 0.2)
    mark_started(False)
    try:
        response = await user.http_client.get("/api/mobile/journeys")
    finally:
        mark_started()
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.json() == {"success": False, "error": "starting",
                               "message": "the app is still starting: try again in a moment"}
