"""Company administration through the API: the whole life of users, locations, trucks and
companies, with paging, the envelope's status codes, and an audit entry for every write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from nicegui.testing import User as SimulatedUser
from sqlalchemy import select

from db.models import AuditEntry, PhaseItemTemplate, User
from db.workflow_defaults import DEFAULT_TEMPLATE
from domain.unit_of_work import read_session
from tests.helpers import bearer, count, token_for
from tests.world import WORLD_PASSWORD, World, build_world, fingerprint


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


class Api:
    """The API as one signed-in account."""

    def __init__(self, user: SimulatedUser, token: str) -> None:
        self.client, self.headers = user.http_client, bearer(token)

    @classmethod
    async def as_(cls, user: SimulatedUser, email: str, password: str = WORLD_PASSWORD) -> Api:
        return cls(user, await token_for(user.http_client, email, password))

    async def call(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, headers=self.headers, **kwargs)
        assert response.status_code == status, response.text
        body = response.json()
        assert body["success"] is (status < 400)
        return body["data"] if status < 400 else body


async def _trail(entity: str, entity_id: int) -> list[AuditEntry]:
    async with read_session() as s:
        return list((await s.scalars(select(AuditEntry).where(AuditEntry.entity == entity,
                                                              AuditEntry.entity_id == str(entity_id))
                                      .order_by(AuditEntry.id))).all())


async def test_an_admin_manages_a_user_from_creation_to_password_reset(world: World, user: SimulatedUser) -> None:
    admin = await Api.as_(user, "admin@alpha.test")
    created = await admin.call("POST", "/api/admin/users", 201, json={
        "email": "Casey.Crew@Alpha.test", "full_name": "Casey Crew", "role": "DISPATCHER",
        "password": "first-password-1",
        "locations": [{"location_id": world.a1, "kind": "ASSIGNED"}, {"location_id": world.a2, "kind": "MANAGED"}]})
    uid = created["id"]
    assert created["email"] == "casey.crew@alpha.test" and created["company_id"] == world.company_a
    assert created["locations"] == [{"location_id": world.a1, "kind": "ASSIGNED"},
                                    {"location_id": world.a2, "kind": "MANAGED"}]
    casey = await Api.as_(user, "casey.crew@alpha.test", "first-password-1")
    me = await casey.call("GET", "/api/auth/me", 200)
    assert me["assigned_location_ids"] == [world.a1] and me["managed_location_ids"] == [world.a2]

    edited = await admin.call("PATCH", f"/api/admin/users/{uid}", 200, json={
        "role": "MANAGER", "locations": [{"location_id": world.a2, "kind": "MANAGED"}]})
    assert edited["role"] == "MANAGER" and edited["locations"] == [{"location_id": world.a2, "kind": "MANAGED"}]
    assert (await admin.call("GET", f"/api/admin/users/{uid}", 200)) == edited

    await admin.call("POST", f"/api/admin/users/{uid}/deactivate", 200)
    assert (await user.http_client.post("/api/auth/login", json={
        "email": "casey.crew@alpha.test", "password": "first-password-1"})).status_code == 401
    await casey.call("GET", "/api/auth/me", 401)  # the open token stops at once
    await admin.call("POST", f"/api/admin/users/{uid}/deactivate", 409)
    await admin.call("POST", f"/api/admin/users/{uid}/reactivate", 200)
    await admin.call("POST", f"/api/admin/users/{uid}/reset-password", 200, json={"password": "second-password-2"})
    assert (await user.http_client.post("/api/auth/login", json={
        "email": "casey.crew@alpha.test", "password": "first-password-1"})).status_code == 401
    await Api.as_(user, "casey.crew@alpha.test", "second-password-2")

    trail = [e for e in await _trail("user", uid) if not e.action.startswith("login")]
    assert [e.action for e in trail] == ["create", "update", "deactivate", "reactivate", "reset_password"]
    assert {e.company_id for e in trail} == {world.company_a} and {e.actor_email for e in trail} == {"admin@alpha.test"}
    assert trail[1].old_values == {"role": "DISPATCHER", "locations": [[world.a1, "ASSIGNED"], [world.a2, "MANAGED"]]}
    assert trail[1].new_values == {"role": "MANAGER", "locations": [[world.a2, "MANAGED"]]}
    assert trail[2].old_values == {"status": "ACTIVE"} and trail[2].new_values == {"status": "INACTIVE"}
    async with read_session() as s:
        stored_hash = await s.scalar(select(User.password_hash).where(User.id == uid))
        everything = json.dumps([[e.old_values, e.new_values] for e in (await s.scalars(select(AuditEntry))).all()])
    assert stored_hash not in everything and "password_hash" not in everything
    assert "first-password-1" not in everything and "second-password-2" not in everything


async def test_a_password_reset_lifts_a_lockout(world: World, user: SimulatedUser) -> None:
    for _ in range(5):
        await user.http_client.post("/api/auth/login", json={"email": "mover@alpha.test", "password": "bad-guess"})
    locked = await user.http_client.post("/api/auth/login", json={"email": "mover@alpha.test",
                                                                   "password": WORLD_PASSWORD})
    assert locked.status_code == 429
    admin = await Api.as_(user, "admin@alpha.test")
    await admin.call("POST", f"/api/admin/users/{world.mover_a.user_id}/reset-password", 200,
                     json={"password": "fresh-password-3"})
    await Api.as_(user, "mover@alpha.test", "fresh-password-3")


async def test_user_lists_are_paged_searched_and_company_scoped(world: World, user: SimulatedUser) -> None:
    admin = await Api.as_(user, "admin@alpha.test")
    everyone = await admin.call("GET", "/api/admin/users", 200)
    assert {u["email"] for u in everyone["items"]} == {"admin@alpha.test", "dispatch@alpha.test", "mover@alpha.test"}
    first = await admin.call("GET", "/api/admin/users?page_size=2&page=1", 200)
    second = await admin.call("GET", "/api/admin/users?page_size=2&page=2", 200)
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (3, 2, 2, 1)
    assert not {u["id"] for u in first["items"]} & {u["id"] for u in second["items"]}
    found = await admin.call("GET", "/api/admin/users?search=DISPATCH", 200)
    assert [u["email"] for u in found["items"]] == ["dispatch@alpha.test"]
    assert (await admin.call("GET", "/api/admin/users?search=100%25", 200))["total"] == 0  # % is literal
    assert (await admin.call("GET", "/api/admin/users?role=MOVER", 200))["total"] == 1
    await admin.call("GET", f"/api/admin/users?company_id={world.company_b}", 403)
    await admin.call("GET", "/api/admin/users?page=0", 422)
    await admin.call("GET", "/api/admin/users?page_size=100000", 422)


async def test_refusals_come_in_the_envelope_with_the_right_status(world: World, user: SimulatedUser) -> None:
    admin = await Api.as_(user, "admin@alpha.test")
    before = await fingerprint()
    body = {"email": "x@alpha.test", "full_name": "X", "role": "MOVER", "password": "long-enough-pw"}
    dup = await admin.call("POST", "/api/admin/users", 409, json={**body, "email": "DISPATCH@alpha.test"})
    assert dup["error"] == "conflict" and "already exists" in dup["message"]
    short = await admin.call("POST", "/api/admin/users", 422, json={**body, "password": "short"})
    assert short["details"]["errors"][0]["field"] == "password"
    await admin.call("POST", "/api/admin/users", 403, json={**body, "locations": [{"location_id": world.b1}]})
    await admin.call("POST", "/api/admin/users", 422, json={**body, "locations": [{"location_id": 987654}]})
    await admin.call("POST", "/api/admin/users", 403, json={**body, "role": "SUPER_ADMIN"})
    await admin.call("POST", "/api/admin/users", 422, json={**body, "is_boss": True})
    await admin.call("PATCH", f"/api/admin/users/{world.admin_b.user_id}", 404, json={"full_name": "Mine"})
    await admin.call("PATCH", f"/api/admin/locations/{world.b1}", 404, json={"name": "Mine"})
    await admin.call("POST", f"/api/admin/trucks/{world.truck_b}/deactivate", 404)
    await admin.call("POST", "/api/admin/trucks", 409, json={"number": "a-100", "location_id": world.a1})
    await admin.call("GET", "/api/admin/users/987654", 404)
    assert await fingerprint() == before


async def test_locations_and_trucks_are_created_edited_and_deactivated(world: World, user: SimulatedUser) -> None:
    admin = await Api.as_(user, "admin@alpha.test")
    location = await admin.call("POST", "/api/admin/locations", 201, json={
        "name": "Alpha East", "timezone": "America/Halifax", "city": "Halifax", "lat": 44.65, "lng": -63.57})
    assert location["company_id"] == world.company_a and location["active"] is True
    location = await admin.call("PATCH", f"/api/admin/locations/{location['id']}", 200, json={"code": "AE"})
    assert location["code"] == "AE"
    truck = await admin.call("POST", "/api/admin/trucks", 201, json={"number": "A-300", "location_id": location["id"],
                                                                    "size": "20 ft"})
    await admin.call("PATCH", f"/api/admin/trucks/{truck['id']}", 200, json={"location_id": world.a2})
    await admin.call("POST", f"/api/admin/trucks/{truck['id']}/deactivate", 200)
    await admin.call("POST", f"/api/admin/locations/{location['id']}/deactivate", 200)
    inactive = await admin.call("GET", "/api/admin/trucks?active=false", 200)
    assert [(t["number"], t["location_name"]) for t in inactive["items"]] == [("A-300", "Alpha South")]
    assert (await admin.call("GET", "/api/admin/locations?active=true", 200))["total"] == 2
    assert [e.action for e in await _trail("truck", truck["id"])] == ["create", "update", "deactivate"]
    assert [e.action for e in await _trail("location", location["id"])] == ["create", "update", "deactivate"]
    assert (await _trail("truck", truck["id"]))[1].old_values == {"location_id": location["id"]}


async def test_the_super_admin_sets_up_a_company_from_scratch(world: World, user: SimulatedUser) -> None:
    root = await Api.as_(user, "root@ccrm.test")
    company = await root.call("POST", "/api/super-admin/companies", 201, json={"name": "Gamma Haulers",
                                                                                "timezone": "America/Winnipeg"})
    cid = company["id"]
    assert await count(PhaseItemTemplate, PhaseItemTemplate.company_id == cid) == len(DEFAULT_TEMPLATE)
    await root.call("POST", "/api/admin/locations", 422, json={"name": "Gamma One", "timezone": "America/Winnipeg"})
    location = await root.call("POST", "/api/admin/locations", 201, json={
        "name": "Gamma One", "timezone": "America/Winnipeg", "company_id": cid})
    await root.call("POST", "/api/admin/trucks", 201, json={"number": "G-1", "location_id": location["id"],
                                                            "company_id": cid})
    await root.call("POST", "/api/admin/users", 201, json={
        "email": "boss@gamma.test", "full_name": "Gamma Boss", "role": "ADMIN", "password": "gamma-password",
        "company_id": cid})
    boss = await Api.as_(user, "boss@gamma.test", "gamma-password")
    assert [u["email"] for u in (await boss.call("GET", "/api/admin/users", 200))["items"]] == ["boss@gamma.test"]
    assert [t["number"] for t in (await boss.call("GET", "/api/admin/trucks", 200))["items"]] == ["G-1"]

    renamed = await root.call("PATCH", f"/api/super-admin/companies/{cid}", 200, json={"name": "Gamma Logistics"})
    assert renamed["name"] == "Gamma Logistics" and renamed["user_count"] == 1 and renamed["location_count"] == 1
    await root.call("POST", f"/api/super-admin/companies/{cid}/suspend", 200)
    await boss.call("GET", "/api/auth/me", 401)
    assert (await user.http_client.post("/api/auth/login", json={"email": "boss@gamma.test",
                                                                  "password": "gamma-password"})).status_code == 401
    await root.call("POST", f"/api/super-admin/companies/{cid}/reactivate", 200)
    await boss.call("GET", "/api/auth/me", 200)
    listed = await root.call("GET", "/api/super-admin/companies?search=gamma", 200)
    assert [c["name"] for c in listed["items"]] == ["Gamma Logistics"]
    assert [e.action for e in await _trail("company", cid)] == ["create", "update", "suspend", "reactivate"]
    async with read_session() as s:
        company_ids = set((await s.scalars(select(AuditEntry.company_id).where(AuditEntry.action == "create"))).all())
    assert company_ids == {cid}  # the super admin's writes are filed under the company they changed


async def test_a_bodys_problems_are_worded_as_the_pages_show_them(world: World, user: SimulatedUser) -> None:
    """The request body is the domain's schema: its 422 names each field in the domain's words."""
    admin = await Api.as_(user, "admin@alpha.test")
    before = await fingerprint()
    refused = await admin.call("POST", "/api/admin/users", 422, json={
        "email": "not-an-email", "full_name": "  ", "role": "CEO", "password": "short"})
    assert refused["message"] == ("Email is not a valid email address; Full name is required; Role must be one of "
                                  "SUPER_ADMIN, ADMIN, MANAGER, DISPATCHER, DRIVER, MOVER, AUDITOR; "
                                  "Password must be at least 10 characters")
    assert [e["field"] for e in refused["details"]["errors"]] == ["email", "full_name", "role", "password"]
    unknown = await admin.call("PATCH", f"/api/admin/locations/{world.a1}", 422, json={"name": "X", "boss": 1})
    assert unknown["message"] == "unknown field(s): boss"
    cleared = await admin.call("PATCH", f"/api/admin/trucks/{world.truck_a}", 422, json={"number": None})
    assert cleared["message"] == "Truck number is required"
    links = await admin.call("PATCH", f"/api/admin/users/{world.mover_a.user_id}", 422,
                             json={"locations": [{"location_id": world.a1, "kind": "OWNED"}]})
    assert links["message"] == "a location link's kind must be ASSIGNED or MANAGED"
    assert await fingerprint() == before


@pytest.mark.parametrize("kind", ["users", "trucks", "locations"])
async def test_another_companys_record_is_not_found_exactly_like_a_missing_one(
        world: World, user: SimulatedUser, kind: str) -> None:
    """A 403 for a foreign id and a 404 for a missing one would let an admin enumerate other
    companies' ids: both answer the same 404."""
    foreign = {"users": world.admin_b.user_id, "trucks": world.truck_b, "locations": world.b1}[kind]
    admin = await Api.as_(user, "admin@alpha.test")
    missing = await admin.call("GET", f"/api/admin/{kind}/987654", 404)
    other = await admin.call("GET", f"/api/admin/{kind}/{foreign}", 404)
    assert other["error"] == missing["error"] == "not_found"
    assert other["message"].replace(str(foreign), "ID") == missing["message"].replace("987654", "ID")
    root = await Api.as_(user, "root@ccrm.test")
    assert (await root.call("GET", f"/api/admin/{kind}/{foreign}", 200))["id"] == foreign
