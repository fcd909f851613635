"""The crew phone without signal, in real Chromium (offline emulation): work goes on in the
outbox's offline view, survives a reload, and once the connection is back every action reaches
the database exactly once, in the order made; a refused one stays on the phone with its reason;
a flapping network loses and duplicates nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.enums import Phase, StepStatus
from db.models import ClientAction, CrewAssignment, Journey, JourneyStep, StepActivity, User
from db.session import sync_url
from domain.access.rbac import principal_of
from domain.access.tokens import issue_token
from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import ServedApp, phone_page, served_app, start_again
from tests.e2e.phone_steps import SAVE_TIMEOUT, camera_jpeg, draw_on

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

#: Sending waits for the network to come back and for the server to re-encode photos.
SEND_TIMEOUT = 60_000
MORNING_PREP = ["fuel_level", "tires", "lights_ok", "brakes_ok", "equipment_loaded", "vehicle_photo"]
PICKUP = ["arrival_time", "customer_verified", "walkthrough_notes", "condition_photos", "loading_done",
          "pickup_signature"]


@dataclass
class Served:
    app: ServedApp
    journeys: list[int]  # the driver's journeys today, at MORNING_PREP

    def token(self, email: str) -> str:
        with self.session() as session:
            user = session.scalars(select(User).where(User.email == email)).one()
            return issue_token(principal_of(user))[0]

    def session(self) -> Session:
        return Session(create_engine(sync_url(self.app.database_url)))

    def api(self, method: str, path: str, email: str, **kwargs: object) -> httpx.Response:
        return httpx.request(method, f"{self.app.base_url}{path}", timeout=30,
                             headers={"Authorization": f"Bearer {self.token(email)}"}, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with served_app() as app:
        engine = create_engine(sync_url(app.database_url))
        with Session(engine) as session:
            driver = session.scalars(select(User).where(User.email == "driver@demo.ccrm")).one()
            journeys = list(session.scalars(
                select(Journey.id).join(CrewAssignment, CrewAssignment.journey_id == Journey.id)
                .where(CrewAssignment.user_id == driver.id, Journey.current_phase == Phase.MORNING_PREP)
                .order_by(Journey.id)))
        engine.dispose()
        assert len(journeys) >= 3, journeys
        yield Served(app, journeys)


def open_journey(page: Page, journey_id: int) -> None:
    """Open the journey on the phone, with the outbox running and its service worker installed."""
    page.goto(f"/mobile/journey/{journey_id}")
    page.wait_for_function("window.did_handshake === true && !!window.ccrmCrew")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # the offline page is kept


def waiting(page: Page, count: int) -> None:
    expect(page.get_by_test_id("outbox-count")).to_have_attribute("data-count", str(count), timeout=SAVE_TIMEOUT)


def item_done(page: Page, key: str) -> None:
    expect(page.get_by_test_id(f"ob-item-{key}")).to_have_attribute("data-done", "true", timeout=SAVE_TIMEOUT)


def tick(page: Page, key: str) -> None:
    page.get_by_test_id(f"ob-check-{key}").click()
    expect(page.get_by_test_id(f"ob-check-{key}")).to_have_attribute("aria-checked", "true")


def photo(page: Page, key: str, colour: str) -> None:
    page.get_by_test_id(f"ob-photo-{key}").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(colour)}])
    item_done(page, key)


def sign(page: Page, key: str, signer: str) -> None:
    """The customer accepts the consent to sign electronically (offline too), then signs."""
    expect(page.get_by_test_id(f"ob-pad-{key}")).to_be_hidden()
    page.get_by_test_id(f"ob-consent-name-{key}").fill(signer)
    page.get_by_test_id(f"ob-consent-accept-{key}").click()
    expect(page.get_by_test_id(f"ob-signer-{key}")).to_have_text(f"Signing: {signer}")
    draw_on(page, f"ob-pad-{key}")
    page.get_by_test_id(f"ob-sign-{key}").click()
    item_done(page, key)


def complete(page: Page, next_title: str) -> None:
    expect(page.get_by_test_id("ob-missing")).to_be_hidden()
    page.get_by_test_id("ob-complete").click()
    expect(page.get_by_test_id("ob-phase-title")).to_have_text(next_title)


def records(served: Served, journey_id: int) -> list[tuple[str, str | None]]:
    """(phase, item key) of every record of the journey, in the order stored."""
    with served.session() as session:
        rows = session.execute(select(JourneyStep.phase, StepActivity.item_key, StepActivity.client_key)
                               .join(StepActivity, StepActivity.step_id == JourneyStep.id)
                               .where(JourneyStep.journey_id == journey_id).order_by(StepActivity.id)).all()
    keys = [row.client_key for row in rows if row.client_key]
    assert len(keys) == len(set(keys)), "a client key was stored twice"
    return [(row.phase.value, row.item_key) for row in rows]


def test_a_driver_works_two_phases_offline_reloads_and_everything_arrives_once(
        served: Served, chromium: Browser) -> None:
    shots = Screenshots("offline-outbox")
    journey_id = served.journeys[0]
    page = phone_page(chromium, served.app.base_url, "driver@demo.ccrm")
    open_journey(page, journey_id)
    before = records(served, journey_id)

    page.context.set_offline(True)
    expect(page.get_by_test_id("offline-view")).to_be_visible()
    expect(page.get_by_test_id("ob-note")).to_contain_text("No signal")
    expect(page.get_by_test_id("ob-phase-title")).to_have_text("2. Morning prep")
    if page.get_by_test_id("ob-start").is_visible():
        page.get_by_test_id("ob-start").click()
    page.get_by_test_id("ob-number-fuel_level").fill("85")
    page.get_by_test_id("ob-save-fuel_level").click()
    item_done(page, "fuel_level")
    page.get_by_test_id("ob-choice-tires-good").click()
    for key in ("lights_ok", "brakes_ok", "equipment_loaded"):
        tick(page, key)
    photo(page, "vehicle_photo", "teal")
    shots.take(page, "morning prep without signal")
    complete(page, "3. Pickup")

    page.get_by_test_id("ob-now-arrival_time").click()
    item_done(page, "arrival_time")
    tick(page, "customer_verified")
    page.get_by_test_id("ob-text-walkthrough_notes").fill("Piano in the basement; stairs narrow")
    page.get_by_test_id("ob-save-walkthrough_notes").click()
    photo(page, "condition_photos", "orange")
    tick(page, "loading_done")
    consent = shots.take(page, "consent to sign without signal")  # axe reads the offline consent screen
    assert consent.stem not in shots.violations, shots.violations[consent.stem]
    sign(page, "pickup_signature", "Ada Customer")
    complete(page, "4. Transport")
    made = page.evaluate("window.ccrmCrew.waiting()")
    assert made >= 14  # 6 + 6 records and 2 completions (and the start, if the phase had not begun)
    waiting(page, made)
    shots.take(page, "pickup done without signal")
    assert records(served, journey_id) == before  # nothing reached the server

    # the phone reloads the page with no signal at all (the server cannot be reached either)
    served.app.server.stop()
    page.reload()
    expect(page.get_by_test_id("ob-phase-title")).to_have_text("4. Transport", timeout=SAVE_TIMEOUT)
    waiting(page, made)
    shots.take(page, "reloaded without signal")

    start_again(served.app)
    page.context.set_offline(False)
    expect(page.get_by_test_id("phase-title")).to_have_text("4. Transport", timeout=SEND_TIMEOUT)  # the live page
    expect(page.get_by_test_id("outbox-count")).to_have_count(0)
    shots.take(page, "everything sent")

    stored = records(served, journey_id)[len(before):]
    assert stored == [("MORNING_PREP", key) for key in MORNING_PREP] + [("PICKUP", key) for key in PICKUP]
    with served.session() as session:
        steps = {s.phase: s for s in session.scalars(select(JourneyStep).where(JourneyStep.journey_id == journey_id))}
        keys = session.scalars(select(ClientAction.client_key).where(ClientAction.journey_id == journey_id)).all()
    assert steps[Phase.MORNING_PREP].status is StepStatus.COMPLETED
    assert steps[Phase.PICKUP].status is StepStatus.COMPLETED
    assert steps[Phase.TRANSPORT].status is StepStatus.IN_PROGRESS
    assert len(keys) == len(set(keys)) == made


def test_an_action_refused_meanwhile_stays_on_the_phone_with_its_reason(served: Served, chromium: Browser) -> None:
    journey_id = served.journeys[1]
    prep = f"/api/mobile/journey/{journey_id}/phases/MORNING_PREP"
    photo_id = served.api("POST", f"/api/mobile/journey/{journey_id}/media", "driver@demo.ccrm",
                          files={"file": ("p.jpg", camera_jpeg("navy"), "image/jpeg")}).json()["data"]["id"]
    done = served.api("POST", f"{prep}/complete", "driver@demo.ccrm", json={"items": {
        "fuel_level": 70, "tires": "good", "lights_ok": True, "brakes_ok": True, "equipment_loaded": True,
        "vehicle_photo": {"media_id": photo_id}}})
    assert done.status_code == 200, done.text
    page = phone_page(chromium, served.app.base_url, "driver@demo.ccrm")
    open_journey(page, journey_id)
    expect(page.get_by_test_id("phase-title")).to_have_text("3. Pickup")

    page.context.set_offline(True)
    tick(page, "customer_verified")
    waiting(page, 1)
    rejected = served.api("POST", f"/api/journey/{journey_id}/phases/MORNING_PREP/reject", "dispatcher@demo.ccrm",
                          json={"reason": "The vehicle photo is blurry"})
    assert rejected.status_code == 200, rejected.text
    page.context.set_offline(False)

    refused = page.get_by_test_id("outbox-refused")
    expect(refused).to_contain_text("Not recorded: Customer identity verified", timeout=SEND_TIMEOUT)
    expect(refused).to_contain_text("Pickup has not started: finish Morning prep first")
    expect(page.get_by_test_id("rejection")).to_contain_text("The vehicle photo is blurry", timeout=SEND_TIMEOUT)
    Screenshots("offline-outbox").take(page, "refused action")
    assert ("PICKUP", "customer_verified") not in records(served, journey_id)
    page.reload()  # still there after a reload, until dismissed
    expect(page.get_by_test_id("outbox-refused")).to_contain_text("finish Morning prep first")
    page.get_by_test_id("outbox-refused").get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("outbox-refused")).to_have_count(0)


def test_a_flapping_network_loses_and_duplicates_nothing(served: Served, chromium: Browser) -> None:
    journey_id = served.journeys[2]
    page = phone_page(chromium, served.app.base_url, "driver@demo.ccrm")
    open_journey(page, journey_id)
    before = len(records(served, journey_id))
    offline = False
    for n in range(30):
        if n % 5 == 0:  # the network changes every five actions, about every 2 s
            offline = not offline
            page.context.set_offline(offline)
        page.evaluate("""n => window.ccrmCrew.enqueue({kind: "item.record", phase: "MORNING_PREP",
            item_key: "lights_ok", value: n % 2 === 0, label: "Lights working"})""", n)
        page.wait_for_timeout(400)
    page.context.set_offline(False)
    page.wait_for_function("window.ccrmCrew.counts().waiting === 0 && !window.ccrmCrew.counts().sending",
                           timeout=SEND_TIMEOUT, polling=500)
    assert page.evaluate("window.ccrmCrew.counts().refused") == 0
    stored = records(served, journey_id)[before:]
    assert stored == [("MORNING_PREP", "lights_ok")] * 30
    with served.session() as session:
        values = [a.data["value"] for a in session.scalars(
            select(StepActivity).join(JourneyStep, JourneyStep.id == StepActivity.step_id)
            .where(JourneyStep.journey_id == journey_id, StepActivity.item_key == "lights_ok")
            .order_by(StepActivity.id))][-30:]
    assert values == [n % 2 == 0 for n in range(30)]  # in the order made
