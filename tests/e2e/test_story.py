"""The product's story end to end, in real Chromium against the app served as a subprocess on
PostgreSQL, with its in-process SmartMoving simulator:

1. the super admin opens the company and runs **Sync now**: the run finishes, its jobs counted;
2. the dispatcher sees the synced jobs on the board, assigns a driver, a mover and a truck to one
   of them, is refused when a second tab saves the same truck on an overlapping journey, and
   hands the journey over to its crew;
3. the driver works phases 2–6 on a 390×844 phone (photos, drawn signatures) while the mover
   follows on theirs;
4. the manager approves the completion: the journey is AUDITED at 100 %;
5. the auditor finds every write of the story on the audit page and in the CSV export;
6. every role is sent home from a page it may not open.

The steps share one served app and one `Story` (module scope) and run in file order; after a failed
step the later ones are skipped (`incremental`, see conftest.py), and every open page is
photographed. Every page visited is photographed into artifacts/e2e/ (tests/e2e/artifacts.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from db.enums import (CrewRole, DataSource, DocumentKind, JourneyStatus, MediaKind, Phase, Role, StepStatus,
                      SyncRunStatus)
from db.models import (AuditEntry, CrewAssignment, Journey, JourneyStep, Media, MoveDocument, StepActivity, SyncRun,
                       User)
from db.seed import DEMO_ACCOUNTS, DEMO_COMPANY
from db.session import sync_url
from domain.access.rbac import landing_path
from domain.audit.words import action_words, entity_words
from domain.paging import DEFAULT_PAGE_SIZE
from tests.e2e.artifacts import Screenshots
from tests.e2e.conftest import FAILED_STEP, ServedApp, phone_page, served_app
from tests.e2e.live_server import free_port, signed_in_page
from tests.e2e.phone_steps import (
    SAVE_TIMEOUT,
    choose,
    complete,
    deliver_every_item,
    image_loaded,
    now,
    number,
    photo,
    sign,
    tick,
)
from tests.ui.test_access_matrix import ALLOWED, PAGES, REFUSAL

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only, pytest.mark.incremental]

EMAILS = {role: email for role, email in DEMO_ACCOUNTS}
#: How long the story waits for the first sync of the company's 14-day window from the simulator
#: (a bound on waiting, not a speed claim: seconds on a quiet machine, a minute or more on a loaded one).
SYNC_TIMEOUT = 240_000
#: The client's pace towards the simulator, unbounded: at the demo's 3,000 calls a minute the sync
#: (~4,200 calls for ~2,300 jobs) could not finish before the minute was up, whatever the machine.
#: The pacing itself is tested on a fake clock (tests/sync/test_sync_throughput.py).
UNPACED = {"SIMULATOR_RATE_PER_MINUTE": "1000000"}
#: The writes of the story, by audit action, and how many of each.
#: Documents: the bill of lading when pickup starts and once signed, the completion report at the end.
STORY_WRITES = {"sync": 1, "journey.assign": 1, "phase.completed": 6, "media.stored": 5, "phase.approved": 1,
                "document.issued": 3}


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Cast:
    """Who and what the story is about, chosen among what the sync brought (see `_cast`)."""

    journey_id: int
    location_id: int
    day: date
    customer: str
    #: What the board and the conflict messages call the journey ("SM 399400053-1").
    label: str
    #: A journey overlapping the story's one, whose Save of the same truck must be refused.
    rival_id: int
    rival_truck_id: int | None
    truck_id: int
    truck_number: str
    driver: Person
    mover: Person


@dataclass
class Story:
    app: ServedApp
    browser: Browser
    db: Engine
    shots: Screenshots
    pages: dict[str, Page] = field(default_factory=dict)
    run_id: int = 0
    cast: Cast | None = None

    @property
    def base_url(self) -> str:
        return self.app.base_url

    def page(self, who: str, email: str | None = None, *, phone: bool = False) -> Page:
        """The page of `who` (a role, lower case), signed in once (with the role's demo account by default)."""
        if who not in self.pages:
            email = email or EMAILS[Role(who.upper())]
            self.pages[who] = (phone_page if phone else signed_in_page)(self.browser, self.base_url, email)
        return self.pages[who]

    def shot(self, page: Page, step: str) -> None:
        self.shots.take(page, step)

    @property
    def chosen(self) -> Cast:
        assert self.cast is not None, "the dispatcher's step chooses the journey of the story"
        return self.cast


@pytest.fixture(scope="module")
def story(chromium: Browser) -> Iterator[Story]:
    with served_app(SIMULATOR_ENABLED="true", SIMULATOR_PORT=str(free_port()), **UNPACED) as app:
        db = create_engine(sync_url(app.database_url))
        story = Story(app, chromium, db, Screenshots())
        try:
            yield story
        finally:
            for context in {id(page.context): page.context for page in story.pages.values()}.values():
                context.close()
            db.dispose()


@pytest.fixture(autouse=True)
def _photograph_a_failed_step(story: Story, request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if request.node.parent.stash.get(FAILED_STEP, None) == request.node.name:
        for who, page in story.pages.items():
            story.shot(page, f"FAILED {request.node.name} {who}")


def test_super_admin_syncs_the_company_from_smartmoving(story: Story) -> None:
    page = story.page("super_admin")
    expect(page.get_by_test_id("page-title")).to_have_text("Companies")
    story.shot(page, "super admin companies")
    page.get_by_role("link", name=f"Open {DEMO_COMPANY}", exact=True).click()
    page.wait_for_url("**/super-admin/companies/*")
    expect(page.get_by_test_id("integration-status")).to_have_text("Never synced")
    story.shot(page, "company before sync")

    page.get_by_test_id("sync-now").click()
    state = page.get_by_test_id("sync-state")
    expect(state).to_have_text(re.compile(r"^Run #\d+ succeeded$"), timeout=SYNC_TIMEOUT)
    story.run_id = int(re.findall(r"\d+", state.inner_text())[0])
    with Session(story.db) as s:
        run = s.get_one(SyncRun, story.run_id)
        synced = s.scalars(select(Journey.id).where(
            Journey.data_source == DataSource.SMARTMOVING, Journey.external_id.not_like("demo-%"))).all()
    assert run.status is SyncRunStatus.SUCCEEDED and run.failed == 0, run.details
    assert run.created == len(synced) > 0, "every job the run counted as created is a journey with a SmartMoving id"
    expect(page.get_by_test_id("sync-processed")).to_have_text(f"Processed {run.processed} / {run.processed}")
    expect(page.get_by_test_id("sync-created")).to_have_text(f"Created {run.created}")
    expect(page.get_by_test_id("integration-status")).to_have_text("OK")
    page.get_by_role("tab", name="Sync history").click()
    latest = page.get_by_test_id("sync-history").locator("tbody tr").first
    expect(latest.locator("td").first).to_have_text(str(story.run_id))
    expect(latest).to_contain_text("succeeded")
    story.shot(page, "company after sync")


def _free(offer: dict[str, Any], kind: str, detail: str | None = None) -> list[dict[str, Any]]:
    return [o for o in offer[kind] if o["conflict"] is None and not o["assigned"]
            and (detail is None or o["detail"] == detail)]


def _cast(story: Story, api: Page) -> Cast:
    """A journey of the run at the dispatcher's branches (with an address to drive to) with a free
    driver, mover and truck, and an overlapping journey the same truck is free for (the demo
    accounts driver@ and mover@ preferred; every demo person signs in with the demo password)."""
    with Session(story.db) as s:
        dispatcher = s.scalars(select(User).where(User.email == EMAILS[Role.DISPATCHER])).one()
        branches = [link.location_id for link in dispatcher.location_links]
        candidates = s.scalars(select(Journey).where(
            Journey.location_id.in_(branches), Journey.data_source == DataSource.SMARTMOVING,
            Journey.external_id.not_like("demo-%"), Journey.status == JourneyStatus.SCHEDULED,
            Journey.truck_id.is_(None), Journey.origin_address.is_not(None),
        ).order_by(Journey.journey_date, Journey.scheduled_start, Journey.id)).all()
        emails = dict(s.execute(select(User.id, User.email)).tuples().all())
        for journey in candidates:
            offer = api.request.get(f"/api/journey/{journey.id}/availability").json()["data"]
            drivers = sorted(_free(offer, "crew", "DRIVER"), key=lambda p: emails[p["id"]] != EMAILS[Role.DRIVER])
            movers = sorted(_free(offer, "crew", "MOVER"), key=lambda p: emails[p["id"]] != EMAILS[Role.MOVER])
            if not drivers or not movers:
                continue
            rivals = s.scalars(select(Journey).where(
                Journey.location_id == journey.location_id, Journey.journey_date == journey.journey_date,
                Journey.id != journey.id, Journey.status == JourneyStatus.SCHEDULED,  # still being planned
                Journey.scheduled_start < journey.scheduled_end, Journey.scheduled_end > journey.scheduled_start,
            ).order_by(Journey.id)).all()
            for rival in rivals:
                free_for_rival = {t["id"] for t in _free(
                    api.request.get(f"/api/journey/{rival.id}/availability").json()["data"], "trucks")}
                trucks = [t for t in _free(offer, "trucks") if t["id"] in free_for_rival]
                if trucks:
                    driver, mover = drivers[0], movers[0]
                    return Cast(journey.id, journey.location_id, journey.journey_date,
                                journey.customer_name, offer["journey_label"], rival.id, rival.truck_id,
                                trucks[0]["id"], trucks[0]["label"],
                                Person(driver["id"], driver["label"], emails[driver["id"]]),
                                Person(mover["id"], mover["label"], emails[mover["id"]]))
    pytest.fail(f"none of the {len(candidates)} synced journeys at the dispatcher's branches has a free crew "
                "and truck and an overlapping journey that truck is free for")


def _crew_of(story: Story, journey_id: int) -> tuple[int | None, set[tuple[int, CrewRole]]]:
    with Session(story.db) as s:
        truck = s.scalar(select(Journey.truck_id).where(Journey.id == journey_id))
        crew = set(s.execute(select(CrewAssignment.user_id, CrewAssignment.role)
                             .where(CrewAssignment.journey_id == journey_id)).tuples().all())
    return truck, crew


def test_dispatcher_assigns_the_crew_and_is_refused_a_double_booking(story: Story) -> None:
    board = story.page("dispatcher")
    expect(board.get_by_test_id("page-title")).to_have_text("Dispatch board")
    cast = story.cast = _cast(story, board)
    with Session(story.db) as s:
        synced_here = s.execute(select(Journey.id, Journey.job_number).where(
            Journey.location_id == cast.location_id, Journey.journey_date == cast.day,
            Journey.external_id.not_like("demo-%"))).tuples().all()
    url = f"/board?location={cast.location_id}&day={cast.day}"
    board.goto(url)
    for journey_id, job_number in synced_here:  # the synced jobs are on the board, with their SmartMoving number
        expect(board.get_by_test_id(f"journey-card-{journey_id}").get_by_test_id("job-label")).to_have_text(
            f"SM {job_number}", timeout=15_000)
    story.shot(board, "dispatch board with synced jobs")

    # a second tab starts booking the same truck on the overlapping journey, and is slower
    rival_tab = story.pages["dispatcher-2"] = board.context.new_page()
    rival_tab.goto(url)
    rival_tab.wait_for_function("window.did_handshake === true")  # a click before the socket is up is lost
    rival_tab.get_by_test_id(f"assign-{cast.rival_id}").click()
    rival_tab.get_by_test_id(f"truck-{cast.truck_id}").click()

    board.bring_to_front()  # a tab in the background runs its timers slowly
    card = board.get_by_test_id(f"journey-card-{cast.journey_id}")
    expect(card).to_contain_text("No truck")
    board.get_by_test_id(f"assign-{cast.journey_id}").click()
    board.get_by_test_id(f"truck-{cast.truck_id}").click()
    for person in (cast.driver, cast.mover):
        board.locator(f"[data-testid=crew-{person.id}] .q-checkbox").click()
    story.shot(board, "assign dialog")
    board.get_by_test_id("assign-save").click()
    expect(card.get_by_test_id("truck-chip")).to_contain_text(cast.truck_number, timeout=SAVE_TIMEOUT)
    expect(card).to_contain_text(f"{cast.driver.name} · Driver")
    expect(card).to_contain_text(f"{cast.mover.name} · Mover")
    assert _crew_of(story, cast.journey_id) == (
        cast.truck_id, {(cast.driver.id, CrewRole.DRIVER), (cast.mover.id, CrewRole.MOVER)}), "assignment saved"
    story.shot(board, "board after assigning")

    rival_tab.bring_to_front()
    rival_tab.get_by_test_id("assign-save").click()
    expect(rival_tab.get_by_test_id("assign-error")).to_contain_text(
        f"truck {cast.truck_number} is already booked on {cast.customer} ({cast.label})", timeout=SAVE_TIMEOUT)
    story.shot(rival_tab, "double booking refused")
    assert _crew_of(story, cast.rival_id)[0] == cast.rival_truck_id, "the refused double booking changed nothing"
    rival_tab.get_by_role("button", name="Cancel").click()
    rival_tab.get_by_test_id(f"assign-{cast.rival_id}").click()  # opened again: the truck shows who holds it
    truck = rival_tab.get_by_test_id(f"truck-{cast.truck_id}")
    expect(truck).to_contain_text(f"Booked: {cast.customer} ({cast.label})")
    expect(truck).to_have_attribute("aria-disabled", "true")
    story.shot(rival_tab, "assign dialog shows the truck booked")

    board.bring_to_front()
    board.goto("/approvals")
    board.get_by_test_id(f"hand-over-{cast.journey_id}").click()
    expect(board.get_by_test_id(f"ready-{cast.journey_id}")).to_have_count(0, timeout=SAVE_TIMEOUT)
    story.shot(board, "approvals after the hand over")


def test_driver_works_the_journey_on_a_phone(story: Story) -> None:
    cast = story.chosen
    page = story.page("driver", cast.driver.email, phone=True)
    expect(page.get_by_test_id("page-title")).to_have_text("My journeys")
    story.shot(page, "driver my journeys")
    page.get_by_test_id(f"journey-{cast.journey_id}").click()
    page.wait_for_url(f"**/mobile/journey/{cast.journey_id}")
    expect(page.get_by_test_id("phase-title")).to_have_text("2. Morning prep")
    expect(page.get_by_test_id("call-customer")).to_have_attribute("href", re.compile(r"^tel:\+?\d{10,11}$"))
    expect(page.get_by_test_id("maps-origin")).to_have_attribute("href", re.compile(r"^https://maps\.google\.com/\?q=."))
    mover = story.page("mover", cast.mover.email, phone=True)  # on the same journey, on another phone
    mover.goto(f"/mobile/journey/{cast.journey_id}")
    expect(mover.get_by_test_id("check-lights_ok")).to_have_attribute("aria-checked", "false")
    page.bring_to_front()  # the mover's phone follows in the background

    number(page, "fuel_level", "85")
    choose(page, "tires", "good")
    for key in ("lights_ok", "brakes_ok", "equipment_loaded"):
        tick(page, key)
    photo(page, "vehicle_photo")
    image_loaded(page, "thumbs-vehicle_photo")
    expect(mover.get_by_test_id("check-lights_ok")).to_have_attribute("aria-checked", "true")
    story.shot(page, "driver morning prep")
    complete(page, "3. Pickup")
    expect(mover.get_by_test_id("phase-title")).to_have_text("3. Pickup")

    now(page, "arrival_time")
    tick(page, "customer_verified")
    photo(page, "condition_photos", "orange")
    tick(page, "loading_done")
    expect(page.get_by_test_id("consent-pickup_signature")).to_contain_text("paper copy")
    story.shot(page, "customer consent to sign")  # axe reads the consent screen too
    sign(page, "pickup_signature", cast.customer)
    image_loaded(page, "thumbs-pickup_signature")
    story.shot(page, "driver pickup signed")
    complete(page, "4. Transport")

    now(page, "departure_time")
    complete(page, "5. Delivery")

    now(page, "delivery_arrival")
    tick(page, "unloading_done")
    tick(page, "condition_check")
    sign(page, "delivery_signature", cast.customer, strokes=2)
    deliver_every_item(page)  # the inventory SmartMoving's Premium plan gave at pickup, if any
    story.shot(page, "driver delivery")
    complete(page, "6. Wrap-up")

    tick(page, "returned_to_base")
    tick(page, "equipment_returned")
    sign(page, "final_signature", cast.customer, strokes=1)
    page.get_by_test_id("complete-phase").click()
    expect(page.get_by_test_id("all-done")).to_contain_text("waiting for the manager", timeout=SAVE_TIMEOUT)
    expect(page.get_by_test_id("progress").first).to_have_text("100 %")
    story.shot(page, "driver all phases done")


def test_manager_approves_the_completion(story: Story) -> None:
    cast = story.chosen
    desk = story.page("manager")
    desk.goto(f"/approvals?location={cast.location_id}&day={cast.day}&phase=COMPLETION")  # the queue is paged
    approve = desk.get_by_test_id(f"approve-{cast.journey_id}-COMPLETION")
    expect(approve).to_be_visible()
    story.shot(desk, "manager approvals")
    approve.click()
    expect(approve).to_have_count(0, timeout=SAVE_TIMEOUT)
    story.shot(desk, "manager approved")

    for phone in (story.pages["driver"], story.pages["mover"]):  # both phones follow live
        expect(phone.get_by_test_id("all-done")).to_have_text("Approved by the manager.")
    story.shot(story.pages["driver"], "driver sees the approval")
    with Session(story.db) as s:
        journey = s.get_one(Journey, cast.journey_id)
        steps = dict(s.execute(select(JourneyStep.phase, JourneyStep.status)
                               .where(JourneyStep.journey_id == cast.journey_id)).tuples().all())
        media = Counter(s.scalars(select(Media.kind).where(Media.journey_id == cast.journey_id)).all())
        media_id = s.scalar(select(Media.id).where(Media.journey_id == cast.journey_id).limit(1))
    assert (journey.status, journey.progress) == (JourneyStatus.AUDITED, 100)
    assert steps == {**{phase: StepStatus.COMPLETED for phase in Phase}, Phase.COMPLETION: StepStatus.APPROVED}
    assert media == {MediaKind.PHOTO: 2, MediaKind.SIGNATURE: 3}
    assert httpx.get(f"{story.base_url}/api/media/{media_id}").status_code == 401  # no session, no file
    sheet = story.pages["driver"].request.get(f"/api/mobile/journey/{cast.journey_id}").json()["data"]
    assert (sheet["workflow"]["journey_status"], sheet["workflow"]["progress"]) == ("AUDITED", 100)
    assert journey.estimated_value and "estimated_value" not in str(sheet), "no money on a crew's phone"


def test_the_signed_documents_are_on_the_journey_page_and_their_hashes_in_the_audit_trail(story: Story) -> None:
    cast = story.chosen
    with Session(story.db) as s:
        documents = s.scalars(select(MoveDocument).where(MoveDocument.journey_id == cast.journey_id)
                              .order_by(MoveDocument.id)).all()
        issued = {e.entity_id: (e.new_values or {}).get("sha256") for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "document.issued")).all()}
        signature = s.scalars(select(StepActivity).where(StepActivity.item_key == "pickup_signature")
                              .join(JourneyStep).where(JourneyStep.journey_id == cast.journey_id)).one()
    assert [(d.kind, d.version) for d in documents] == [
        (DocumentKind.BILL_OF_LADING, 1), (DocumentKind.BILL_OF_LADING, 2), (DocumentKind.COMPLETION_REPORT, 1)]
    assert issued == {str(d.id): d.sha256 for d in documents}  # every hash is in the audit trail
    evidence = signature.data["evidence"]  # the consent the customer accepted on the phone
    assert signature.data["signer"] == cast.customer and evidence["consent_version"] and evidence["device"]

    desk = story.page("manager")
    desk.goto(f"/journeys/{cast.journey_id}")
    signed = documents[1]
    row = desk.get_by_test_id(f"document-{signed.id}")
    expect(row).to_contain_text("Bill of lading · version 2")
    expect(row).to_contain_text(f"SHA-256 {signed.sha256[:12]}")
    story.shot(desk, "manager journey documents")
    with desk.expect_download() as download:
        desk.get_by_test_id(f"download-{signed.id}").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF-") and hashlib.sha256(content).hexdigest() == signed.sha256


