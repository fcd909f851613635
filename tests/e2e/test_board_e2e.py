"""The dispatcher's core flow in real Chromium against the app served as a subprocess: assign a
driver and a truck through the dialog, then see a second booking of that truck at an overlapping
time refused with the first journey's name — in the dialog and on the API."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime
from datetime import time as clock
from pathlib import Path
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
from tests.principals import principal_for

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def served(demo: str) -> AsyncIterator[str]:
    """The app on a free port over the test database (demo data already loaded)."""
    port = _free_port()
    # Without pytest's markers in its environment (NiceGUI would think it runs inside pytest).
    inherited = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST" and not k.startswith("NICEGUI_")}
    env = {**inherited, "DATABASE_URL": demo, "PORT": str(port), "HOST": "127.0.0.1", "SEED_DEMO_DATA": "false",
           "SCHEDULER_ENABLED": "false", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    if (await client.get(f"{base}/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "the app did not start"
                await asyncio.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


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
        return datetime.combine(day, clock(hour), tz)

    first = await create_journey(dispatcher, JourneyDraft(location.id, day, "Olivia First",
                                                          scheduled_start=at(20), scheduled_end=at(22)))
    second = await create_journey(dispatcher, JourneyDraft(location.id, day, "Noah Second",
                                                           scheduled_start=at(21), scheduled_end=at(23)))

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(f"{served}/login")
        await page.locator("input[data-testid=email], [data-testid=email] input").fill("dispatcher@demo.ccrm")
        await page.locator("input[data-testid=password], [data-testid=password] input").fill(DEMO_PASSWORD)
        await page.get_by_test_id("sign-in").click()
        card = page.get_by_test_id(f"job-card-{first}")
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
