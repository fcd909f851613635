"""Bad input the API fuzz (tests/fuzz) found answered with a 500 or outside the envelope, one test
per class of bug: each is now a 4xx in the envelope, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui.testing import User as SimulatedUser

from domain.tokens import issue_token
from tests.helpers import bearer
from tests.world import World, build_world, fingerprint

TOO_BIG = 2**31  # one past PostgreSQL's `integer`


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


@pytest.mark.parametrize(("who", "method", "path", "json"), [
    ("super_admin", "GET", f"/api/admin/trucks?location_id={TOO_BIG}", None),
    ("super_admin", "GET", f"/api/admin/users/{TOO_BIG}", None),
    ("super_admin", "PATCH", f"/api/admin/locations/{2**64}", {"name": "North"}),
    ("super_admin", "GET", f"/api/companies/{TOO_BIG}/stats", None),
    ("super_admin", "GET", f"/api/audit?company_id={TOO_BIG}", None),
    ("admin_a", "POST", "/api/admin/trucks", {"number": "A-200", "location_id": TOO_BIG}),  # a domain field
    ("super_admin", "GET", "/api/admin/users?page=1000000000000", None),
    ("super_admin", "GET", f"/api/smartmoving/journeys/active?offset={2**63}", None),
])
async def test_numbers_beyond_the_database_columns_are_a_422(world: World, user: SimulatedUser, who: str,
                                                           method: str, path: str, json: dict[str, Any] | None) -> None:
    body = await _refused(user, bearer(issue_token(getattr(world, who))[0]), method, path, 422, json=json)
    assert body["error"] == "validation_error"


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("PATCH", "/api/admin/locations/{a1}", {"json": {"name": "North\x00"}}),
    ("PATCH", "/api/admin/locations/{a1}", {"content": b'{"name": "North \\ud800"}'}),  # an unpaired surrogate
    ("PATCH", "/api/admin/locations/{a1}", {"content": b'{"lat": NaN}'}),
    ("POST", "/api/admin/trucks", {"json": {"number": "A-200", "location_id": "{a1}", "size": ["\x00"]}}),
    ("GET", "/api/admin/users?search=a%00b", {}),
    ("GET", "/api/audit?actor=%00", {}),
    ("PUT", "/api/journeys/1/notes", {"json": {"notes": "call at 9\x00"}}),
    ("POST", "/api/auth/login", {"json": {"email": "admin@alpha.test\x00", "password": "x"}}),
])
async def test_text_and_numbers_postgresql_cannot_store_are_a_422(world: World, user: SimulatedUser, method: str,
                                                                 path: str, kwargs: dict[str, Any]) -> None:
    """NUL characters, unpaired surrogates and NaN, in the query or anywhere in a JSON body
    (the login attempt is not recorded either)."""
    if "content" in kwargs:
        kwargs["headers"] = {"content-type": "application/json"}
    headers = {**bearer(issue_token(world.admin_a)[0]), **kwargs.pop("headers", {})}
    kwargs = {k: (v if k != "json" else {f: (world.a1 if x == "{a1}" else x) for f, x in v.items()})
              for k, v in kwargs.items()}
    body = await _refused(user, headers, method, path.format(a1=world.a1), 422, **kwargs)
    assert body["error"] == "validation_error" and "invalid input in the" in body["message"]


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=1899-12-31"])
async def test_days_at_the_ends_of_the_calendar_are_a_422(world: World, user: SimulatedUser, query: str) -> None:
    await _refused(user, bearer(issue_token(world.admin_a)[0]), "GET", f"/api/audit/export.csv?{query}", 422)


async def test_a_journey_at_the_ends_of_the_calendar_is_a_422(world: World, user: SimulatedUser) -> None:
    await _refused(user, bearer(issue_token(world.dispatcher_a)[0]), "POST", "/api/journey", 422, json={
        "location_id": world.a1, "journey_date": "2030-01-01", "customer_name": "Olivia",
        "scheduled_start": "0001-01-01T00:00:00+14:00"})


async def test_the_audit_trail_of_an_unknown_company_is_a_404_and_its_export_is_not_recorded(
        world: World, user: SimulatedUser) -> None:
    """The export is audited under the company asked for: it must exist."""
    headers = bearer(issue_token(world.super_admin)[0])
    body = await _refused(user, headers, "GET", f"/api/audit/export.csv?company_id={world.company_b + 100}", 404)
    assert body["message"] == f"company {world.company_b + 100} not found"
    await _refused(user, headers, "GET", f"/api/audit?company_id={world.company_b + 100}", 404)
