"""Timesheets: each person per day and per journey, the office's corrections (old → new, who,
why — a reason is required) and additions, approval and its lock, the distance flag, and scope:
a manager of another branch or company sees nothing, and their API calls find nothing (404)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from httpx import AsyncClient
from nicegui.testing import User
from sqlalchemy import select, update

from db.enums import ClockKind
from db.models import AuditEntry, ClockEvent, Location
from domain.crew_time.review import add_missing_event, approve_day, correct_event
from domain.crew_time.timesheets import list_timesheets
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.unit_of_work import read_session, unit_of_work
from tests.api.test_mobile_api import auth
from tests.crew_time.helpers import journey_on, local, tap, work_day
from tests.journey_factory import World, make_world

pytestmark = pytest.mark.postgres_only

DAY = date(2026, 11, 3)
#: The Toronto branch's coordinates, and positions near it and 1.9 km north of it.
BRANCH = (43.6532, -79.3832)
NEAR = {"lat": 43.6535, "lng": -79.3830, "accuracy_m": 8}
FAR = {"lat": 43.6700, "lng": -79.3832, "accuracy_m": 8}


@pytest.fixture
async def world(db: str) -> World:
    world = await make_world()
    async with unit_of_work() as session:
        await session.execute(update(Location).where(Location.id == world.location_id).values(
            lat=BRANCH[0], lng=BRANCH[1]))
    return world


async def _day(world: World, who: str = "manager", person: str = "driver") -> list:
    days = await list_timesheets(world[who], DAY, DAY, user_id=world[person].user_id)
    return days


async def test_each_person_per_day_and_journey_with_flags(world: World) -> None:
    journey = await journey_on(world, DAY)
    await tap(world, "driver", ClockKind.START_OF_DAY, local(DAY, "07:00"), journey_id=journey, whole_crew=True,
              position=NEAR)
    await tap(world, "driver", ClockKind.ARRIVED_PICKUP, local(DAY, "08:00"), journey_id=journey, position=FAR)
    await tap(world, "driver", ClockKind.BREAK_START, local(DAY, "12:00"), journey_id=journey)
    await tap(world, "driver", ClockKind.BREAK_END, local(DAY, "12:20"), journey_id=journey, position=NEAR)
    await tap(world, "driver", ClockKind.END_OF_DAY, local(DAY, "15:40"), journey_id=journey, position=NEAR)
    (day,) = await _day(world)
    assert (day.name, day.location_name, day.worked_seconds // 60, day.break_seconds // 60, day.rounded_minutes) == (
        "Driver", "Toronto", 500, 20, 495)
    (sheet,) = day.journeys
    assert sheet.customer_name == "Grace Hopper" and sheet.problems == ()
    assert [(f"{e.at:%H:%M}", e.label, e.flags) for e in sheet.events] == [
        ("07:00", "Start of day", ()), ("08:00", "Arrived at pickup", ("1.9 km from the branch",)),
        ("12:00", "Break started", ("No position",)), ("12:20", "Break ended", ()), ("15:40", "End of day", ())]
    assert day.flagged == 2 and day.approved_at is None
    (mover,) = await _day(world, person="mover")
    assert mover.journeys[0].problems == ("no end of day",) and mover.worked_seconds == 0


async def test_an_office_correction_needs_a_reason_and_is_audited(world: World) -> None:
    journey = await journey_on(world, DAY)
    await work_day(world, "driver", journey, DAY, "07:00", "16:00")
    (day,) = await _day(world)
    end = day.journeys[0].events[-1]
    with pytest.raises(ValidationFailed, match="Reason is required"):
        await correct_event(world["manager"], end.id, {"at": local(DAY, "15:30"), "reason": "  "})
    with pytest.raises(ValidationFailed, match="journey's day"):
        await correct_event(world["manager"], end.id, {"at": local(DAY + timedelta(days=3), "15:30"),
                                                       "reason": "typo"})
    await approve_day(world["manager"], {"user_id": world["driver"].user_id, "work_date": DAY})
    with pytest.raises(Conflict, match="already approved"):
        await approve_day(world["manager"], {"user_id": world["driver"].user_id, "work_date": DAY})
    # an approved day still takes a correction with a reason
    done = await correct_event(world["manager"], end.id, {"at": local(DAY, "15:30"),
                                                          "reason": "left at 15:30, clocked out at home"})
    assert done["approved_day"] is True
    (day,) = await _day(world)
    assert day.worked_seconds == 8 * 3600 + 30 * 60 and day.approved_by == "Manager"
    assert day.journeys[0].events[-1].correction == "left at 15:30, clocked out at home"
    async with read_session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "correct"))
    assert entry is not None and entry.entity == "clock_event" and entry.entity_id == str(end.id)
    assert entry.user_id == world["manager"].user_id
    assert entry.old_values is not None and entry.new_values is not None
    assert entry.old_values["at"].startswith("2026-11-03T21:00") and entry.old_values["correction_reason"] is None
    assert entry.new_values["at"].startswith("2026-11-03T20:30")
    assert entry.new_values["correction_reason"] == "left at 15:30, clocked out at home"
    assert entry.new_values["approved_day"] is True


async def test_the_office_adds_a_forgotten_event(world: World) -> None:
    journey = await journey_on(world, DAY)
    await tap(world, "mover", ClockKind.START_OF_DAY, local(DAY, "07:00"), journey_id=journey, position=NEAR)
    added = await add_missing_event(world["manager"], {
        "journey_id": journey, "user_id": world["mover"].user_id, "kind": "END_OF_DAY",
        "at": local(DAY, "15:00"), "reason": "forgot to clock out"})
    assert added["label"] == "End of day"
    (day,) = await _day(world, person="mover")
    assert day.worked_seconds == 8 * 3600
    assert day.journeys[0].events[-1].flags == ("Added by the office",)
    with pytest.raises(ValidationFailed, match="not on this journey's crew"):
        await add_missing_event(world["manager"], {"journey_id": journey, "user_id": world["other_driver"].user_id,
                                                   "kind": "END_OF_DAY", "at": local(DAY, "15:00"), "reason": "x"})


async def test_a_manager_of_another_branch_or_company_sees_nothing(world: World, user: User) -> None:
    journey = await journey_on(world, DAY)
    await work_day(world, "driver", journey, DAY, "07:00", "16:00")
    async with read_session() as session:
        event_id = await session.scalar(select(ClockEvent.id).limit(1))
    assert event_id is not None
    other = await make_world(company_name="Other Movers")
    assert await _day(world, who="outsider_manager") == []
    assert await list_timesheets(other["manager"], DAY, DAY) == []
    assert await list_timesheets(other["admin"], DAY, DAY) == []
    assert len(await list_timesheets(world["admin"], DAY, DAY)) == 1
    with pytest.raises(Forbidden):
        await list_timesheets(world["dispatcher"], DAY, DAY)
    with pytest.raises(NotFound):
        await correct_event(other["manager"], event_id, {"at": local(DAY, "08:00"), "reason": "x"})
    with pytest.raises(NotFound):
        await approve_day(world["outsider_manager"], {"user_id": world["driver"].user_id, "work_date": DAY})

    client: AsyncClient = user.http_client
    listed = await client.get("/api/timesheets", params={"date_from": "2026-11-02", "date_to": "2026-11-08"},
                              headers=auth(world["manager"]))
    assert listed.status_code == 200 and listed.json()["data"]["total"] == 1
    (item,) = listed.json()["data"]["items"]
    assert item["rounded_minutes"] == 540 and item["journeys"][0]["events"][0]["label"] == "Start of day"
    foreign = await client.get("/api/timesheets", params={"date_from": "2026-11-02", "date_to": "2026-11-08"},
                               headers=auth(other["manager"]))
    assert foreign.status_code == 200 and foreign.json()["data"]["items"] == []
    correction = {"at": local(DAY, "08:00").isoformat(), "reason": "late start"}
    refused = await client.post(f"/api/timesheets/events/{event_id}/correct", json=correction,
                                headers=auth(other["manager"]))
    assert refused.status_code == 404 and refused.json()["success"] is False
    approve = {"user_id": world["driver"].user_id, "work_date": "2026-11-03"}
    assert (await client.post("/api/timesheets/approve", json=approve,
                              headers=auth(other["admin"]))).status_code == 404
    export = await client.get("/api/timesheets/export.csv", params={
        "location_id": world.location_id, "date_from": "2026-11-02", "date_to": "2026-11-08"},
        headers=auth(other["manager"]))
    assert export.status_code == 404
    assert (await client.get("/api/timesheets", params={"date_from": "2026-11-02", "date_to": "2026-11-08"},
                             headers=auth(world["driver"]))).status_code == 403
    mine = await client.get("/api/timesheets/export.csv", params={
        "location_id": world.location_id, "date_from": "2026-11-02", "date_to": "2026-11-08"},
        headers=auth(world["manager"]))
    assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/csv")
    assert "Driver" in mine.text and "9.00" in mine.text
    ok = await client.post(f"/api/timesheets/events/{event_id}/correct", json=correction,
                           headers=auth(world["manager"]))
    assert ok.status_code == 200, ok.text
    bad = await client.post(f"/api/timesheets/events/{event_id}/correct", json={"at": "soon", "reason": ""},
                            headers=auth(world["manager"]))
    assert bad.status_code == 422 and "Reason is required" in bad.json()["message"]
    rules = await client.put("/api/timesheets/rules", json={"max_distance_m": 300, "rounding_minutes": 6},
                             headers=auth(world["admin"]))
    assert rules.status_code == 200 and rules.json()["data"]["daily_overtime_after_minutes"] is None
    assert (await client.put("/api/timesheets/rules", json={"max_distance_m": 300, "rounding_minutes": 6},
                             headers=auth(world["manager"]))).status_code == 403
