"""The dispatcher's core flow in real Chromium against the app served as a subprocess: assign a
driver and a truck through the dialog, then see a second booking of that truck at an overlapping
time refused with the first journey's name — in the dialog and on the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from db.enums import Role
from db.models import Truck, UserLocation
from db.models import User as UserModel
from db.seed import DEMO_PASSWORD
from domain.journeys import JourneyDraft, create_journey
from domain.locations import visible_locations
from domain.timewindow import today_in
from domain.tokens import issue_token
from domain.unit_of_work import read_session
from tests.e2e.live_server import CHROMIUM_ARGS, LiveServer, live_server_factory  # noqa: F401 (fixture)
from tests.principals import principal_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(demo: str, live_server_factory: Callable[..., LiveServer]) -> str:
    """The app as a subprocess over the test database (demo data already loaded)."""
    return live_server_factory(demo).url


async def test_assign_then_an_overlapping_second_booking_is_refused_by_name(served: str) -> None:
    from playwright.async_api import async_playwright, expect

    dispatcher = await principal_for("dispatcher@demo.ccrm")
    location = (await visible_locations(dispatcher))[0]
    tz, day = ZoneInfo(location.timezone), today_in(location.timezone)
    async with read_session() as s:
        truck_id, truck_number = (await s.execute(
            select(Truck.id, Truck.number).where(Truck.location_id == location.id).order_by(Truck.number).limit(1))).one()
        driver_id, driver_name = (await s.execute(
            select(UserModel.id, UserModel.full_name).join(UserLocation, UserLocation.user_id == UserModel.id)
            .where(UserLocation.location_id == location.id, UserModel.role == Role.DRIVER,
                   UserModel.email != "driver@demo.ccrm").order_by(UserModel.id).limit(1))).one()

    def at(hour: int) -> datetime:
        return datetime.combine(day, time(hour), tz)

    first = await create_journey(dispatcher, JourneyDraft(location.id, day, "Olivia First",
                                                          scheduled_start=at(20), scheduled_end=at(22)))
    second = await create_journey(dispatcher, JourneyDraft(location.id, day, "Noah Second",
                                                           scheduled_start=at(21), scheduled_end=at(23)))

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(f"{served}/login")
        await page.get_by_test_id("email").fill("dispatcher@demo.ccrm")
        await page.get_by_test_id("password").fill(DEMO_PASSWORD)
        await page.get_by_test_id("sign-in").click()
        card = page.get_by_test_id(f"journey-card-{first}")
        await expect(card).to_be_visible(timeout=15_000)
        await expect(card).to_contain_text("No truck")

        await page.get_by_test_id(f"assign-{first}").click()
        await page.get_by_test_id(f"truck-{truck_id}").click()
        await page.locator(f"[data-testid=crew-{driver_id}] .q-checkbox").click()
        await page.get_by_test_id("assign-save").click()
        await expect(card.get_by_test_id("truck-chip")).to_contain_text(truck_number, timeout=10_000)
        await expect(card).to_contain_text(f"{driver_name} · Driver")

        await page.get_by_test_id(f"assign-{second}").click()
        truck = page.get_by_test_id(f"truck-{truck_id}")
        await expect(truck).to_contain_text(f"Booked: Olivia First (#{first})")
        await expect(truck).to_have_attribute("aria-disabled", "true")
        await browser.close()

    headers = {"Authorization": f"Bearer {issue_token(dispatcher)[0]}"}
    async with httpx.AsyncClient(base_url=served) as client:
        refused = await client.post(f"/api/journey/{second}/crew", headers=headers, json={"truck_id": truck_id})
    assert refused.status_code == 409
    assert f"truck {truck_number} is already booked on Olivia First (#{first})" in refused.json()["message"]
