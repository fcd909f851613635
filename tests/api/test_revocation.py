"""Logout, a password reset, deactivation and a role change end the user's bearer tokens and
browser page sessions at once (the per-user token version), on every device."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from nicegui.testing import User as SimulatedUser

from tests.helpers import bearer, sign_in, token_for
from tests.world import WORLD_PASSWORD, World, build_world

DISPATCHER = "dispatch@alpha.test"


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


async def _me(user: SimulatedUser, token: str | None = None) -> int:
    """The status of `GET /api/auth/me` with the token, or (without one) with the page session."""
    response = await user.http_client.get("/api/auth/me", headers=bearer(token) if token else {})
    return response.status_code


async def _page_session_is_signed_in(user: SimulatedUser) -> bool:
    response = await user.http_client.get("/board", follow_redirects=False)
    return response.status_code == 200


Revocation = Callable[[SimulatedUser, World, str], Awaitable[None]]


async def _admin_call(user: SimulatedUser, method: str, path: str, **kwargs: object) -> None:
    admin = await token_for(user.http_client, "admin@alpha.test", WORLD_PASSWORD)
    response = await user.http_client.request(method, path, headers=bearer(admin), **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text


async def _reset_password(user: SimulatedUser, world: World, token: str) -> None:
    await _admin_call(user, "POST", f"/api/admin/users/{world.dispatcher_a.user_id}/reset-password",
                      json={"password": "a-brand-new-password"})


async def _logout(user: SimulatedUser, world: World, token: str) -> None:
    response = await user.http_client.post("/api/auth/logout", headers=bearer(token))
    assert response.status_code == 200


async def _role_change(user: SimulatedUser, world: World, token: str) -> None:
    await _admin_call(user, "PATCH", f"/api/admin/users/{world.dispatcher_a.user_id}", json={"role": "MOVER"})


async def _deactivate_and_reactivate(user: SimulatedUser, world: World, token: str) -> None:
    await _admin_call(user, "POST", f"/api/admin/users/{world.dispatcher_a.user_id}/deactivate")
    await _admin_call(user, "POST", f"/api/admin/users/{world.dispatcher_a.user_id}/reactivate")


@pytest.mark.parametrize("revoke", [_reset_password, _logout, _role_change, _deactivate_and_reactivate],
                         ids=["reset-password", "logout", "role-change", "deactivation"])
async def test_the_event_ends_the_old_token_and_the_old_page_session(
        world: World, user: SimulatedUser, revoke: Revocation) -> None:
    await sign_in(user, DISPATCHER, WORLD_PASSWORD)  # a browser session ...
    assert await _page_session_is_signed_in(user) and await _me(user) == 200
    token = await token_for(user.http_client, DISPATCHER, WORLD_PASSWORD)  # ... and a token elsewhere
    assert await _me(user, token) == 200
    await revoke(user, world, token)
    assert await _me(user, token) == 401
    assert await _me(user) == 401
    assert not await _page_session_is_signed_in(user)
    password = "a-brand-new-password" if revoke is _reset_password else WORLD_PASSWORD
    fresh = await token_for(user.http_client, DISPATCHER, password)  # signing in again works
    assert await _me(user, fresh) == 200


async def test_an_ordinary_edit_keeps_the_sessions(world: World, user: SimulatedUser) -> None:
    token = await token_for(user.http_client, DISPATCHER, WORLD_PASSWORD)
    await _admin_call(user, "PATCH", f"/api/admin/users/{world.dispatcher_a.user_id}", json={"full_name": "Renamed"})
    assert await _me(user, token) == 200
