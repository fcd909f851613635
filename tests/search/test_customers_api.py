"""`GET /api/customers` and `GET /api/customers/{id}` per role on the demo data: customers derived
from journeys (SmartMoving customer id; manual journeys by phone or e-mail), scope as the SQL
WHERE (a dispatcher never finds another branch's customer), money only for roles that may see it."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from db.enums import DataSource, JourneyStatus
from db.models import Journey
from domain.unit_of_work import unit_of_work
from tests.search.helpers import Planted, headers_for, plant


@pytest.fixture
async def planted(demo: str, user: User) -> Planted:
    return await plant()


async def _get(user: User, role: str, path: str, **params: object) -> dict:
    response = await user.http_client.get(path, params=params, headers=await headers_for(role))
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_the_auditor_finds_a_customer_and_a_manual_booking_joins_it_by_email(planted: Planted,
                                                                                  user: User) -> None:
    async with unit_of_work() as s:
        manual = Journey(company_id=(await planted_company(planted)), location_id=planted.elsewhere_location,
                         journey_date=planted.day, status=JourneyStatus.SCHEDULED, data_source=DataSource.MANUAL,
                         customer_name="Zeb Quartzfield", customer_email="Zebulon.Q@example.test")
        s.add(manual)
        await s.flush()
        manual_id = manual.id
    found = await _get(user, "auditor", "/api/customers", q="9055550142")
    assert [c["id"] for c in found["items"]] == [planted.elsewhere]
    assert found["items"][0]["from_smartmoving"] is True and "total_value" in found["items"][0]
    detail = await _get(user, "auditor", f"/api/customers/{planted.elsewhere}")
    assert {j["id"] for j in detail["past"] + detail["upcoming"]} == {planted.elsewhere, manual_id}
    assert any(c["email"] == "zebulon.q@example.test" for c in detail["contacts"])
    assert detail["name"] and "total_value" in detail


async def planted_company(planted: Planted) -> int:
    return planted.dispatcher.company_id or 0


async def test_the_dispatcher_never_finds_another_branchs_customer(planted: Planted, user: User) -> None:
    assert (await _get(user, "dispatcher", "/api/customers", q="Quartzfield"))["total"] == 0
    refused = await user.http_client.get(f"/api/customers/{planted.elsewhere}",
                                         headers=await headers_for("dispatcher"))
    assert refused.status_code == 404 and refused.json()["success"] is False
    mine = await _get(user, "dispatcher", "/api/customers", q="near.customer")
    assert [c["id"] for c in mine["items"]] == [planted.inside] and "total_value" not in mine["items"][0]
    detail = await _get(user, "dispatcher", f"/api/customers/{planted.inside}")
    assert [j["id"] for j in detail["past"]] == [planted.inside]
    assert [n["text"] for n in detail["notes"]] == ["Piano on the second floor"]
    assert "total_value" not in detail and "estimated_value" not in detail["past"][0]


async def test_customers_page_through_the_scope(planted: Planted, user: User) -> None:
    first = await _get(user, "manager", "/api/customers", page_size=5)
    assert first["total"] > 5 and len(first["items"]) == 5 and "total_value" in first["items"][0]
    second = await _get(user, "manager", "/api/customers", page_size=5, page=2)
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}


@pytest.mark.parametrize("role", ["driver", "mover", "superadmin"])
async def test_roles_without_customers_are_refused(planted: Planted, user: User, role: str) -> None:
    for path in ("/api/customers", f"/api/customers/{planted.inside}"):
        response = await user.http_client.get(path, headers=await headers_for(role))
        assert response.status_code == 403 and response.json()["success"] is False


@pytest.mark.parametrize("path", ["/api/customers?q=" + "x" * 101, "/api/customers/0",
                                  "/api/customers/99999999999999", "/api/customers?page=0",
                                  "/api/customers/abc"])
async def test_bad_input_is_a_4xx(planted: Planted, user: User, path: str) -> None:
    response = await user.http_client.get(path, headers=await headers_for("auditor"))
    assert 400 <= response.status_code < 500 and response.json()["success"] is False


async def test_an_unknown_customer_is_a_404(planted: Planted, user: User) -> None:
    response = await user.http_client.get("/api/customers/2147483647", headers=await headers_for("auditor"))
    assert response.status_code == 404 and response.json()["success"] is False
