"""`GET /api/journeys` and its CSV export, per role, on the demo data over real HTTP: scope is
the SQL WHERE (a dispatcher never finds another branch's journey), money only for roles that may
see it, the search box over name, job number and phone fragments, and bad input as a 4xx."""

from __future__ import annotations

import csv
import io

import pytest
from nicegui.testing import User

from tests.search.helpers import Planted, headers_for, plant


@pytest.fixture
async def planted(demo: str, user: User) -> Planted:
    return await plant()


async def _search(user: User, role: str, **params: object) -> dict:
    response = await user.http_client.get("/api/journeys", params=params, headers=await headers_for(role))
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_the_dispatcher_never_finds_another_branchs_journey(planted: Planted, user: User) -> None:
    found = await _search(user, "dispatcher", q="Quartzfield")
    assert found["total"] == 0 and found["items"] == []
    everything = await _search(user, "dispatcher", page_size=200)
    assert everything["total"] > 0
    assert {item["location_id"] for item in everything["items"]} <= planted.dispatcher.scoped_location_ids
    mine = await _search(user, "dispatcher", q="555 0177")
    assert [item["id"] for item in mine["items"]] == [planted.inside]
    assert "estimated_value" not in mine["items"][0]


@pytest.mark.parametrize("role", ["auditor", "admin"])
async def test_company_wide_roles_find_it_by_name_job_number_and_phone_fragment(
        planted: Planted, user: User, role: str) -> None:
    for q in ("quartzf", "778899", "(905) 555-01", "9055550142", "555-0142"):
        found = await _search(user, role, q=q)
        assert [item["id"] for item in found["items"]] == [planted.elsewhere], q
    beyond = await _search(user, role, q="quartzf", page=2)
    assert beyond["items"] == [] and beyond["total"] == 1
    item = found["items"][0]
    assert item["estimated_value"] == "1234.50" or float(item["estimated_value"]) == 1234.5
    assert item["label"] == "SM 778899-1" and item["location_id"] == planted.elsewhere_location


async def test_the_manager_sees_money_and_only_their_branches(planted: Planted, user: User) -> None:
    assert (await _search(user, "manager", q="Quartzfield"))["total"] == 0
    assert "estimated_value" in (await _search(user, "manager", q="555 0177"))["items"][0]


@pytest.mark.parametrize("role", ["driver", "mover", "superadmin"])
async def test_roles_without_the_desk_are_refused(planted: Planted, user: User, role: str) -> None:
    for path in ("/api/journeys", "/api/journeys/export.csv"):
        response = await user.http_client.get(path, headers=await headers_for(role))
        assert response.status_code == 403 and response.json()["success"] is False


async def test_filters_and_sorting(planted: Planted, user: User) -> None:
    day = planted.day.isoformat()
    on_the_day = await _search(user, "auditor", date_from=day, date_to=day, page_size=200)
    assert {planted.elsewhere, planted.inside} <= {item["id"] for item in on_the_day["items"]}
    assert {item["journey_date"] for item in on_the_day["items"]} == {day}
    branch = await _search(user, "auditor", location_id=planted.elsewhere_location, date_from=day, date_to=day)
    assert [item["id"] for item in branch["items"]] == [planted.elsewhere]
    manual = await _search(user, "auditor", source="MANUAL", date_from=day, date_to=day, status="COMPLETED")
    assert [item["id"] for item in manual["items"]] == [planted.inside]
    by_branch = await _search(user, "auditor", sort="branch", order="asc", page_size=200)
    names = [item["location_name"] for item in by_branch["items"]]
    assert names == sorted(names)
    by_date = await _search(user, "auditor", sort="date", order="asc", page_size=50)
    days = [item["journey_date"] for item in by_date["items"]]
    assert days == sorted(days) and by_date["page"] == 1 and by_date["pages"] >= 1


@pytest.mark.parametrize("params", [
    {"date_from": "2026-02-30"}, {"date_from": "2026-05-02", "date_to": "2026-05-01"},
    {"q": "x" * 101}, {"location_id": "99999999999999999999"}, {"page": "0"}, {"page_size": "100000"},
    {"sort": "price"}, {"status": "LOST"}, {"crew_user_id": "-1"}, {"truck_id": "1e9"},
])
async def test_bad_input_is_a_clear_4xx(planted: Planted, user: User, params: dict) -> None:
    response = await user.http_client.get("/api/journeys", params=params, headers=await headers_for("auditor"))
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["success"] is False and response.json()["message"]


@pytest.mark.parametrize("q", ["²", "#99999999999999999999", "%_\\", "٣٤٥", "+", "--"])
async def test_odd_search_text_is_searched_not_a_500(planted: Planted, user: User, q: str) -> None:
    assert (await _search(user, "auditor", q=q))["total"] >= 0


async def test_the_csv_is_formula_safe_and_money_follows_the_role(planted: Planted, user: User) -> None:
    day = planted.day.isoformat()
    params = {"date_from": day, "date_to": day, "q": "near.customer"}
    auditor = await user.http_client.get("/api/journeys/export.csv", params=params,
                                         headers=await headers_for("auditor"))
    assert auditor.status_code == 200 and auditor.headers["x-export-truncated"] == "false"
    rows = list(csv.reader(io.StringIO(auditor.text)))
    assert rows[0][-1] == "Estimated value" and len(rows) == 2
    assert rows[1][rows[0].index("Customer")] == "'=HYPERLINK(\"http://evil.test\")"
    assert rows[1][rows[0].index("Status")] == "Completed" and rows[1][rows[0].index("Source")] == "Manual"
    dispatcher = await user.http_client.get("/api/journeys/export.csv", params=params,
                                            headers=await headers_for("dispatcher"))
    header = next(csv.reader(io.StringIO(dispatcher.text)))
    assert "Estimated value" not in header and "999" not in dispatcher.text
