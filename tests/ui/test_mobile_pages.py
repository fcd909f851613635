"""The phone pages through NiceGUI's simulated user, on PostgreSQL: lists, the phase inputs,
completing a phase, signatures, live updates between crew members, and who may open what."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlalchemy import select

from db.enums import CrewRole, JourneyStatus, MediaKind, Phase, StepStatus
from db.models import CrewAssignment, Journey, Media, StepActivity
from domain.events import bus as events
from domain.journeys.status import update_journey_notes
from domain.workflow import phases as workflow
from domain.workflow.crew_screen import shared_reads as phone_reads
from domain.events.bus import DomainEvent, EventType
from domain.workflow.media import SIGNATURE_DATA_URL_PREFIX
from domain.documents.consent import CONSENT_VERSION, PAPER_COPY_NOTE
from domain.unit_of_work import read_session, unit_of_work
from tests.helpers import eventually, sign_in
from tests.sync.helpers import executed_sql
from tests.journey_factory import (
    CREATION_ITEMS,
    PASSWORD,
    World,
    fill_phase,
    jpeg_bytes,
    make_world,
    password_hash,
    signature_bytes,
    through,
)
from tests.ui_support import prop, step_status

GEOLOCATION = re.compile(r"(?s).*getCurrentPosition")

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def world(db: str) -> World:
    return await make_world(hashed=password_hash())


async def _extra_journey(world: World, days: int, crew: tuple[str, ...], customer: str) -> int:
    async with unit_of_work() as session:
        base = await session.get(Journey, world.journey_id)
        assert base is not None
        journey = Journey(company_id=world.company_id, location_id=world.location_id,
                          journey_date=base.journey_date + timedelta(days=days),
                          scheduled_start=base.scheduled_start + timedelta(days=days, hours=2),
                          customer_name=customer, estimated_value=999)
        journey.crew = [CrewAssignment(user_id=world[n].user_id, journey_date=journey.journey_date,
                                       role=CrewRole.DRIVER) for n in crew]
        session.add(journey)
        await session.flush()
        return journey.id


async def test_my_journeys_today_and_tomorrow(world: World, user: User) -> None:
    tomorrow = await _extra_journey(world, 1, ("driver",), "Grace Hopper")
    await _extra_journey(world, 2, ("driver",), "Too Far Ahead")
    await _extra_journey(world, 0, ("other_driver",), "Someone Else")
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.should_see("My journeys", retries=30)
    await user.should_see("Today")
    await user.should_see("Ada Lovelace")
    await user.should_see("Grace Hopper")
    await user.should_see("08:00–13:00")
    await user.should_see("Driver (driver), Mover (mover)")
    await user.should_not_see("Too Far Ahead")
    await user.should_not_see("Someone Else")
    await user.should_not_see("4200")
    user.find(marker=f"journey-{tomorrow}").click()
    await user.should_see("Tomorrow · 10:00")


async def test_a_phase_is_completed_on_the_phone(world: World, user: User) -> None:
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("2. Morning prep")
    await user.should_see("Still missing: Fuel level, Tire condition")
    user.find(marker="complete-phase").click()
    await user.should_see("cannot be completed yet: still missing Fuel level")
    user.find(marker="number-fuel_level").type("80")
    user.find(marker="save-fuel_level").click()
    await user.should_see("Still missing: Tire condition")
    assert prop(user, "item-fuel_level", "data-done") == "true"
    user.find(marker="choice-tires-worn").click()
    for key in ("lights_ok", "brakes_ok", "equipment_loaded"):
        user.find(marker=f"check-{key}").click()
        await eventually(lambda k=key: prop(user, f"check-{k}", "aria-checked") == "true")
    upload = user.find(marker="upload-vehicle_photo").elements.pop()
    assert isinstance(upload, ui.upload)
    await upload.handle_uploads([SmallFileUpload("truck.jpg", "image/jpeg", jpeg_bytes())])
    await user.should_see("Photo saved", retries=30)
    await user.should_see(marker="thumbs-vehicle_photo", retries=30)
    await user.should_not_see("Still missing")
    user.find(marker="complete-phase").click()
    await user.should_see("3. Pickup", retries=30)
    assert await step_status(world.journey_id, Phase.MORNING_PREP) is StepStatus.COMPLETED
    await user.should_see("33 %")
    user.find(marker="record-phase-MORNING_PREP").click()
    await user.should_see("Worn")


async def accept_consent(user: User, key: str, name: str) -> None:
    """The customer reads the consent to sign electronically, types their name and accepts (the
    phone gives no position unless the test says otherwise)."""
    user.javascript_rules.setdefault(GEOLOCATION, lambda _match: {"error": "User denied Geolocation"})
    await user.should_see(marker=f"consent-{key}", retries=30)
    user.find(marker=f"consent-name-{key}").type(name)
    user.find(marker=f"consent-accept-{key}").click()
    await user.should_see(f"Signing: {name}", retries=30)


async def test_a_customer_accepts_the_consent_then_signs_on_the_phone(world: World, user: User) -> None:
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["mover"].email, PASSWORD)
    user.javascript_rules[GEOLOCATION] = lambda _match: {"lat": 43.6532, "lng": -79.3832, "accuracy": 12}
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("3. Pickup", retries=30)
    await user.should_see("Consent to sign electronically")
    await user.should_see(PAPER_COPY_NOTE)
    await user.should_not_see(marker="pad-pickup_signature")  # no pad before the consent
    user.find(marker="consent-accept-pickup_signature").click()
    await user.should_see("Type your full name to accept")
    await accept_consent(user, "pickup_signature", "Ada Lovelace")
    user.find(marker="sign-pickup_signature").click()
    await user.should_see("Sign on the pad first")
    data_url = SIGNATURE_DATA_URL_PREFIX + base64.b64encode(signature_bytes()).decode()
    user.find(marker="pad-pickup_signature").trigger("signed", {"strokes": 3, "dataUrl": data_url})
    user.find(marker="sign-pickup_signature").click()
    await user.should_see("Signature saved", retries=30)
    await user.should_see("Signed by Ada Lovelace", retries=30)
    async with read_session() as session:
        activity = await session.scalar(select(StepActivity).where(StepActivity.item_key == "pickup_signature"))
        assert activity is not None and activity.data["signer"] == "Ada Lovelace"
        evidence = activity.data["evidence"]
        media = await session.get(Media, activity.media_id)
    assert media is not None and media.kind is MediaKind.SIGNATURE and media.content_type == "image/png"
    assert evidence["consent_version"] == CONSENT_VERSION and evidence["accepted_at"] <= evidence["signed_at"]
    assert evidence["position"] == {"lat": 43.6532, "lng": -79.3832, "accuracy": 12.0} and evidence["ip"]


async def test_sign_again_shows_the_new_saved_signature_not_an_empty_pad(world: World, user: User) -> None:
    """After a send-back the crew taps Sign again: once saved, the pad gives way to the signature."""
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["mover"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("3. Pickup", retries=30)
    data_url = SIGNATURE_DATA_URL_PREFIX + base64.b64encode(signature_bytes()).decode()
    for signer in ("Ada Lovelace", "Grace Hopper"):
        if signer == "Grace Hopper":
            user.find(marker="again-pickup_signature").click()
        await accept_consent(user, "pickup_signature", signer)  # each signature is consented to
        await user.should_see(marker="pad-pickup_signature", retries=30)
        user.find(marker="pad-pickup_signature").trigger("signed", {"strokes": 3, "dataUrl": data_url})
        user.find(marker="sign-pickup_signature").click()
        # saving re-issues the bill of lading (a PDF): on a loaded machine that takes seconds
        await user.should_see(f"Signed by {signer}", retries=150)
        await user.should_not_see(marker="pad-pickup_signature", retries=150)
        await user.should_see(marker="again-pickup_signature", retries=150)


async def test_a_blank_signature_is_refused_on_the_phone(world: World, user: User) -> None:
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await accept_consent(user, "pickup_signature", "Ada Lovelace")
    blank = SIGNATURE_DATA_URL_PREFIX + (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    user.find(marker="pad-pickup_signature").trigger("signed", {"strokes": 1, "dataUrl": blank})
    user.find(marker="sign-pickup_signature").click()
    await user.should_see("the signature is blank", retries=30)


async def test_driver_and_mover_see_each_others_records_live(world: World, user: User) -> None:
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("2. Morning prep")
    assert prop(user, "check-lights_ok", "aria-checked") == "false"
    (brakes,) = user.find(marker="check-brakes_ok").elements
    await workflow.record_item(world["mover"], world.journey_id, Phase.MORNING_PREP, "lights_ok", True)
    await user.should_see("Still missing: Fuel level, Tire condition, Brakes checked")
    await eventually(lambda: prop(user, "check-lights_ok", "aria-checked") == "true")
    # only the changed item was redrawn: a tap on another item at that moment still lands
    assert user.find(marker="check-brakes_ok").elements == {brakes} and not brakes.is_deleted
    await fill_phase(world, Phase.MORNING_PREP, "mover")
    await workflow.complete_phase(world["mover"], world.journey_id, Phase.MORNING_PREP)
    await user.should_see("3. Pickup", retries=30)


async def test_a_burst_of_changes_redraws_the_phone_once(world: World, user: User) -> None:
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Ada Lovelace")
    async with unit_of_work() as session:  # a change whose events arrive as a burst (a sync, a busy crew)
        journey = await session.get_one(Journey, world.journey_id)
        journey.customer_name = "Grace Hopper"

    with executed_sql(lambda sql: "TRUCKS.SIZE" in sql and "LOCATIONS.TIMEZONE" in sql) as card_reads:
        for n in range(20):
            await events.bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, world.company_id, world.location_id,
                                                 world.journey_id, data={"n": n}))
        await user.should_see("Grace Hopper", retries=30)
        await asyncio.sleep(0.5)  # a second redraw, if any, would have run by now

    assert len(card_reads) == 1  # one re-read for twenty events (the page once re-read for each)


async def test_the_phones_of_one_driver_on_a_journey_read_it_once_per_change(
        world: World, create_user: Callable[[], User]) -> None:
    phones = [create_user() for _ in range(3)]
    for phone in phones:
        await sign_in(phone, world["driver"].email, PASSWORD)
        await phone.open(f"/mobile/journey/{world.journey_id}")
        await phone.should_see("Ada Lovelace")
    async with unit_of_work() as session:
        journey = await session.get_one(Journey, world.journey_id)
        journey.customer_name = "Grace Hopper"
    made = phone_reads.made
    await events.bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, world.company_id, world.location_id,
                                         world.journey_id))
    for phone in phones:
        await phone.should_see("Grace Hopper", retries=30)
    assert phone_reads.made - made == 1  # one read for the three pages, however their refreshes fell


async def test_new_notes_redraw_only_the_job_sheet(world: World, user: User) -> None:
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Ada Lovelace")
    current, sheet = user.find(marker="current-phase").elements.pop(), user.find(marker="job-sheet").elements.pop()
    await update_journey_notes(world["dispatcher"], world.journey_id, "Gate code 4411")
    await user.should_see("Gate code 4411", retries=30)
    assert user.find(marker="current-phase").elements == {current} and not current.is_deleted
    assert user.find(marker="job-sheet").elements == {sheet}  # its lines redrawn, in the same card


async def test_a_rejection_shows_at_once_on_the_crew_page(world: World, user: User) -> None:
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("3. Pickup", retries=30)
    await workflow.reject_phase(world["manager"], world.journey_id, Phase.MORNING_PREP, "Vehicle photo is blurry")
    await user.should_see("Morning prep was sent back: Vehicle photo is blurry", retries=30)
    await user.should_see("Sent back: Vehicle photo is blurry")
    await user.should_see("2. Morning prep")


async def test_a_new_assignment_shows_at_once(world: World, user: User) -> None:
    await sign_in(user, world["other_driver"].email, PASSWORD)
    await user.should_see("No journeys.", retries=30)
    async with unit_of_work() as session:  # what the assignment domain (another issue) does
        session.add(CrewAssignment(journey_id=world.journey_id, user_id=world["other_driver"].user_id,
                                   journey_date=(await session.get(Journey, world.journey_id)).journey_date,
                                   role=CrewRole.MOVER))
        events.queue(session, DomainEvent(EventType.CREW_ASSIGNED, world.company_id, world.location_id,
                                          world.journey_id, (world["other_driver"].user_id,)))
    await user.should_see("You have been assigned to a journey", retries=30)
    await user.should_see("Ada Lovelace")


async def test_crew_cannot_open_a_journey_they_are_not_on(world: World, user: User) -> None:
    await sign_in(user, world["other_driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Journey not found — it is not one of your journeys.")
    await user.should_not_see("Ada Lovelace")
    await user.open("/mobile/journey/99999999999")
    await user.should_see("Journey not found")


async def test_desk_roles_are_refused_the_phone_pages(world: World, user: User) -> None:
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("You don't have access to this page.")


async def test_crew_waits_for_dispatch_and_sees_a_cancelled_journey(world: World, user: User) -> None:
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    # Truck and crew are set: what is missing is the hand-over, and the phone says so.
    await user.should_see("Waiting for the dispatcher to hand the journey over to you")
    await user.should_not_see("truck and crew")
    await user.should_not_see("Complete job setup")
    async with unit_of_work() as session:
        journey = await session.get(Journey, world.journey_id)
        assert journey is not None
        journey.status = JourneyStatus.CANCELLED
        events.queue(session, DomainEvent(EventType.JOURNEY_CANCELLED, world.company_id, world.location_id,
                                          world.journey_id, (world["driver"].user_id,)))
    await user.should_see("This journey was cancelled.")


async def test_crew_without_a_truck_waits_for_the_truck(db: str, user: User) -> None:
    world = await make_world(hashed=password_hash(), truck=False)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Waiting for the dispatcher to assign a truck.")
    await user.should_not_see("hand the journey over")


async def test_status_reads_returning_to_base_during_the_wrap_up(world: World, user: User) -> None:
    await through(world, Phase.DELIVERY)
    async with read_session() as session:
        journey = await session.get(Journey, world.journey_id)
        assert journey is not None and journey.status is JourneyStatus.ONSITE
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Returning to base")
    await user.should_see("6. Wrap-up")
    await user.should_not_see("On site")


async def test_time_readings_record_the_server_time(world: World, user: User) -> None:
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    user.find(marker="now-arrival_time").click()
    await user.should_see(marker="value-arrival_time", retries=30)
    view = await workflow.journey_workflow(world["driver"], world.journey_id)
    assert view.current.items[0].done


async def test_the_phone_upload_route_cuts_oversized_bodies(world: World, user: User) -> None:
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    upload = user.find(marker="upload-condition_photos").elements.pop()
    big = b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024)
    response = await user.http_client.post(upload.props["url"], files={"file": ("big.jpg", big, "image/jpeg")})
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    async with read_session() as session:  # only the vehicle photo of MORNING_PREP
        assert len((await session.scalars(select(Media))).all()) == 1
