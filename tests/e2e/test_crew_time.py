"""Crew time in Chromium: the driver, on a 390×844 phone that shares its position, starts the day
for the whole crew with one tap on the big button; the line appears in words in the branch's time;
the manager then finds the day on `/timesheets` (reached from the header) and approves it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import create_engine, text

from db.session import sync_url
from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import PHONE, ServedApp
from tests.e2e.live_server import signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

#: A few metres from the Toronto branches of the demo data.
POSITION = {"latitude": 43.6535, "longitude": -79.383, "accuracy": 12}


def _drivers_journey(database_url: str) -> tuple[int, int]:
    """A journey of today (in its branch's time zone) on which the demo driver drives, and the
    number of its crew."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            journey_id = conn.execute(text(
                "SELECT c.journey_id FROM crew_assignments c JOIN users u ON u.id = c.user_id "
                "JOIN journeys j ON j.id = c.journey_id JOIN locations l ON l.id = j.location_id "
                "WHERE u.email = 'driver@demo.ccrm' AND c.role = 'DRIVER' AND j.status <> 'CANCELLED' "
                "AND j.journey_date = (now() AT TIME ZONE l.timezone)::date ORDER BY c.journey_id LIMIT 1"),
            ).scalar_one()
            crew = conn.execute(text("SELECT count(*) FROM crew_assignments WHERE journey_id = :j"),
                                {"j": journey_id}).scalar_one()
            return int(journey_id), int(crew)
    finally:
        engine.dispose()


def _clocked(database_url: str, journey_id: int) -> list[tuple[str, float | None]]:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(text(
                "SELECT kind, lat FROM clock_events WHERE journey_id = :j ORDER BY user_id"), {"j": journey_id})]
    finally:
        engine.dispose()


def test_the_driver_starts_the_crews_day_and_the_manager_approves_it(chromium: Browser, shared_app: ServedApp) -> None:
    shots = Screenshots("crew-time")
    app = shared_app
    journey_id, crew = _drivers_journey(app.database_url)
    phone = signed_in_page(chromium, app.base_url, "driver@demo.ccrm")
    phone.set_viewport_size(PHONE)
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation(POSITION)
    phone.goto(f"/mobile/journey/{journey_id}")
    button = phone.get_by_test_id("clock-next")
    expect(button).to_have_text(re.compile("Start the day"))
    box = button.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] <= PHONE["width"]
    shots.take(phone, "phone-before")
    button.click()
    expect(phone.get_by_test_id("clock-lines")).to_contain_text(re.compile(r"\d{2}:\d{2} · Start of day · "),
                                                                 timeout=30_000)
    expect(button).to_have_text(re.compile("Arrived at pickup"))
    shots.take(phone, "phone-after")
    clocked = _clocked(app.database_url, journey_id)
    assert len(clocked) == crew and all(kind == "START_OF_DAY" and lat == 43.6535 for kind, lat in clocked)

    desk = signed_in_page(chromium, app.base_url, "manager@demo.ccrm")
    desk.get_by_role("link", name="Timesheets", exact=True).click()
    desk.wait_for_url("**/timesheets")
    approve = desk.get_by_test_id(re.compile(r"day-\d+-\d{8}-approve")).first
    expect(approve).to_be_visible(timeout=30_000)
    shots.take(desk, "timesheets")
    approve.click()
    expect(desk.get_by_text(re.compile("Approved by")).first).to_be_visible(timeout=30_000)
