"""The inventory on a 390×844 phone, in real Chromium against the served app on PostgreSQL: at
pickup the driver records the inventory — one item scratched, with a photo from the camera, and
one intact —; at delivery the sofa is delivered and the lamp noted missing, and DELIVERY waits
for the checks; the completion phase and the manager's journey page show the exceptions. axe-core
checks every screen photographed (artifacts/e2e/inventory/). Once the wrap-up is done, the
completion report (downloaded from the journey page, its SHA-256 the one issued) lists them."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from pypdf import PdfReader
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.enums import CrewRole, DeliveryCheck, DocumentKind, JourneyStatus, Phase, StepStatus
from db.models import (
    CrewAssignment,
    InventoryItem,
    Journey,
    JourneyStep,
    Location,
    MoveDocument,
    Truck,
    User,
    UserLocation,
)
from db.session import sync_url
from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import ServedApp, phone_page
from tests.e2e.live_server import signed_in_page
from tests.e2e.phone_steps import SAVE_TIMEOUT, camera_jpeg, complete, image_loaded, now, photo, sign, tick

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

CUSTOMER = "Grace Hopper"


@pytest.fixture
def app(shared_app: ServedApp) -> ServedApp:
    """The worker's shared app: the test plants its own journey beside the demo data."""
    return shared_app


def _journey_at_pickup(database_url: str) -> int:
    """A journey of the demo driver, today, its setup and morning prep done: PICKUP under way."""
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session, session.begin():
            driver = session.scalars(select(User).where(User.email == "driver@demo.ccrm")).one()
            location = session.get_one(Location, session.scalars(select(UserLocation.location_id).where(
                UserLocation.user_id == driver.id)).first())
            truck = session.scalars(select(Truck).where(Truck.location_id == location.id)).first()
            today = datetime.now(ZoneInfo(location.timezone)).date()
            start = datetime.now(UTC) - timedelta(hours=1)
            journey = Journey(company_id=location.company_id, location_id=location.id, journey_date=today,
                              scheduled_start=start, scheduled_end=start + timedelta(hours=5),
                              customer_name=CUSTOMER, origin_address="1 Yonge St, Toronto",
                              destination_address="200 Bay St, Toronto", truck_id=truck.id if truck else None,
                              status=JourneyStatus.ONSITE, current_phase=Phase.PICKUP, progress=33)
            done = {Phase.CREATION, Phase.MORNING_PREP}
            journey.steps = [JourneyStep(phase=p, position=n, status=StepStatus.COMPLETED if p in done else
                                         StepStatus.IN_PROGRESS if p is Phase.PICKUP else StepStatus.PENDING,
                                         started_at=start if p in done or p is Phase.PICKUP else None,
                                         completed_at=start if p in done else None)
                             for n, p in enumerate(Phase, 1)]
            journey.crew = [CrewAssignment(user_id=driver.id, journey_date=today, role=CrewRole.DRIVER)]
            session.add(journey)
            session.flush()
            return journey.id
    finally:
        engine.dispose()


def _lines(database_url: str, journey_id: int) -> dict[str, InventoryItem]:
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            items = session.scalars(select(InventoryItem).where(InventoryItem.journey_id == journey_id)).all()
            session.expunge_all()
            return {item.name: item for item in items}
    finally:
        engine.dispose()


def _add_item(page: Page, room: str, name: str, codes: tuple[str, ...] = (), with_photo: bool = False) -> None:
    page.get_by_test_id("inventory-add").click()
    page.get_by_test_id("inventory-room").fill(room)
    page.get_by_test_id("inventory-name").fill(name)
    for code in codes:
        page.get_by_test_id(f"code-{code}").click()
        expect(page.get_by_test_id(f"code-{code}")).to_have_attribute("aria-pressed", "true")
    if with_photo:
        page.locator("[data-testid='upload-inventory-form'] input[type=file]").set_input_files(
            files=[FilePayload(name="IMG_0002.jpg", mimeType="image/jpeg", buffer=camera_jpeg("orange"))])
        expect(page.get_by_test_id("camera-inventory-form")).to_contain_text("Photo ready", timeout=SAVE_TIMEOUT)
    page.get_by_test_id("inventory-save").click()
    expect(page.get_by_test_id("inventory-panel").get_by_text(name, exact=True)).to_be_visible(timeout=SAVE_TIMEOUT)


