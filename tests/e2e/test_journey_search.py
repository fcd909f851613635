"""The auditor's search, in Chromium: last month's move of a customer is found from part of the
phone number on `/journeys` (reached from the header) and opens on its journey page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from db.session import sync_url
from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import ServedApp
from tests.e2e.live_server import signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

CUSTOMER = "Marguerite Lastmonth"


def _plant_last_months_move(database_url: str) -> int:
    """A completed manual move, a month ago, in the company's last branch; its id."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.begin() as conn:
            company, location = conn.execute(text(
                "SELECT company_id, id FROM locations ORDER BY id DESC LIMIT 1")).one()
            day = (datetime.now(UTC) - timedelta(days=31)).date()
            return int(conn.execute(text(
                "INSERT INTO journeys (company_id, location_id, journey_date, status, current_phase, progress, "
                "data_source, sync_status, customer_name, customer_phone, customer_email, origin_address, confirmed, "
                "created_at, updated_at) VALUES (:company, :location, :day, 'COMPLETED', 'COMPLETION', 100, "
                "'MANUAL', 'NOT_SYNCED', :name, '+1 (647) 555-0199', 'm.lastmonth@example.test', '9 Past Lane', "
                "true, now(), now()) RETURNING id"),
                {"company": company, "location": location, "day": day, "name": CUSTOMER}).scalar_one())
    finally:
        engine.dispose()


def _until(page: Page, read: Callable[[], list[str]], ok: Callable[[list[str]], bool]) -> list[str]:
    """What `read` gives once `ok` holds (the table reloads from the server), waiting up to 30 s
    (a loaded machine answers the click late)."""
    for _ in range(300):
        found = read()
        if ok(found):
            return found
        page.wait_for_timeout(100)
    raise AssertionError(f"never as expected: {read()}")


def test_an_auditor_finds_last_months_move_by_part_of_the_phone_and_opens_it(
        chromium: Browser, shared_app: ServedApp) -> None:
    shots = Screenshots("journey-search")
    app = shared_app
    journey_id = _plant_last_months_move(app.database_url)
    page = signed_in_page(chromium, app.base_url, "auditor@demo.ccrm")
    page.get_by_role("link", name="Journeys", exact=True).click()
    page.wait_for_url("**/journeys")
    expect(page.get_by_test_id("journeys-table")).to_be_visible()
    branches = page.get_by_test_id("journeys-table").locator("tbody tr td:nth-child(4)")
    page.get_by_test_id("journeys-sort-branch").click()  # the header: A to Z, server-side
    names = _until(page, branches.all_inner_texts, lambda n: len(n) == 25 and n == sorted(n))
    page.get_by_test_id("journeys-sort-branch").click()  # again: Z to A
    _until(page, branches.all_inner_texts, lambda n: n == sorted(n, reverse=True) and n[0] > names[0])
    shots.take(page, "journeys by branch, Z to A")
    search = page.get_by_label("Search customer, job, address, phone or e-mail")
    search.fill("5550199")
    search.press("Enter")
    link = page.get_by_test_id(f"journey-link-{journey_id}")
    expect(link).to_be_visible()
    expect(page.get_by_test_id("journeys-table").get_by_text(CUSTOMER)).to_be_visible()
    expect(page.get_by_test_id("journeys-table-summary")).to_have_text("1–1 of 1")
    shots.take(page, "journeys found by phone")
    link.click()
    page.wait_for_url(f"**/journeys/{journey_id}")
    expect(page.get_by_test_id("page-title")).to_have_text(CUSTOMER)
    shots.take(page, "the journey")
