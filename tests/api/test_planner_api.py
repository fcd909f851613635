"""The planner and availability over JSON, per role, on the demo data (the app's ASGI client)."""

from __future__ import annotations

from datetime import timedelta

from nicegui.testing import User

from domain.access.locations import visible_locations
from domain.access.tokens import issue_token
from domain.timewindow import today_in
from tests.principals import principal_for


async def _auth(email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(await principal_for(email))[0]}"}


async def test_the_dispatcher_reads_a_week_of_their_branches_only(demo: str, user: User) -> None:
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    admin = await principal_for("admin@demo.ccrm")
    mine = [b.id for b in await visible_locations(dispatcher)]
    other = next(b.id for b in await visible_locations(admin) if b.id not in mine)
    answer = await user.http_client.get("/api/planner", headers=await _auth("dispatcher@demo.ccrm"),
                                        params={"view": "week", "location_id": [*mine, other]})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert len(data["days"]) == 7 and set(data["location_ids"]) == set(mine)
    assert data["jobs"] and all(job["location_id"] in mine for job in data["jobs"])
    assert {loc["id"] for loc in data["locations"]} == set(mine)


async def test_bad_input_and_roles(demo: str, user: User) -> None:
    client, dispatcher = user.http_client, await _auth("dispatcher@demo.ccrm")
    assert (await client.get("/api/planner", headers=await _auth("driver@demo.ccrm"))).status_code == 403
    bad = await client.get("/api/planner", headers=dispatcher, params={"view": "month"})
    assert bad.status_code == 422 and bad.json()["success"] is False
    assert (await client.get("/api/planner", headers=dispatcher, params={"day": "9999-99-99"})).status_code == 422
    refused = await client.post("/api/availability", headers=dispatcher, json={
        "user_id": 1, "starts_on": "2026-12-01", "ends_on": "2026-12-02", "reason": "Off"})
    assert refused.status_code == 403
    admin = await _auth("admin@demo.ccrm")
    both = await client.get("/api/availability", headers=admin)
    assert both.status_code == 422 and "Choose a person" in both.json()["message"]


async def test_the_admin_records_time_off_and_the_suggestions_leave_that_person_out(demo: str, user: User) -> None:
    client, admin = user.http_client, await _auth("admin@demo.ccrm")
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    branch = (await visible_locations(dispatcher))[0]
    day = today_in(branch.timezone) + timedelta(days=1)
    planner = (await client.get("/api/planner", headers=admin,
                                params={"day": day.isoformat(), "location_id": [branch.id]})).json()["data"]
    person = planner["people"][0]["id"]
    made = await client.post("/api/availability", headers=admin, json={
        "user_id": person, "starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "Wedding"})
    assert made.status_code == 201, made.text
    assert made.json()["data"]["description"].startswith("Wedding (")
    seen = (await client.get("/api/availability", headers=admin, params={"user_id": person})).json()["data"]
    assert [p["reason"] for p in seen["periods"]] == ["Wedding"]
    found = await client.get("/api/planner/suggestions", headers=await _auth("dispatcher@demo.ccrm"),
                             params={"location_id": branch.id, "day": day.isoformat()})
    assert found.status_code == 200, found.text
    assert all(member["user_id"] != person for p in found.json()["data"]["proposals"] for member in p["crew"])
    after = (await client.get("/api/planner", headers=admin,
                              params={"day": day.isoformat(), "location_id": [branch.id]})).json()["data"]
    row = next(r for r in after["people"] if r["id"] == person)
    assert row["off"][day.isoformat()].startswith("Wedding")
    removed = await client.delete(f"/api/availability/{made.json()['data']['id']}", headers=admin)
    assert removed.status_code == 200
    skills = await client.put(f"/api/availability/skills/{person}", headers=admin, json={"skills": ["PIANO"]})
    assert skills.status_code == 200 and skills.json()["data"]["skills"] == ["PIANO"]
