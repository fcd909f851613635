"""Availability through NiceGUI's simulated user: the admin records a truck out of service and a
mover's time off and skills from the Trucks and Users tables; the Assign dialog then says who is
off and lets the admin assign anyway with a reason (audited)."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User as SimulatedUser
from sqlalchemy import select

from db.models import AuditEntry, CrewAssignment, Unavailability, UserSkill
from domain.journeys.edit import JourneyDraft, create_journey
from domain.timewindow import today_in
from domain.unit_of_work import read_session
from tests.helpers import sign_in
from tests.world import WORLD_PASSWORD, World, build_world


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


def _one(user: SimulatedUser, marker: str) -> Any:
    elements = user.find(marker=marker).elements
    assert len(elements) == 1, (marker, elements)
    return next(iter(elements))


def _fill(user: SimulatedUser, values: dict[str, Any]) -> None:
    with user.client:
        for marker, value in values.items():
            _one(user, marker).value = value


async def _rows(model: Any) -> list[Any]:
    async with read_session() as s:
        return list(await s.scalars(select(model)))


async def test_out_of_service_and_time_off_from_the_admin_tables(world: World, user: SimulatedUser) -> None:
    today = today_in("America/Toronto")
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/trucks")
    await user.should_see("Trucks")
    truck_row = next(r for r in _one(user, "trucks-table").rows if r["id"] == world.truck_a)
    user.find(marker="trucks-table").trigger("row_action", {"action": "availability", "row": truck_row})
    await user.should_see("Availability · A-100")
    await user.should_see("No periods off.")
    user.find(marker="period-add").click()  # nothing filled in: refused in words, nothing written
    await user.should_see("First day is required")
    assert await _rows(Unavailability) == []
    _fill(user, {"period-starts": today.isoformat(), "period-ends": today.isoformat(), "period-reason": "Brakes"})
    user.find(marker="period-add").click()
    await user.should_see(f"Brakes ({today.day} {today:%b %Y})")
    [period] = await _rows(Unavailability)
    assert (period.truck_id, period.reason, period.weekdays) == (world.truck_a, "Brakes", None)

    await user.open("/admin/users")
    mover_row = next(r for r in _one(user, "users-table").rows if r["id"] == world.mover_a.user_id)
    user.find(marker="users-table").trigger("row_action", {"action": "availability", "row": mover_row})
    await user.should_see("Availability · Mover")
    _fill(user, {"period-starts": today.isoformat(), "period-weekdays": [5, 6], "period-reason": "Weekends off",
                 "skills": ["PIANO", "LONG_DISTANCE"]})
    user.find(marker="period-add").click()
    await user.should_see("Weekends off (Saturdays and Sundays")
    user.find(marker="skills-save").click()
    await user.should_see("Skills saved")
    assert {s.skill for s in await _rows(UserSkill)} == {"PIANO", "LONG_DISTANCE"}
    actions = [e.action for e in await _rows(AuditEntry)]
    assert actions.count("availability.add") == 2 and "availability.skills" in actions


async def test_the_assign_dialog_says_off_and_the_admin_assigns_anyway_with_a_reason(world: World,
                                                                                    user: SimulatedUser) -> None:
    from components.board.assign_dialog import open_assign_dialog
    from domain.availability.edit import add_period

    today = today_in("America/Toronto")
    await add_period(world.admin_a, {"user_id": world.mover_a.user_id, "starts_on": today, "ends_on": today,
                                     "reason": "Dentist"})
    journey = await create_journey(world.dispatcher_a, JourneyDraft(location_id=world.a1, journey_date=today,
                                                                    customer_name="Jane Doe"))
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/users")
    with user.client.layout:
        await open_assign_dialog(world.admin_a, journey)
    await user.should_see("Off: Dentist")
    with user.client:
        next(iter(user.find(marker=f"crew-{world.mover_a.user_id}").elements)).value = True
    user.find(marker="assign-save").click()
    await user.should_see("Give a reason below to assign anyway.")
    user.find(marker="override-reason").type("Dentist moved to the evening")
    user.find(marker="assign-save").click()
    await user.should_see("Crew and truck saved")
    async with read_session() as s:
        assert await s.scalar(select(CrewAssignment.user_id).where(CrewAssignment.journey_id == journey)) == \
            world.mover_a.user_id
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "journey.assign_override"))
    assert entry is not None and entry.new_values["reason"] == "Dentist moved to the evening"
    assert ui is not None
