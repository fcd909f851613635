"""Availability: time off and out-of-service periods refuse an assignment with their reason; an
admin may override with a reason, which is audited; skills are replaced whole; scope and input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.enums import CrewRole
from db.models import AuditEntry, CrewAssignment, Journey
from domain.availability.edit import add_period, remove_period, resource_availability, set_skills
from domain.board.assignment import CrewChoice, assign
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.unit_of_work import read_session
from tests.journey_world import World, make_world


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


async def _entries(action: str) -> list[AuditEntry]:
    async with read_session() as s:
        return list(await s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


async def _crew_of(journey_id: int) -> set[int]:
    async with read_session() as s:
        return set(await s.scalars(select(CrewAssignment.user_id).where(CrewAssignment.journey_id == journey_id)))


async def test_a_person_off_is_refused_with_the_reason_in_words(world: World) -> None:
    await add_period(world.principals["manager"], {"user_id": world.users["mover"], "starts_on": world.today,
                                                    "ends_on": world.today + timedelta(days=2), "reason": "Holiday"})
    journey = await world.journey()
    with pytest.raises(Conflict) as refused:
        await assign(world.principals["dispatcher"], journey, crew=[CrewChoice(world.users["mover"], CrewRole.MOVER)])
    assert refused.value.message.startswith("Mo Mover is off: Holiday (")
    assert "Holiday" in refused.value.message
    assert refused.value.details == {"resource": "user", "resource_id": world.users["mover"], "unavailable": True,
                                     "overridable": False}
    assert await _crew_of(journey) == set()


async def test_a_recurring_weekday_counts_only_on_that_weekday(world: World) -> None:
    tomorrow = world.today + timedelta(days=1)
    await add_period(world.principals["admin"], {"user_id": world.users["mover"], "starts_on": world.today,
                                                  "ends_on": world.today + timedelta(days=30),
                                                  "weekdays": [tomorrow.weekday()], "reason": "Night school"})
    today_job, tomorrow_job = await world.journey(), await world.journey(day=tomorrow)
    p = world.principals["dispatcher"]
    await assign(p, today_job, crew=[CrewChoice(world.users["mover"], CrewRole.MOVER)])
    with pytest.raises(Conflict, match=f"Night school \\({tomorrow:%A}s"):
        await assign(p, tomorrow_job, crew=[CrewChoice(world.users["mover"], CrewRole.MOVER)])


async def test_a_truck_out_of_service_is_refused(world: World) -> None:
    await add_period(world.principals["manager"], {"truck_id": world.trucks["T1"], "starts_on": world.today,
                                                    "ends_on": world.today, "reason": "Brakes"})
    journey = await world.journey()
    with pytest.raises(Conflict, match=r"Truck TOR-01 is out of service: Brakes \("):
        await assign(world.principals["dispatcher"], journey, truck_id=world.trucks["T1"])


async def test_an_admin_overrides_with_a_reason_and_the_override_is_audited(world: World) -> None:
    await add_period(world.principals["admin"], {"user_id": world.users["mover"], "starts_on": world.today,
                                                  "ends_on": world.today, "reason": "Dentist"})
    journey = await world.journey()
    crew = [CrewChoice(world.users["mover"], CrewRole.MOVER)]
    with pytest.raises(Conflict) as refused:
        await assign(world.principals["admin"], journey, crew=crew)
    assert refused.value.details["overridable"] is True
    with pytest.raises(Forbidden):
        await assign(world.principals["dispatcher"], journey, crew=crew, override_reason="Customer asked for him")
    with pytest.raises(ValidationFailed, match="Give a reason"):
        await assign(world.principals["admin"], journey, crew=crew, override_reason="   ")
    await assign(world.principals["admin"], journey, crew=crew, override_reason="Dentist moved to the evening")
    assert await _crew_of(journey) == {world.users["mover"]}
    [entry] = await _entries("journey.assign_override")
    assert entry.entity_id == str(journey) and entry.user_id == world.users["admin"]
    assert entry.new_values["reason"] == "Dentist moved to the evening"
    assert entry.new_values["unavailable"] == [f"Mo Mover is off: Dentist ({world.today.day} {world.today:%b %Y})"]


async def test_people_already_on_the_crew_are_not_refused_again(world: World) -> None:
    journey = await world.journey()
    p = world.principals["dispatcher"]
    await assign(p, journey, crew=[CrewChoice(world.users["mover"], CrewRole.MOVER)])
    await add_period(world.principals["admin"], {"user_id": world.users["mover"], "starts_on": world.today,
                                                  "ends_on": world.today, "reason": "Sick"})
    await assign(p, journey, crew=[CrewChoice(world.users["mover"], CrewRole.MOVER),
                                   CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    assert await _crew_of(journey) == {world.users["mover"], world.users["driver"]}


async def test_a_removed_period_no_longer_refuses_and_both_writes_are_audited(world: World) -> None:
    period = await add_period(world.principals["manager"], {"truck_id": world.trucks["T2"], "starts_on": world.today,
                                                             "ends_on": world.today, "reason": "Inspection"})
    await remove_period(world.principals["manager"], period.id)
    journey = await world.journey()
    await assign(world.principals["dispatcher"], journey, truck_id=world.trucks["T2"])
    async with read_session() as s:
        assert await s.scalar(select(Journey.truck_id).where(Journey.id == journey)) == world.trucks["T2"]
    [added], [removed] = await _entries("availability.add"), await _entries("availability.remove")
    assert added.new_values == {"name": "TOR-02", "off": f"Inspection ({world.today.day} {world.today:%b %Y})"}
    assert removed.old_values == added.new_values


async def test_skills_are_replaced_whole_and_read_back_in_words(world: World) -> None:
    manager = world.principals["manager"]
    await set_skills(manager, world.users["driver"], {"skills": ["PIANO", "LICENCE_DZ"]})
    await set_skills(manager, world.users["driver"], {"skills": ["LICENCE_DZ"]})
    seen = await resource_availability(manager, user_id=world.users["driver"])
    assert seen.skills == {"LICENCE_DZ"} and seen.skill_labels == ["Class DZ licence (trucks of 26 ft and more)"]
    [_first, second] = await _entries("availability.skills")
    assert second.old_values["skills"] == ["Class DZ licence (trucks of 26 ft and more)", "Piano moving"]
    with pytest.raises(ValidationFailed, match="Unknown skill: JUGGLING"):
        await set_skills(manager, world.users["driver"], {"skills": ["JUGGLING"]})


async def test_scope_and_permission(world: World) -> None:
    period = {"user_id": world.users["ottawa_driver"], "starts_on": world.today, "ends_on": world.today,
              "reason": "Off"}
    with pytest.raises(NotFound):  # another branch's person: the Toronto manager does not see them
        await add_period(world.principals["manager"], period)
    with pytest.raises(Forbidden):  # a dispatcher plans, but does not record time off
        await add_period(world.principals["dispatcher"], {**period, "user_id": world.users["mover"]})
    await add_period(world.principals["admin"], period)


@pytest.mark.parametrize(("change", "message"), [
    ({"ends_on": "2000-01-01"}, "The last day is before the first day"),
    ({"truck_id": 1}, "Choose a person or a truck"),
    ({"reason": " "}, "Reason is required"),
    ({"weekdays": [7]}, "Days of the week are 0 (Monday) to 6 (Sunday)"),
    ({"starts_on": "soon"}, "First day must be a date"),
])
async def test_bad_input_is_refused_in_words_and_writes_nothing(world: World, change: dict[str, object],
                                                                 message: str) -> None:
    data = {"user_id": world.users["mover"], "starts_on": world.today.isoformat(),
            "ends_on": world.today.isoformat(), "reason": "Off", **change}
    with pytest.raises(ValidationFailed, match=message.replace("(", "\\(").replace(")", "\\)")):
        await add_period(world.principals["admin"], data)
    assert await _entries("availability.add") == []


async def test_moving_a_journey_to_a_day_its_crew_is_off_is_refused(world: World) -> None:
    from domain.journeys.edit import update_journey

    journey = await world.journey()
    await assign(world.principals["dispatcher"], journey, crew=[CrewChoice(world.users["mover"], CrewRole.MOVER)])
    tomorrow = world.today + timedelta(days=1)
    await add_period(world.principals["admin"], {"user_id": world.users["mover"], "starts_on": tomorrow,
                                                  "ends_on": tomorrow, "reason": "Moving house"})
    with pytest.raises(Conflict, match=r"Mo Mover is off: Moving house"):
        await update_journey(world.principals["dispatcher"], journey, {
            "journey_date": tomorrow, "scheduled_start": world.at(9, day=tomorrow),
            "scheduled_end": world.at(12, day=tomorrow)})
    async with read_session() as s:
        assert await s.scalar(select(Journey.journey_date).where(Journey.id == journey)) == world.today
