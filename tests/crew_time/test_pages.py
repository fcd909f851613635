"""Crew time on the screens (NiceGUI's simulated user, PostgreSQL): the phone's big clock button
(the driver clocks the whole crew with one tap, with the phone's position; a mover clocks only
themself, and without a position when the phone refuses one), and `/timesheets` (approve a day,
correct an event with a reason, download the payroll CSV)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from nicegui.testing import User
from sqlalchemy import select

from db.enums import ClockKind
from db.models import AuditEntry, ClockEvent, Journey
from domain.crew_time.timesheets import list_timesheets
from domain.timewindow import local_time
from domain.unit_of_work import read_session
from tests.crew_time.helpers import local, tap
from tests.helpers import sign_in
from tests.journey_factory import PASSWORD, TZ, World, make_world, password_hash

pytestmark = pytest.mark.postgres_only

GEOLOCATION = re.compile(r"(?s).*getCurrentPosition")
HERE = {"lat": 43.6535, "lng": -79.383, "accuracy": 9.0}


@pytest.fixture
async def world(db: str) -> World:
    return await make_world(hashed=password_hash())


async def _events() -> list[ClockEvent]:
    async with read_session() as session:
        return list((await session.scalars(select(ClockEvent).order_by(ClockEvent.user_id))).all())


async def test_the_driver_clocks_the_whole_crew_with_one_tap(world: World, user: User) -> None:
    user.javascript_rules[GEOLOCATION] = lambda _match: HERE
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Crew time", retries=30)
    await user.should_see("Nothing clocked yet today.")
    (button,) = user.find(marker="clock-next").elements
    assert button.text == "Start the day" and button.style["min-height"] == "64px"
    await user.should_see(marker="clock-whole-crew")
    user.find(marker="clock-next").click()
    await user.should_see("Start the day: Driver, Mover", retries=30)
    events = await _events()
    assert [(e.user_id, e.kind, e.lat, e.accuracy_m) for e in events] == [
        (world["driver"].user_id, ClockKind.START_OF_DAY, 43.6535, 9.0),
        (world["mover"].user_id, ClockKind.START_OF_DAY, 43.6535, 9.0)]
    at = local_time(events[0].at, TZ)
    assert at is not None
    await user.should_see(f"{at:%H:%M} · Start of day · Driver")
    await user.should_see(f"{at:%H:%M} · Start of day · Mover")
    (button,) = user.find(marker="clock-next").elements
    assert button.text == "Arrived at pickup"
    await user.should_see(marker=f"clock-{ClockKind.BREAK_START.value}")


async def test_a_mover_clocks_themself_without_a_position(world: World, user: User) -> None:
    user.javascript_rules[GEOLOCATION] = lambda _match: {"error": "User denied Geolocation"}
    await sign_in(user, world["mover"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Start the day", retries=30)
    await user.should_not_see(marker="clock-whole-crew")
    user.find(marker="clock-next").click()
    await user.should_see("No position: User denied Geolocation", retries=30)
    await user.should_see("Start the day: Mover (no position)", retries=30)
    (event,) = await _events()
    assert event.user_id == world["mover"].user_id and event.lat is None and event.accuracy_m is None
    at = local_time(event.at, TZ)
    assert at is not None
    await user.should_see(f"{at:%H:%M} · Start of day · Mover (no position)")


async def test_a_manager_approves_corrects_and_exports_on_timesheets(world: World, user: User) -> None:
    async with read_session() as session:
        day = await session.scalar(select(Journey.journey_date).where(Journey.id == world.journey_id))
    assert day is not None
    await tap(world, "driver", ClockKind.START_OF_DAY, local(day, "07:00"), whole_crew=True)
    await tap(world, "driver", ClockKind.END_OF_DAY, local(day, "15:00"), whole_crew=True)
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open("/timesheets")
    await user.should_see("Timesheets")
    await user.should_see("Overtime after 8 h a day and after 40 h a week; each day rounded to the nearest 15 "
                          "minutes; flagged beyond 500 m of the branch")
    await user.should_not_see(marker="timesheets-change-rules")  # an admin's
    words = f"{day:%a} {day.day} {day:%b %Y}"
    await user.should_see(f"Driver · {words}")
    await user.should_see("Toronto · worked 8 h (clocked 8 h) · breaks 0 min")
    await user.should_see("07:00 Start of day")
    driver = f"day-{world['driver'].user_id}-{day:%Y%m%d}"
    user.find(marker=f"{driver}-approve").click()
    await user.should_see("Driver's day approved", retries=30)
    await user.should_see(marker=f"{driver}-approved")
    await user.should_see("Approved by Manager")

    (start, *_rest) = await _events()
    user.find(marker=f"correct-{start.id}").click()
    await user.should_see(marker="correction-dialog")
    user.find(marker="correction-time").clear().type("06:45")
    user.find(marker="correction-save").click()
    await user.should_see("Reason is required")
    user.find(marker="correction-reason").type("started loading at 06:45")
    user.find(marker="correction-save").click()
    await user.should_see("Correction saved", retries=30)
    await user.should_see("Corrected: started loading at 06:45")
    (sheet,) = await list_timesheets(world["manager"], day, day, user_id=world["driver"].user_id)
    assert sheet.worked_seconds == 8 * 3600 + 15 * 60 and sheet.approved_at is not None
    async with read_session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "correct"))
    assert entry is not None and entry.new_values is not None
    assert entry.new_values["correction_reason"] == "started loading at 06:45"

    user.find(marker="timesheets-export").click()
    exported = list(csv.DictReader(io.StringIO((await user.download.next()).text)))
    hours = {row["Employee"]: (row["Regular hours"], row["Overtime hours"]) for row in exported}
    assert hours == {"Driver": ("8.00", "0.25"), "Mover": ("8.00", "0.00")}


async def test_the_admin_changes_the_time_rules(world: World, user: User) -> None:
    await sign_in(user, world["admin"].email, PASSWORD)
    await user.open("/timesheets")
    await user.should_see("No clocked time in this period.")
    user.find(marker="timesheets-change-rules").click()
    await user.should_see(marker="rules-dialog")
    user.find(marker="rules-weekly").clear()
    user.find(marker="rules-save").click()
    await user.should_see("Time rules saved", retries=30)
    await user.should_see("Overtime after 8 h a day; each day rounded to the nearest 15 minutes")
    async with read_session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity == "time_rules"))
    assert entry is not None and entry.old_values is not None and entry.new_values is not None
    assert (entry.old_values["weekly_overtime_after_minutes"], entry.new_values["weekly_overtime_after_minutes"]) == (
        2400, None)
