"""Crew and truck assignment: no double-booking, only usable resources, audited, with events."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.enums import CrewRole
from db.models import AuditEntry, CrewAssignment, Journey
from domain.events import bus as events
from domain.board.assignment import UNCHANGED, CrewChoice, assign
from domain.board.availability import availability
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.events.bus import EventType
from domain.journeys.edit import cancel_journey, update_journey
from domain.unit_of_work import read_session
from tests.journey_world import World, lend, make_world


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


async def _truck_of(journey_id: int) -> int | None:
    async with read_session() as s:
        return await s.scalar(select(Journey.truck_id).where(Journey.id == journey_id))


async def test_touching_windows_do_not_conflict(world: World) -> None:
    first = await world.journey((9, 0), (12, 0))
    second = await world.journey((12, 0), (15, 0))
    p = world.principals["dispatcher"]
    await assign(p, first, truck_id=world.trucks["T1"], crew=[CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    await assign(p, second, truck_id=world.trucks["T1"], crew=[CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    assert await _truck_of(second) == world.trucks["T1"]


async def test_one_minute_overlap_of_a_truck_is_refused_naming_the_first_journey(world: World) -> None:
    first = await world.journey((9, 0), (12, 0), name="Olivia Smith")
    second = await world.journey((11, 59), (15, 0), name="Noah Brown")
    p = world.principals["dispatcher"]
    await assign(p, first, truck_id=world.trucks["T1"])
    with pytest.raises(Conflict) as refused:
        await assign(p, second, truck_id=world.trucks["T1"])
    assert "truck TOR-01 is already booked on Olivia Smith" in refused.value.message
    assert "Olivia Smith (Manual job)" in refused.value.message and "09:00–12:00" in refused.value.message
    assert f"#{first}" not in refused.value.message
    assert refused.value.details["journey_id"] == first
    assert await _truck_of(second) is None


async def test_one_minute_overlap_of_a_person_is_refused(world: World) -> None:
    first = await world.journey((9, 0), (12, 0), name="Olivia Smith")
    second = await world.journey((8, 0), (9, 1))
    p = world.principals["dispatcher"]
    await assign(p, first, crew=[CrewChoice(world.users["mover"], CrewRole.MOVER)])
    with pytest.raises(Conflict, match="Mo Mover is already booked on Olivia Smith"):
        await assign(p, second, crew=[CrewChoice(world.users["driver"], CrewRole.DRIVER),
                                      CrewChoice(world.users["mover"], CrewRole.MOVER)])
    async with read_session() as s:  # nothing of the refused crew was written
        assert await s.scalar(select(func.count()).select_from(CrewAssignment)
                              .where(CrewAssignment.journey_id == second)) == 0


async def test_a_journey_without_times_blocks_the_whole_local_day(world: World) -> None:
    all_day = await world.journey(None, None, name="All Day")
    evening = await world.journey((21, 0), (23, 30))
    tomorrow = await world.journey((0, 0), (3, 0), day=world.today + timedelta(days=1))
    p = world.principals["dispatcher"]
    await assign(p, all_day, truck_id=world.trucks["T1"])
    with pytest.raises(Conflict, match="All Day"):
        await assign(p, evening, truck_id=world.trucks["T1"])
    await assign(p, tomorrow, truck_id=world.trucks["T1"])  # midnight touches the end of the day


async def test_a_cancelled_journey_does_not_block(world: World) -> None:
    first = await world.journey((9, 0), (12, 0))
    second = await world.journey((10, 0), (11, 0))
    p = world.principals["dispatcher"]
    await assign(p, first, truck_id=world.trucks["T1"], crew=[CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    await cancel_journey(p, first, "customer postponed")
    await assign(p, second, truck_id=world.trucks["T1"], crew=[CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    assert await _truck_of(second) == world.trucks["T1"]
    with pytest.raises(ValidationFailed, match="cancelled"):
        await assign(p, first, truck_id=world.trucks["T2"])


async def test_another_locations_truck_or_person_is_refused_unless_lent(world: World) -> None:
    journey = await world.journey()
    p = world.principals["dispatcher"]
    with pytest.raises(ValidationFailed, match="OTT-01 belongs to another location and is not lent to Toronto"):
        await assign(p, journey, truck_id=world.trucks["OTT"])
    with pytest.raises(ValidationFailed, match="Otto Driver does not work at Toronto"):
        await assign(p, journey, crew=[CrewChoice(world.users["ottawa_driver"], CrewRole.DRIVER)])
    await lend(world, truck="OTT")
    await lend(world, user="ottawa_driver")
    await assign(p, journey, truck_id=world.trucks["OTT"],
                 crew=[CrewChoice(world.users["ottawa_driver"], CrewRole.DRIVER)])
    assert await _truck_of(journey) == world.trucks["OTT"]
    offered = await availability(p, journey)
    assert {(o.label, o.lent) for o in offered.trucks} >= {("OTT-01", True), ("TOR-01", False)}
    assert ("Otto Driver", True) in {(o.label, o.lent) for o in offered.crew}


async def test_a_loan_only_covers_its_days(world: World) -> None:
    await lend(world, truck="OTT", days=0)
    tomorrow = await world.journey(day=world.today + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="not lent"):
        await assign(world.principals["dispatcher"], tomorrow, truck_id=world.trucks["OTT"])


async def test_inactive_truck_and_user_are_refused(world: World) -> None:
    journey = await world.journey()
    p = world.principals["dispatcher"]
    with pytest.raises(ValidationFailed, match="truck TOR-99 is not active"):
        await assign(p, journey, truck_id=world.trucks["OLD"])
    with pytest.raises(ValidationFailed, match="Gone Driver is not active"):
        await assign(p, journey, crew=[CrewChoice(world.users["gone"], CrewRole.DRIVER)])
    offered = await availability(p, journey)
    assert "TOR-99" not in {o.label for o in offered.trucks}
    assert "Gone Driver" not in {o.label for o in offered.crew}


async def test_only_drivers_and_movers_are_crew_and_only_drivers_drive(world: World) -> None:
    journey = await world.journey()
    p = world.principals["dispatcher"]
    with pytest.raises(ValidationFailed, match="only drivers and movers can be crew"):
        await assign(p, journey, crew=[CrewChoice(world.users["dispatcher"], CrewRole.MOVER)])
    with pytest.raises(ValidationFailed, match="Mo Mover is a mover, not a driver"):
        await assign(p, journey, crew=[CrewChoice(world.users["mover"], CrewRole.DRIVER)])
    with pytest.raises(ValidationFailed, match="twice"):
        await assign(p, journey, crew=[CrewChoice(world.users["mover"], CrewRole.MOVER),
                                       CrewChoice(world.users["mover"], CrewRole.FOREMAN)])
    await assign(p, journey, crew=[CrewChoice(world.users["mover"], CrewRole.FOREMAN),
                                   CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    async with read_session() as s:
        roles = dict((await s.execute(select(CrewAssignment.user_id, CrewAssignment.role)
                                      .where(CrewAssignment.journey_id == journey))).all())
    assert roles == {world.users["mover"]: CrewRole.FOREMAN, world.users["driver"]: CrewRole.DRIVER}


async def test_unassigning_and_reassigning_records_audit_and_events(world: World) -> None:
    journey = await world.journey()
    p = world.principals["dispatcher"]
    seen: list[events.DomainEvent] = []
    events.bus.subscribe(seen.append)
    await assign(p, journey, truck_id=world.trucks["T1"], crew=[CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    await assign(p, journey, truck_id=None, crew=[])
    await assign(p, journey, truck_id=UNCHANGED, crew=[])  # no change: no audit, no event
    assert [e.type for e in seen] == [EventType.TRUCK_ASSIGNED, EventType.CREW_ASSIGNED,
                                      EventType.TRUCK_ASSIGNED, EventType.CREW_ASSIGNED]
    assert all(e.journey_id == journey and e.location_id == world.home for e in seen)
    assert seen[-1].user_ids == (world.users["driver"],)  # the removed driver's screen must refresh too
    async with read_session() as s:
        actions = (await s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "journey",
                                                                   AuditEntry.entity_id == str(journey))
                                   .order_by(AuditEntry.id))).all()
    assert actions == ["journey.create", "journey.assign", "journey.assign"]
    assert await _truck_of(journey) is None


async def test_rescheduling_onto_a_booked_window_is_refused(world: World) -> None:
    first = await world.journey((9, 0), (12, 0), name="Olivia Smith")
    second = await world.journey((13, 0), (15, 0))
    p = world.principals["dispatcher"]
    await assign(p, first, truck_id=world.trucks["T1"])
    await assign(p, second, truck_id=world.trucks["T1"])
    with pytest.raises(Conflict, match="Olivia Smith"):
        await update_journey(p, second, {"scheduled_start": world.at(11, 0), "scheduled_end": world.at(15, 0)})
    await update_journey(p, second, {"scheduled_start": world.at(12, 0), "scheduled_end": world.at(16, 0)})


async def test_availability_shows_the_conflicting_journey(world: World) -> None:
    first = await world.journey((9, 0), (12, 0), name="Olivia Smith")
    second = await world.journey((10, 0), (14, 0))
    p = world.principals["dispatcher"]
    await assign(p, first, truck_id=world.trucks["T1"], crew=[CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    offered = await availability(p, second)
    trucks = {o.label: o for o in offered.trucks}
    assert trucks["TOR-01"].conflict_journey_id == first and "Olivia Smith" in (trucks["TOR-01"].conflict or "")
    assert trucks["TOR-02"].available
    crew = {o.label: o for o in offered.crew}
    assert not crew["Dan Driver"].available and crew["Dora Driver"].available and crew["Mo Mover"].available
    assert {o.label for o in offered.crew} == {"Dan Driver", "Dora Driver", "Mo Mover"}


async def test_permissions_and_scope_of_assignment(world: World) -> None:
    journey = await world.journey()
    with pytest.raises(Forbidden):
        await assign(world.principals["auditor"], journey, truck_id=world.trucks["T1"])
    with pytest.raises(Forbidden):
        await assign(world.principals["driver"], journey, truck_id=world.trucks["T1"])
    with pytest.raises(NotFound):
        await assign(world.principals["ottawa_dispatcher"], journey, truck_id=world.trucks["T1"])
    with pytest.raises(NotFound):
        await availability(world.principals["ottawa_dispatcher"], journey)
    await assign(world.principals["manager"], journey, truck_id=world.trucks["T1"])
    await assign(world.principals["admin"], journey, truck_id=world.trucks["T2"])
    assert await _truck_of(journey) == world.trucks["T2"]


@pytest.mark.postgres_only
async def test_two_dispatchers_racing_for_one_truck_only_one_wins(world: World) -> None:
    """Two transactions book the same truck onto overlapping journeys at the same moment."""
    first = await world.journey((9, 0), (12, 0))
    second = await world.journey((10, 0), (13, 0))
    p = world.principals["dispatcher"]
    for _ in range(5):  # repeat: a lucky interleaving must not hide a race
        results = await asyncio.gather(assign(p, first, truck_id=world.trucks["T1"]),
                                       assign(p, second, truck_id=world.trucks["T1"]), return_exceptions=True)
        assert sum(r is None for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        trucks = [await _truck_of(first), await _truck_of(second)]
        assert sorted(trucks, key=str) == sorted([world.trucks["T1"], None], key=str)
        await assign(p, first, truck_id=None)
        await assign(p, second, truck_id=None)


@pytest.mark.postgres_only
async def test_racing_for_one_person_only_one_wins(world: World) -> None:
    first = await world.journey((9, 0), (12, 0))
    second = await world.journey((11, 0), (13, 0))
    p, crew = world.principals["dispatcher"], [CrewChoice(world.users["driver"], CrewRole.DRIVER)]
    results = await asyncio.gather(assign(p, first, crew=crew), assign(p, second, crew=crew), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"], results
    async with read_session() as s:
        assert await s.scalar(select(func.count()).select_from(CrewAssignment)
                              .where(CrewAssignment.user_id == world.users["driver"])) == 1
