"""Bad input the API fuzz (tests/fuzz) found answered with a 500 or outside the envelope, one test
per class of bug (its cases in one app, which takes a second to start): each is now a 4xx in the
envelope, and nothing is written."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from nicegui.testing import User as SimulatedUser

from config import get_settings
from domain.access.tokens import ALGORITHM, issue_token
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
    case = f"{method} {path} {kwargs}"
    assert response.status_code == status, (case, response.text)
    body = response.json()
    assert body["success"] is False and isinstance(body["error"], str) and isinstance(body["message"], str), case
    assert await fingerprint() == before, case
    return body


async def test_unknown_paths_and_methods_are_answered_in_the_envelope(world: World, user: SimulatedUser) -> None:
    """Starlette's own 404 and 405 (and NiceGUI's 404 page) under /api."""
    headers = bearer(issue_token(world.admin_a)[0])
    for method, path, status, error in [
        ("GET", "/api/no-such-thing", 404, "not_found"),
        ("DELETE", "/api/auth/me", 405, "method_not_allowed"),
        ("PUT", "/api/journey/active", 405, "method_not_allowed"),  # not a journey id: no PUT there
    ]:
        body = await _refused(user, headers, method, path, status)
        assert body["error"] == error and body["message"].endswith(f"{method} {path}")
    assert (await user.http_client.delete("/api/auth/me")).headers["allow"] == "GET"


async def test_numbers_beyond_the_database_columns_are_a_422(world: World, user: SimulatedUser) -> None:
    for who, method, path, json in [
        (world.super_admin, "GET", f"/api/admin/trucks?location_id={TOO_BIG}", None),
        (world.super_admin, "GET", f"/api/admin/users/{TOO_BIG}", None),
        (world.super_admin, "PATCH", f"/api/admin/locations/{2**64}", {"name": "North"}),
        (world.super_admin, "GET", f"/api/companies/{TOO_BIG}/stats", None),
        (world.super_admin, "GET", f"/api/audit?company_id={TOO_BIG}", None),
        (world.admin_a, "POST", "/api/admin/trucks", {"number": "A-200", "location_id": TOO_BIG}),  # a domain field
        (world.super_admin, "GET", "/api/admin/users?page=1000000000000", None),
        (world.super_admin, "GET", f"/api/smartmoving/journeys/active?offset={2**63}", None),
    ]:
        body = await _refused(user, bearer(issue_token(who)[0]), method, path, 422, json=json)
        assert body["error"] == "validation_error"


async def test_text_and_numbers_postgresql_cannot_store_are_a_422(world: World, user: SimulatedUser) -> None:
    """NUL characters, unpaired surrogates and NaN, in the query or anywhere in a JSON body
    (the login attempt is not recorded either)."""
    headers = bearer(issue_token(world.admin_a)[0])
    raw_json = {**headers, "content-type": "application/json"}
    location = f"/api/admin/locations/{world.a1}"
    for method, path, kwargs in [
        ("PATCH", location, {"json": {"name": "North\x00"}}),
        ("PATCH", location, {"content": b'{"name": "North \\ud800"}', "headers": raw_json}),  # unpaired surrogate
        ("PATCH", location, {"content": b'{"lat": NaN}', "headers": raw_json}),
        ("POST", "/api/admin/trucks", {"json": {"number": "A-200", "location_id": world.a1, "size": ["\x00"]}}),
        ("GET", "/api/admin/users?search=a%00b", {}),
        ("GET", "/api/audit?actor=%00", {}),
        ("PUT", "/api/journeys/1/notes", {"json": {"notes": "call at 9\x00"}}),
        ("POST", "/api/auth/login", {"json": {"email": "admin@alpha.test\x00", "password": "x"}}),
    ]:
        body = await _refused(user, kwargs.pop("headers", headers), method, path, 422, **kwargs)
        assert body["error"] == "validation_error" and "invalid input in the" in body["message"]
    deep = b"[" * 100_000 + b"]" * 100_000  # too deep for Python's JSON parser: the check passes it on
    await _refused(user, raw_json, "POST", "/api/journey", 400, content=deep)
    assert (await user.http_client.post("/api/auth/logout", headers=raw_json, content=deep)).status_code == 200


async def test_days_at_the_ends_of_the_calendar_are_a_422(world: World, user: SimulatedUser) -> None:
    headers = bearer(issue_token(world.admin_a)[0])
    for query in ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=1899-12-31"]:
        await _refused(user, headers, "GET", f"/api/audit/export.csv?{query}", 422)
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


@pytest.mark.parametrize("q", [str(TOO_BIG), "#99999999999", "#" + "9" * 40, "²", "#0"])
async def test_a_search_for_an_id_no_row_can_have_finds_nothing_instead_of_failing(
        world: World, user: SimulatedUser, q: str) -> None:
    response = await user.http_client.get("/api/journey/active", params={"q": q},
                                          headers=bearer(issue_token(world.admin_a)[0]))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["items"] == []


async def test_a_signed_token_whose_subject_no_row_can_have_is_a_401(world: World, user: SimulatedUser) -> None:
    """Signed with the real secret (a leaked or forged key would do the same), `sub` of 30 digits."""
    token = jwt.encode({"sub": "1" * 30, "ver": 0, "iat": int(time.time()), "exp": int(time.time()) + 600},
                       get_settings().jwt_secret.get_secret_value(), algorithm=ALGORITHM)
    body = await _refused(user, bearer(token), "GET", "/api/auth/me", 401)
    assert body["message"] == "invalid access token"
