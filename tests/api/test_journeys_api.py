"""`/api/journey/...` per role, on the demo data, over real HTTP (the app's ASGI client)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from nicegui.testing import User
from sqlalchemy import select

from db.enums import Role
from db.models import Location, Truck, UserLocation
from db.models import User as UserModel
from domain.timewindow import today_in
from domain.access.tokens import issue_token
from domain.unit_of_work import read_session
from tests.principals import principal_for

#: Far enough ahead that the demo week of journeys is not in the way.
DAYS_AHEAD = 30


async def _auth(email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(await principal_for(email))[0]}"}


class Desk:
    """The dispatcher's first branch, a day there, two of its trucks and crew."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], location_id: int, day: str,
                 trucks: list[int], drivers: list[int]) -> None:
        self.client, self.headers, self.location_id, self.day = client, headers, location_id, day
        self.trucks, self.drivers = trucks, drivers

    async def create(self, name: str, start: str, end: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post("/api/journey", headers=headers or self.headers, json={
            "location_id": self.location_id, "journey_date": self.day, "customer_name": name,
            "customer_phone": "+1 416 555 0199", "origin_address": "1 Yonge St, Toronto",
            "scheduled_start": f"{self.day}T{start}", "scheduled_end": f"{self.day}T{end}",
        })


@pytest.fixture
async def desk(demo: str, user: User) -> Desk:
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    location_id = min(dispatcher.assigned_location_ids)
    async with read_session() as s:
        trucks = list(await s.scalars(select(Truck.id).where(Truck.location_id == location_id).order_by(Truck.id)))
        drivers = list(await s.scalars(
            select(UserModel.id).join(UserLocation, UserLocation.user_id == UserModel.id)
            .where(UserLocation.location_id == location_id, UserModel.role == Role.DRIVER).order_by(UserModel.id)
        ))
        tz = await s.scalar(select(Location.timezone).where(Location.id == location_id))
    day = (today_in(tz or "UTC") + timedelta(days=DAYS_AHEAD)).isoformat()
    return Desk(user.http_client, await _auth("dispatcher@demo.ccrm"), location_id, day, trucks, drivers)


async def test_dispatcher_creates_and_assigns_and_a_second_booking_is_refused_by_name(desk: Desk) -> None:
    first = await desk.create("Olivia First", "09:00", "13:00")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["success"] is True and body["data"]["status"] == "SCHEDULED" and body["data"]["progress"] == 0
    assert "estimated_value" not in body["data"]
    first_id = body["data"]["id"]
    assigned = await desk.client.post(f"/api/journey/{first_id}/crew", headers=desk.headers, json={
        "truck_id": desk.trucks[0], "crew": [{"user_id": desk.drivers[0], "role": "DRIVER"}]})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["data"]["truck_id"] == desk.trucks[0]
    assert [m["user_id"] for m in assigned.json()["data"]["crew"]] == [desk.drivers[0]]

    second_id = (await desk.create("Noah Second", "12:00", "15:00")).json()["data"]["id"]
    refused = await desk.client.post(f"/api/journey/{second_id}/crew", headers=desk.headers,
                                     json={"truck_id": desk.trucks[0]})
    assert refused.status_code == 409
    assert refused.json()["success"] is False and refused.json()["error"] == "conflict"
    assert "Olivia First" in refused.json()["message"] and "(Manual job)" in refused.json()["message"]
    assert f"#{first_id}" not in refused.json()["message"]
    assert "09:00–13:00" in refused.json()["message"]
    assert refused.json()["details"]["journey_id"] == first_id

    offered = (await desk.client.get(f"/api/journey/{second_id}/availability", headers=desk.headers)).json()["data"]
    truck = next(t for t in offered["trucks"] if t["id"] == desk.trucks[0])
    assert truck["conflict_journey_id"] == first_id
    # Omitting truck_id leaves the truck alone; crew may be set alone.
    crew_only = await desk.client.post(f"/api/journey/{second_id}/crew", headers=desk.headers,
                                       json={"crew": [{"user_id": desk.drivers[1], "role": "FOREMAN"}]})
    assert crew_only.status_code == 200 and crew_only.json()["data"]["truck_id"] is None


async def test_edit_cancel_and_hard_delete_rules(desk: Desk) -> None:
    journey_id = (await desk.create("Edith Edit", "08:00", "10:00")).json()["data"]["id"]
    edited = await desk.client.put(f"/api/journey/{journey_id}", headers=desk.headers,
                                   json={"notes": "Two pianos", "scheduled_end": f"{desk.day}T11:30"})
    assert edited.status_code == 200 and edited.json()["data"]["notes"] == "Two pianos"
    assert edited.json()["data"]["scheduled_end"].startswith(f"{desk.day}T11:30")
    unknown = await desk.client.put(f"/api/journey/{journey_id}", headers=desk.headers, json={"status": "COMPLETED"})
    assert unknown.status_code == 422 and unknown.json()["error"] == "validation_error"
    not_mine = await desk.client.delete(f"/api/journey/{journey_id}?hard=true", headers=desk.headers)
    assert not_mine.status_code == 403
    cancelled = await desk.client.delete(f"/api/journey/{journey_id}", headers=desk.headers,
                                         params={"reason": "customer postponed"})
    assert cancelled.status_code == 200 and cancelled.json()["data"]["status"] == "CANCELLED"
    admin = await _auth("admin@demo.ccrm")
    deleted = await desk.client.delete(f"/api/journey/{journey_id}?hard=true", headers=admin)
    assert deleted.status_code == 200 and deleted.json()["data"] == {"id": journey_id, "deleted": True}
    gone = await desk.client.get(f"/api/journey/{journey_id}", headers=admin)
    assert gone.status_code == 404


async def test_smartmoving_journeys_refuse_customer_edits_with_422(desk: Desk) -> None:
    listed = (await desk.client.get("/api/journey/active", headers=desk.headers,
                                    params={"source": "SMARTMOVING", "page_size": 1})).json()["data"]
    synced = listed["items"][0]
    refused = await desk.client.put(f"/api/journey/{synced['id']}", headers=desk.headers,
                                    json={"customer_name": "Renamed", "notes": "ok"})
    assert refused.status_code == 422 and "SmartMoving" in refused.json()["message"]
    allowed = await desk.client.put(f"/api/journey/{synced['id']}", headers=desk.headers, json={"notes": "call first"})
    assert allowed.status_code == 200 and allowed.json()["data"]["notes"] == "call first"


async def test_active_list_is_scoped_paged_and_without_values_for_dispatchers(desk: Desk) -> None:
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    page = (await desk.client.get("/api/journey/active", headers=desk.headers,
                                  params={"page_size": 100})).json()["data"]
    assert page["total"] > 0 and page["page_size"] == 100
    assert {c["location_id"] for c in page["items"]} <= dispatcher.assigned_location_ids
    assert all("estimated_value" not in c for c in page["items"])
    assert all(c["status"] not in ("CANCELLED", "COMPLETED", "AUDITED") for c in page["items"])
    too_big = await desk.client.get("/api/journey/active", headers=desk.headers, params={"page_size": 101})
    assert too_big.status_code == 422
    admin = (await desk.client.get("/api/journey/active", headers=await _auth("admin@demo.ccrm"),
                                   params={"page_size": 100, "status": ["COMPLETED", "AUDITED"]})).json()["data"]
    closed_here = (await desk.client.get("/api/journey/active", headers=desk.headers, params={
        "page_size": 5, "status": ["COMPLETED", "AUDITED"]})).json()["data"]
    # the same filter: the admin sees the whole company, the dispatcher their branches
    assert admin["total"] > closed_here["total"] and "estimated_value" in admin["items"][0]
    assert {c["status"] for c in admin["items"]} <= {"COMPLETED", "AUDITED"}
    other_branch = next(c for c in admin["items"] if c["location_id"] not in dispatcher.assigned_location_ids)
    hidden = await desk.client.get(f"/api/journey/{other_branch['id']}", headers=desk.headers)
    assert hidden.status_code == 404


@pytest.mark.parametrize("email", ["driver@demo.ccrm", "mover@demo.ccrm", "auditor@demo.ccrm"])
async def test_crew_and_auditors_cannot_write(desk: Desk, email: str) -> None:
    headers = await _auth(email)
    existing = (await desk.create("Wanda Write", "08:00", "10:00")).json()["data"]["id"]
    assert (await desk.create("Nope", "08:00", "10:00", headers=headers)).status_code == 403
    for method, path, payload in (
        ("PUT", f"/api/journey/{existing}", {"notes": "x"}),
        ("POST", f"/api/journey/{existing}/crew", {"truck_id": desk.trucks[1]}),
        ("DELETE", f"/api/journey/{existing}", None),
    ):
        response = await desk.client.request(method, path, headers=headers, json=payload)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"] == "forbidden"
    availability = await desk.client.get(f"/api/journey/{existing}/availability", headers=headers)
    assert availability.status_code == 403


async def test_auditor_reads_with_values_and_anonymous_is_401(desk: Desk) -> None:
    journey_id = (await desk.create("Rita Read", "08:00", "10:00")).json()["data"]["id"]
    seen = await desk.client.get(f"/api/journey/{journey_id}", headers=await _auth("auditor@demo.ccrm"))
    assert seen.status_code == 200 and "estimated_value" in seen.json()["data"]
    assert [s["position"] for s in seen.json()["data"]["steps"]] == [1, 2, 3, 4, 5, 6]
    assert (await desk.client.get(f"/api/journey/{journey_id}")).status_code == 401
    assert (await desk.client.post("/api/journey", json={})).status_code == 401


async def test_invalid_bodies_get_clear_422s(desk: Desk) -> None:
    cases = [
        {"location_id": desk.location_id, "journey_date": desk.day, "customer_name": ""},
        {"location_id": desk.location_id, "journey_date": desk.day, "customer_name": "x" * 201},
        {"location_id": desk.location_id, "journey_date": "someday", "customer_name": "A"},
        {"location_id": desk.location_id, "journey_date": desk.day, "customer_name": "A", "surprise": 1},
        {"location_id": desk.location_id, "journey_date": desk.day, "customer_name": "A",
         "scheduled_start": f"{desk.day}T10:00", "scheduled_end": f"{desk.day}T09:00"},
    ]
    for payload in cases:
        response = await desk.client.post("/api/journey", headers=desk.headers, json=payload)
        assert response.status_code == 422, payload
        assert response.json()["success"] is False and response.json()["message"]
    with_value = await desk.client.post("/api/journey", headers=desk.headers, json={
        "location_id": desk.location_id, "journey_date": desk.day, "customer_name": "A", "estimated_value": 10})
    assert with_value.status_code == 403