def test_the_crew_records_and_checks_the_inventory_and_the_office_sees_the_exceptions(
        app: ServedApp, chromium: Browser) -> None:
    shots = Screenshots("inventory")
    journey_id = _journey_at_pickup(app.database_url)
    page = phone_page(chromium, app.base_url, "driver@demo.ccrm")
    page.goto(f"/mobile/journey/{journey_id}")
    expect(page.get_by_test_id("phase-title")).to_have_text("3. Pickup")
    expect(page.get_by_test_id("inventory-panel")).to_contain_text("No items yet")

    # at pickup: a scratched sofa with its photo, and a lamp
    page.get_by_test_id("inventory-add").click()
    expect(page.get_by_test_id("code-SC")).to_have_attribute("aria-pressed", "false")
    shots.take(page, "pickup add an item")
    page.get_by_test_id("inventory-cancel").click()
    _add_item(page, "Living room", "Sofa", ("SC",), with_photo=True)
    _add_item(page, "Bedroom", "Lamp")
    lines = _lines(app.database_url, journey_id)
    sofa, lamp = lines["Sofa"], lines["Lamp"]
    assert sofa.pickup_conditions == ["SC"] and len(sofa.pickup_photo_ids) == 1 and not lamp.pickup_conditions
    expect(page.get_by_test_id(f"inventory-line-{sofa.id}")).to_contain_text("At pickup: scratched")
    image_loaded(page, f"inventory-line-{sofa.id}")
    shots.take(page, "pickup inventory recorded")

    now(page, "arrival_time")
    tick(page, "customer_verified")
    photo(page, "condition_photos", "orange")
    tick(page, "loading_done")
    sign(page, "pickup_signature", CUSTOMER)
    complete(page, "4. Transport")
    now(page, "departure_time")
    complete(page, "5. Delivery")

    # at delivery: DELIVERY waits for the checks; the sofa arrives, the lamp is missing
    now(page, "delivery_arrival")
    tick(page, "unloading_done")
    tick(page, "condition_check")
    sign(page, "delivery_signature", CUSTOMER, strokes=2)
    expect(page.get_by_test_id("missing")).to_contain_text("Inventory check (2 items not checked)")
    page.get_by_test_id(f"inventory-delivered-{sofa.id}").click()
    expect(page.get_by_test_id(f"inventory-check-{sofa.id}")).to_have_text("Delivered", timeout=SAVE_TIMEOUT)
    page.get_by_test_id(f"inventory-missing-{lamp.id}").click()
    expect(page.get_by_test_id(f"inventory-check-{lamp.id}")).to_have_text("Missing", timeout=SAVE_TIMEOUT)
    expect(page.get_by_test_id(f"inventory-missing-{lamp.id}")).to_have_attribute("aria-pressed", "true")
    shots.take(page, "delivery inventory checked")
    complete(page, "6. Wrap-up")
    assert _lines(app.database_url, journey_id)["Lamp"].delivery is DeliveryCheck.MISSING

    # the completion phase and the office see the exceptions
    expect(page.get_by_test_id(f"inventory-exception-{lamp.id}")).to_contain_text("Missing at delivery")
    expect(page.get_by_test_id(f"inventory-exception-{sofa.id}")).to_contain_text("scratched")
    shots.take(page, "wrap-up exceptions")
    desk = signed_in_page(chromium, app.base_url, "manager@demo.ccrm")
    desk.goto(f"/journeys/{journey_id}")
    card = desk.get_by_test_id("inventory-exceptions")
    expect(card).to_contain_text("Inventory: 2 items, 2 exceptions")
    expect(card.get_by_test_id(f"inventory-exception-{sofa.id}")).to_contain_text("Damaged at pickup")
    expect(card.get_by_test_id(f"inventory-exception-{lamp.id}")).to_contain_text("Missing at delivery")
    image_loaded(desk, f"inventory-exception-{sofa.id}")
    shots.take(desk, "journey page exceptions")

    # the wrap-up done, the completion report lists the exceptions
    tick(page, "returned_to_base")
    tick(page, "equipment_returned")
    sign(page, "final_signature", CUSTOMER, strokes=1)
    page.get_by_test_id("complete-phase").click()
    expect(page.get_by_test_id("all-done")).to_contain_text("waiting for the manager", timeout=SAVE_TIMEOUT)
    report = _completion_report(app.database_url, journey_id)
    desk.reload()
    with desk.expect_download() as download:
        desk.get_by_test_id(f"download-{report.id}").click()
    content = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == report.sha256
    text = " ".join(" ".join(sheet.extract_text().split()) for sheet in PdfReader(io.BytesIO(content)).pages)
    assert "Lamp" in text and "Missing" in text and "Sofa" in text and "scratched" in text, text
    assert shots.violations == {}, shots.violations


def _completion_report(database_url: str, journey_id: int) -> MoveDocument:
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            report = session.scalars(select(MoveDocument).where(
                MoveDocument.journey_id == journey_id, MoveDocument.kind == DocumentKind.COMPLETION_REPORT)
                .order_by(MoveDocument.version.desc())).first()
            assert report is not None, "no completion report issued"
            session.expunge(report)
            return report
    finally:
        engine.dispose()
