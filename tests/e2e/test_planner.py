"""The planner in Chromium: the dispatcher drags a job onto a free truck and it is assigned;
drops onto a booked truck and of a person who is off are refused where they were dropped, with
the reason; the keyboard way (Enter on a job, the Assign dialog) assigns a driver."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from db.session import sync_url
from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import ServedApp
from tests.e2e.live_server import signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

#: Late enough that the demo journeys leave trucks and crew free.
START, END = time(20, 0), time(21, 30)


def _plant(database_url: str) -> dict[str, Any]:
    """Tomorrow at the dispatcher's first branch: an open job, another one holding a truck at the
    same time, a driver off for the day; the free truck and driver to use."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.begin() as conn:
            company, location, tz = conn.execute(text(
                "SELECT l.company_id, l.id, l.timezone FROM locations l JOIN user_locations ul "
                "ON ul.location_id = l.id JOIN users u ON u.id = ul.user_id "
                "WHERE u.email = 'dispatcher@demo.ccrm' ORDER BY l.name LIMIT 1")).one()
            day = datetime.now(ZoneInfo(tz)).date() + timedelta(days=1)
            trucks = [r[0] for r in conn.execute(text(
                "SELECT id FROM trucks WHERE location_id = :l AND active ORDER BY number"), {"l": location})]
            drivers = [r[0] for r in conn.execute(text(
                "SELECT u.id FROM users u JOIN user_locations ul ON ul.user_id = u.id WHERE ul.location_id = :l "
                "AND ul.kind = 'ASSIGNED' AND u.role = 'DRIVER' AND u.status = 'ACTIVE' ORDER BY u.id"),
                {"l": location})]

            def journey(name: str, truck: int | None) -> int:
                start = datetime.combine(day, START, ZoneInfo(tz))
                end = datetime.combine(day, END, ZoneInfo(tz))
                return int(conn.execute(text(
                    "INSERT INTO journeys (company_id, location_id, journey_date, status, current_phase, progress, "
                    "data_source, sync_status, customer_name, truck_id, scheduled_start, scheduled_end, confirmed, "
                    "created_at, updated_at) VALUES (:c, :l, :d, 'SCHEDULED', 'CREATION', 0, 'MANUAL', "
                    "'NOT_SYNCED', :n, :t, :s, :e, true, now(), now()) RETURNING id"),
                    {"c": company, "l": location, "d": day, "n": name, "t": truck, "s": start, "e": end}).scalar_one())

            planted = {"location": location, "day": day, "free_truck": trucks[0], "busy_truck": trucks[1],
                       "driver": drivers[0], "off_driver": drivers[1],
                       "job": journey("Priya Planner", None), "holder": journey("Hugo Holder", trucks[1])}
            conn.execute(text(
                "INSERT INTO unavailabilities (company_id, user_id, starts_on, ends_on, reason, created_at, "
                "updated_at) VALUES (:c, :u, :d, :d, 'Holiday', now(), now())"),
                {"c": company, "u": planted["off_driver"], "d": day})
            return planted
    finally:
        engine.dispose()


def _drag(page: Page, source: str, target: str) -> None:
    page.get_by_test_id(source).drag_to(page.get_by_test_id(target))


def test_drag_to_assign_refusals_in_place_and_the_keyboard_way(chromium: Browser, shared_app: ServedApp) -> None:
    shots = Screenshots("planner")
    app = shared_app
    w = _plant(app.database_url)
    page = signed_in_page(chromium, app.base_url, "dispatcher@demo.ccrm")
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.get_by_role("link", name="Planner", exact=True).click()
    page.wait_for_url("**/planner")
    day: date = w["day"]
    page.goto(f"/planner?view=day&day={day.isoformat()}&branches={w['location']}")
    job, holder = w["job"], w["holder"]
    expect(page.get_by_test_id(f"pl-unplaced-{job}")).to_be_visible()
    page.wait_for_function("window.did_handshake === true")
    shots.take(page, "the planner, tomorrow")

    # A drop onto the truck another job holds at that time: refused there, with the reason.
    _drag(page, f"pl-unplaced-{job}", f"pl-truck-{w['busy_truck']}")
    refusal = page.get_by_test_id(f"pl-truck-{w['busy_truck']}").get_by_test_id("pl-refusal")
    expect(refusal).to_contain_text("is already booked on Hugo Holder")
    expect(page.get_by_test_id("planner-message")).to_contain_text("Not assigned")
    shots.take(page, "a refused drop")

    # A drop onto a free truck: assigned, the job now sits in that truck's row.
    _drag(page, f"pl-unplaced-{job}", f"pl-truck-{w['free_truck']}")
    block = page.get_by_test_id(f"pl-job-{job}-t{w['free_truck']}")
    expect(block).to_be_visible()
    expect(page.get_by_test_id("planner-message")).to_contain_text("truck")

    # A person who is off, dropped on the job: refused with the reason, on the job's row.
    _drag(page, f"pl-person-{w['off_driver']}", f"pl-job-{job}-t{w['free_truck']}")
    expect(page.get_by_test_id("pl-refusal")).to_contain_text("is off: Holiday")
    expect(page.get_by_test_id("pl-refusal")).to_contain_text("Holiday")
    expect(page.get_by_test_id(f"pl-off-person-{w['off_driver']}-{day.isoformat()}")).to_be_visible()
    shots.take(page, "a person off, refused")

    # The keyboard way: Enter on the job opens the Assign dialog; Space ticks a free driver; Save.
    block.focus()
    page.keyboard.press("Enter")
    dialog = page.locator(".q-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id(f"off-{w['off_driver']}")).to_contain_text("Off: Holiday")
    expect(dialog.get_by_test_id(f"free-{w['driver']}")).to_be_visible()
    dialog.get_by_test_id(f"crew-{w['driver']}").locator(".q-checkbox").focus()
    page.keyboard.press("Space")
    dialog.get_by_test_id("assign-save").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id(f"pl-job-{job}-p{w['driver']}")).to_be_visible()
    expect(page.get_by_test_id("planner-message")).to_have_text("Priya Planner (Manual job): crew and truck saved")
    shots.take(page, "assigned from the keyboard")

    # The week: the same job on its day, the address keeps the state across a reload.
    page.get_by_test_id("view-week").click()
    page.wait_for_url("**view=week**")
    expect(page.get_by_test_id(f"pl-job-{job}-t{w['free_truck']}")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("planner-span")).to_contain_text("Week of")
    expect(page.get_by_test_id(f"pl-job-{job}-p{w['driver']}")).to_be_visible()
    shots.take(page, "the week")
    assert holder != job