def _story_entries(story: Story) -> list[AuditEntry]:
    """The audit entries of the story's writes: its sync run, and everything on its journey."""
    cast = story.chosen
    with Session(story.db) as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        on_rival = [e for e in entries if e.entity == "journey" and e.entity_id == str(cast.rival_id)]
    assert not on_rival, "the refused double booking left no audit entry"
    return [e for e in entries
            if (e.entity, e.entity_id) in {("sync_run", str(story.run_id)), ("journey", str(cast.journey_id))}
            or (e.entity in ("journey_step", "media", "move_document")
                and (e.new_values or {}).get("journey_id") == cast.journey_id)]


def _table_rows(page: Page) -> list[tuple[str, ...]]:
    """(who, what happened, record) of each row shown by the audit table, in words."""
    cells = page.get_by_test_id("audit-table").locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")
    return sorted(tuple(row[1:4]) for row in cells)


def _words(entry: AuditEntry) -> tuple[str, ...]:
    return entry.actor_email or "System", action_words(entry.action), entity_words(entry.entity)


def _key(entry: AuditEntry) -> tuple[str, ...]:
    return entry.actor_email or "", entry.action, entry.entity, entry.entity_id or ""


def test_auditor_finds_every_write_of_the_story_and_exports_them(story: Story) -> None:
    entries = _story_entries(story)
    by_action = Counter(e.action for e in entries)
    assert {a: by_action[a] for a in STORY_WRITES} == STORY_WRITES, by_action
    assert by_action["phase.item_recorded"] >= 19, by_action  # every item the driver recorded
    with Session(story.db) as s:
        company_wide = Counter(s.scalars(select(AuditEntry.action).where(AuditEntry.action.in_(by_action))).all())
    assert company_wide == by_action, "on a fresh database only the story wrote these actions"

    page = story.page("auditor")
    page.goto("/audit")
    expect(page.get_by_test_id("page-title")).to_have_text("Audit trail")
    story.shot(page, "auditor audit trail")
    with page.expect_download() as download:
        page.get_by_test_id("audit-download").click()
    exported = {row["id"]: (row["actor_email"], row["action"], row["entity"], row["entity_id"])
                for row in csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8")))}
    missing = [_key(e) for e in entries if exported.get(str(e.id)) != _key(e)]
    assert not missing, f"story writes missing from the CSV: {missing}"
    # The export's "N rows exported" notification gone first: axe once read it half-way through its
    # fade-out (1.5:1 contrast) when it left just after a picture's wait for a still page.
    expect(page.locator(".q-notification")).to_have_count(0, timeout=SAVE_TIMEOUT)

    for action, count in sorted(by_action.items()):  # each action's entries fit one page of the table
        assert count <= DEFAULT_PAGE_SIZE, f"{count} {action} entries: page through the table"
        page.get_by_test_id("audit-action").click()
        page.get_by_role("option", name=action_words(action), exact=True).click()
        page.get_by_test_id("audit-apply").click()
        expect(page.get_by_test_id("audit-table").locator("tbody td:nth-child(3)")).to_have_text(
            [action_words(action)] * count)
        expect(page.get_by_test_id("audit-table-summary")).to_have_text(f"1–{count} of {count}")
        assert _table_rows(page) == sorted(_words(e) for e in entries if e.action == action), action
        story.shot(page, f"auditor filters {action}")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_is_sent_home_from_a_page_it_may_not_open(story: Story, role: Role) -> None:
    forbidden = [path for path in PAGES if path not in ALLOWED[role]][-1]
    page = story.page(role.value.lower())
    page.goto(forbidden)
    # the board puts its branch and day into its address once shown
    expect(page).to_have_url(re.compile(rf"^{re.escape(story.base_url + landing_path(role))}(\?.*)?$"))
    expect(page.get_by_test_id("forbidden")).to_contain_text(REFUSAL)
    expect(page.get_by_test_id("refused-path")).to_contain_text(f"{forbidden} is not open to")
    story.shot(page, f"{role.value} sent home from {forbidden}")


def test_no_page_of_the_story_has_a_serious_accessibility_violation(story: Story) -> None:
    """axe-core ran on every page the story took a picture of (desk pages and the 390×844 phone):
    its results are beside each picture (`artifacts/e2e/NN-step.axe.json`); none may be serious or
    critical, colour contrast included."""
    assert story.shots.taken > 10
    assert story.shots.violations == {}, "\n".join(
        f"{page}: {found}" for page, items in story.shots.violations.items() for found in items)
