"""`GET /api/crew` per role on the demo data: drivers and movers of the caller's branches, a
person lent to another branch listed in both and marked, scope as the SQL WHERE."""

from __future__ import annotations

from datetime import timedelta

import pytest
from nicegui.testing import User
from sqlalchemy import select

from db.enums import LocationLinkKind, Role
from db.models import Location, ResourceLoan, UserLocation
from db.models import User as UserModel
from domain.crew.roster import this_week
from domain.unit_of_work import read_session, unit_of_work
from tests.search.helpers import headers_for, plant


@pytest.fixture
async def lent(demo: str, user: User) -> tuple[int, int, int]:
    """A driver of the dispatcher's first branch lent this week to a branch outside the desk's scope:
    (driver id, home branch id, other branch id)."""
    planted = await plant()
    async with read_session() as s:
        driver = await s.scalar(
            select(UserModel.id).join(UserLocation, UserLocation.user_id == UserModel.id)
            .where(UserLocation.location_id == planted.inside_location, UserModel.role == Role.DRIVER,
                   UserLocation.kind == LocationLinkKind.ASSIGNED).order_by(UserModel.id))
        company = await s.scalar(select(Location.company_id).where(Location.id == planted.inside_location))
    assert driver is not None and company is not None
    week = this_week("America/Toronto")
    async with unit_of_work() as s:
        s.add(ResourceLoan(company_id=company, to_location_id=planted.elsewhere_location, user_id=driver,
                           starts_on=week.first, ends_on=week.first + timedelta(days=2)))
    return driver, planted.inside_location, planted.elsewhere_location


async def _crew(user: User, role: str, **params: object) -> dict:
    response = await user.http_client.get("/api/crew", params={"page_size": 200, **params},
                                          headers=await headers_for(role))
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_a_lent_driver_is_in_both_branches_marked_as_lent(lent: tuple[int, int, int], user: User) -> None:
    driver, home, other = lent
    found = await _crew(user, "admin", location_id=[home, other])
    rows = {item["location_id"]: item for item in found["items"] if item["user_id"] == driver}
    assert set(rows) == {home, other}
    assert [loan["direction"] for loan in rows[home]["loans"]] == ["out"]
    assert [loan["direction"] for loan in rows[other]["loans"]] == ["in"]
    assert rows[home]["loans"][0]["other_location"] == rows[other]["location_name"]
    assert {item["role"] for item in found["items"]} <= {"DRIVER", "MOVER"}


async def test_the_dispatcher_sees_only_their_branches(lent: tuple[int, int, int], user: User) -> None:
    driver, home, other = lent
    dispatcher = (await _crew(user, "dispatcher"))["items"]
    assert dispatcher and all(item["location_id"] != other for item in dispatcher)
    mine = [item for item in dispatcher if item["user_id"] == driver]
    assert [item["location_id"] for item in mine] == [home] and mine[0]["loans"][0]["direction"] == "out"
    assert (await _crew(user, "dispatcher", location_id=other))["total"] == 0
    assert isinstance(mine[0]["week_assignments"], int)


@pytest.mark.parametrize("role", ["driver", "mover", "auditor", "superadmin"])
async def test_roles_without_the_roster_are_refused(demo: str, user: User, role: str) -> None:
    response = await user.http_client.get("/api/crew", headers=await headers_for(role))
    assert response.status_code == 403 and response.json()["success"] is False


@pytest.mark.parametrize("params", [{"location_id": "0"}, {"q": "x" * 101}, {"page": "100001"}])
async def test_bad_input_is_a_4xx(demo: str, user: User, params: dict) -> None:
    response = await user.http_client.get("/api/crew", params=params, headers=await headers_for("manager"))
    assert response.status_code == 422 and response.json()["success"] is False
