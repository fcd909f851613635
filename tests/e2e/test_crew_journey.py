"""A whole journey in real Chromium against the app as a subprocess: the driver works it on a
phone-sized screen from morning prep to completion (photos, customer signatures) while the mover
follows on their own phone, the manager approves the completion, and the journey ends at 100 %,
audited."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import live_app, phone_page
from tests.e2e.live_server import signed_in_page
from tests.e2e.phone_steps import choose, complete, image_loaded, now, number, photo, sign, tick

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]


def test_driver_works_a_journey_to_completion_and_the_manager_approves(chromium: Browser) -> None:
    with live_app() as base_url:
        page = phone_page(chromium, base_url, "driver@demo.ccrm")
        expect(page.get_by_test_id("page-title")).to_have_text("My journeys")
        card = page.locator("[data-testid^='journey-']").first
        journey_id = int((card.get_attribute("data-testid") or "").removeprefix("journey-"))
        card.click()
        page.wait_for_url(f"**/mobile/journey/{journey_id}")
        expect(page.get_by_test_id("call-customer")).to_have_attribute("href", re.compile(r"^tel:\+1\d{10}$"))
        expect(page.get_by_test_id("maps-origin")).to_have_attribute(
            "href", re.compile(r"^https://maps\.google\.com/\?q=\d+%20"))
        expect(page.get_by_test_id("phase-title")).to_have_text("2. Morning prep")
        mover = phone_page(chromium, base_url, "mover@demo.ccrm")  # on the same journey, on another phone
        mover.goto(f"/mobile/journey/{journey_id}")
        expect(mover.get_by_test_id("check-lights_ok")).to_have_attribute("aria-checked", "false")

        number(page, "fuel_level", "85")
        choose(page, "tires", "good")
        for key in ("lights_ok", "brakes_ok", "equipment_loaded"):
            tick(page, key)
        photo(page, "vehicle_photo")
        image_loaded(page, "thumbs-vehicle_photo")
        expect(mover.get_by_test_id("check-lights_ok")).to_have_attribute("aria-checked", "true")
        complete(page, "3. Pickup")
        expect(mover.get_by_test_id("phase-title")).to_have_text("3. Pickup")

        now(page, "arrival_time")
        tick(page, "customer_verified")
        photo(page, "condition_photos", "orange")
        tick(page, "loading_done")
        sign(page, "pickup_signature", "Arjun Patel")
        image_loaded(page, "thumbs-pickup_signature")
        complete(page, "4. Transport")

        now(page, "departure_time")
        complete(page, "5. Delivery")

        now(page, "delivery_arrival")
        tick(page, "unloading_done")
        tick(page, "condition_check")
        sign(page, "delivery_signature", "Arjun Patel")
        complete(page, "6. Completion")

        tick(page, "returned_to_base")
        tick(page, "equipment_returned")
        sign(page, "final_signature", "Arjun Patel")
        page.get_by_test_id("complete-phase").click()
        expect(page.get_by_test_id("all-done")).to_contain_text("waiting for the manager")
        expect(page.get_by_test_id("progress").first).to_have_text("100 %")

        desk = signed_in_page(chromium, base_url, "manager@demo.ccrm")
        desk.goto("/approvals")
        approve = desk.get_by_test_id(f"approve-{journey_id}-COMPLETION")
        approve.click()
        expect(approve).to_have_count(0)

        # the driver's page follows live, and the API agrees
        expect(page.get_by_test_id("all-done")).to_have_text("Approved by the manager.")
        expect(mover.get_by_test_id("all-done")).to_have_text("Approved by the manager.")
        sheet = page.request.get(f"/api/mobile/journey/{journey_id}").json()["data"]
        assert sheet["workflow"]["progress"] == 100
        assert sheet["workflow"]["journey_status"] == "AUDITED"
        assert [p["status"] for p in sheet["workflow"]["phases"]][-1] == "APPROVED"
        assert "estimated_value" not in str(sheet)
        photos = [r["media_id"] for p in sheet["workflow"]["phases"] for i in p["items"] for r in i["records"]
                  if r["media_id"]]
        assert len(photos) == 5  # 2 photos, 3 signatures
        assert httpx.get(f"{base_url}/api/media/{photos[0]}").status_code == 401  # no session, no file
