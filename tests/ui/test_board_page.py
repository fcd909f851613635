"""The dispatcher board, timeline and journey pages through NiceGUI's simulated user, on demo data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select

from db.enums import ActivityKind, CrewRole, JourneyStatus, MediaKind, Phase, Role, StepStatus
from db.models import CrewAssignment, Journey, JourneyStep, Media, StepActivity, Truck, UserLocation
from db.models import User as UserModel
from domain.access.locations import LocationOption, visible_locations
from domain.access.rbac import Principal
from domain.board.assignment import CrewChoice, assign
from domain.board.views import load_board
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.journeys.detail import journey_detail
from domain.journeys.edit import JourneyDraft, cancel_journey, create_journey
from domain.journeys.status import update_journey_notes
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from tests.helpers import sign_in
from tests.principals import principal_for
from tests.sync.helpers import executed_sql
from tests.ui.test_login import _sign_in

#: Late enough that the demo journeys (which end by 19:00) leave trucks and crew free.
EVENING = (20, 0)
#: Page loads follow a password check (argon2, ~0.2 s): allow them time.
SLOW = 30


class Branch:
    """The dispatcher's default board location with a free truck and a free driver this evening."""

    def __init__(self, location: LocationOption, truck: tuple[int, str], driver: tuple[int, str],
                 dispatcher: Principal) -> None:
        self.location, self.truck, self.driver, self.dispatcher = location, truck, driver, dispatcher
        self.today = today_in(location.timezone)

    def at(self, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.today, time(hour, minute), ZoneInfo(self.location.timezone))

    async def journey(self, name: str, start: tuple[int, int] = EVENING, end: tuple[int, int] = (21, 30)) -> int:
        return await create_journey(self.dispatcher, JourneyDraft(
            self.location.id, self.today, name, customer_phone="+1 416 555 0101",
            scheduled_start=self.at(*start), scheduled_end=self.at(*end)))


@pytest.fixture
async def branch(demo: str) -> Branch:
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    location = (await visible_locations(dispatcher))[0]
    async with read_session() as s:
        truck = (await s.execute(select(Truck.id, Truck.number).where(Truck.location_id == location.id)
                                 .order_by(Truck.number))).first()
        driver = (await s.execute(
            select(UserModel.id, UserModel.full_name).join(UserLocation, UserLocation.user_id == UserModel.id)
            .where(UserLocation.location_id == location.id, UserModel.role == Role.DRIVER,
                   UserModel.email != "driver@demo.ccrm").order_by(UserModel.id))).first()
    assert truck is not None and driver is not None
    return Branch(location, tuple(truck), tuple(driver), dispatcher)  # type: ignore[arg-type]


async def _unassigned_ids(location_id: int, day: object) -> set[int]:
    """Journeys of the day, not cancelled, without a truck or without crew."""
    async with read_session() as s:
        crewed = select(CrewAssignment.journey_id)
        return set(await s.scalars(
            select(Journey.id).where(Journey.location_id == location_id, Journey.journey_date == day,
                                     Journey.status != JourneyStatus.CANCELLED,
                                     Journey.truck_id.is_(None) | Journey.id.not_in(crewed))
        ))


def _card_ids(user: User) -> set[int]:
    with user:
        cards = [e for e in user.find(marker="job-card").elements]
    return {int(str(e.props["data-testid"]).rsplit("-", 1)[1]) for e in cards}


async def _journey_ids(location_id: int, day: object) -> set[int]:
    async with read_session() as s:
        return set(await s.scalars(select(Journey.id).where(Journey.location_id == location_id,
                                                            Journey.journey_date == day)))


async def test_dispatcher_sees_only_their_branches_today(branch: Branch, user: User) -> None:
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    assert _card_ids(user) == await _journey_ids(branch.location.id, branch.today)
    picker = user.find(marker="location-picker").elements.pop()
    assert isinstance(picker, ui.select)
    assert set(picker.options) == set(branch.dispatcher.assigned_location_ids)
    async with read_session() as s:
        other = await s.scalar(select(Journey.location_id).where(
            Journey.location_id.not_in(sorted(branch.dispatcher.assigned_location_ids))).limit(1))
    await user.open(f"/board?location={other}")
    await user.should_see(marker="job-card", retries=SLOW)
    assert _card_ids(user) == await _journey_ids(branch.location.id, branch.today)


async def test_no_money_on_a_dispatchers_board_but_on_an_admins(branch: Branch, user: User) -> None:
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    await user.should_not_see("$")
    await user.should_not_see("estimated-value")
    await user.open("/logout")
    await _sign_in(user, "admin@demo.ccrm")
    await user.should_see(marker="jobs-chart", retries=SLOW)
    await user.open(f"/board?location={branch.location.id}")
    await user.should_see(marker="job-card", retries=SLOW)
    await user.should_see('data-testid="estimated-value">$')
    await user.should_see(marker="stat-value")
    await user.should_see("$")


async def test_assigning_through_the_dialog_updates_the_card(branch: Branch, user: User) -> None:
    journey_id = await branch.journey("Dialog Customer")
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker=f"job-card-{journey_id}", retries=SLOW)
    with user.scope(marker=f"job-card-{journey_id}"):
        await user.should_see("No truck")
    user.find(marker=f"assign-{journey_id}").click()
    await user.should_see(marker="assign-save", retries=SLOW)
    user.find(marker=f"truck-{branch.truck[0]}").click()
    user.find(marker=f"crew-{branch.driver[0]}").click()
    user.find(marker="assign-save").click()
    await user.should_see("Crew and truck saved for Dialog Customer · Manual job", retries=SLOW)
    with user.scope(marker=f"job-card-{journey_id}"):
        await user.should_see(branch.truck[1])
        await user.should_see(f"{branch.driver[1]} · Driver")
        await user.should_not_see("No truck")


async def test_a_booked_truck_is_shown_disabled_and_a_late_conflict_is_refused(branch: Branch, user: User) -> None:
    first = await branch.journey("Olivia First", (20, 0), (22, 0))
    second = await branch.journey("Noah Second", (21, 0), (23, 0))
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker=f"job-card-{second}", retries=SLOW)
    user.find(marker=f"assign-{second}").click()  # the dialog opens while the truck is still free
    await user.should_see(marker="assign-save", retries=SLOW)
    await assign(branch.dispatcher, first, truck_id=branch.truck[0])  # another dispatcher is quicker
    user.find(marker=f"truck-{branch.truck[0]}").click()
    user.find(marker="assign-save").click()
    await user.should_see("is already booked on Olivia First (Manual job)", retries=SLOW)
    # Reopened, the dialog shows the truck disabled with the journey holding it.
    await user.open("/board")
    user.find(marker=f"assign-{second}").click()
    await user.should_see("Booked: Olivia First", retries=SLOW)
    truck_item = user.find(marker=f"truck-{branch.truck[0]}").elements.pop()
    assert not truck_item.enabled
    async with read_session() as s:
        assert await s.scalar(select(Journey.truck_id).where(Journey.id == second)) is None


async def test_a_change_elsewhere_updates_only_that_card_live(branch: Branch, user: User) -> None:
    journey_id = await branch.journey("Live Customer")
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker=f"job-card-{journey_id}", retries=SLOW)
    before = {i: user.find(marker=f"job-card-{i}").elements.pop() for i in _card_ids(user)}
    unassigned_before = int(user.find(marker="stat-unassigned").elements.pop().text)
    manager = await principal_for("manager@demo.ccrm")
    await assign(manager, journey_id, truck_id=branch.truck[0],
                 crew=[CrewChoice(branch.driver[0], CrewRole.DRIVER)])
    with user.scope(marker=f"job-card-{journey_id}"):
        await user.should_see(branch.truck[1], retries=SLOW)
    after = {i: user.find(marker=f"job-card-{i}").elements.pop() for i in _card_ids(user)}
    assert after == before  # the same card elements: nothing was rebuilt from scratch
    # The card is refilled first, then the stats are re-read and their tiles rebuilt: wait for them too.
    await user.should_see(marker="stat-unassigned", content=str(unassigned_before - 1), retries=SLOW)
    assert int(user.find(marker="stat-unassigned").elements.pop().text) == unassigned_before - 1


async def test_new_journey_dialog_validates_and_adds_a_card(branch: Branch, user: User) -> None:
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="new-journey", retries=SLOW)
    user.find(marker="new-journey").click()
    await user.should_see(marker="form-save")
    user.find(marker="form-save").click()
    await user.should_see("customer name is required")
    user.find(marker="form-customer_name").type("Freshly Created")
    await user.should_not_see("customer name is required")  # the error goes once the field is filled
    start = user.find(marker="form-start").elements.pop()
    assert start.props["type"] == "text" and start.props["mask"] == "##:##"  # 24-hour whatever the locale
    user.find(marker="form-start").type("20:15")
    user.find(marker="form-end").type("19:00")
    user.find(marker="form-save").click()
    await user.should_see("the end time must be after the start time")
    user.find(marker="form-end").clear().type("22:00")
    user.find(marker="form-save").click()
    await user.should_see("Journey saved", retries=SLOW)
    await user.should_see("Freshly Created")
    await user.should_see("20:15–22:00")
    await user.should_not_see(marker="form-value")  # no value field for dispatchers


async def test_search_and_filters_narrow_the_cards(branch: Branch, user: User) -> None:
    journey_id = await branch.journey("Zebulon Searchable")
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="search", retries=SLOW)
    everything = await _journey_ids(branch.location.id, branch.today)
    unassigned = await _unassigned_ids(branch.location.id, branch.today)
    user.find(marker="search").type("zebulon")
    for other in everything - {journey_id}:
        await user.should_not_see(marker=f"job-card-{other}", retries=SLOW)
    assert _card_ids(user) == {journey_id}
    user.find(marker="search").clear()
    await user.should_see(marker=f"job-card-{min(everything - {journey_id})}", retries=SLOW)
    user.find(marker="filter-unassigned").click()
    for other in everything - unassigned:
        await user.should_not_see(marker=f"job-card-{other}", retries=SLOW)
    assert journey_id in unassigned and _card_ids(user) == unassigned


@pytest.mark.parametrize("search", ["2147483648", "#99999999999"])
async def test_a_search_for_an_id_no_journey_can_have_empties_the_board_and_says_so(
        branch: Branch, user: User, search: str) -> None:
    """It used to fail in PostgreSQL and leave the previous cards on screen as if they matched."""
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="search", retries=SLOW)
    everything = await _journey_ids(branch.location.id, branch.today)
    await user.should_see(marker=f"job-card-{min(everything)}", retries=SLOW)
    user.find(marker="search").type(search)
    await user.should_see("No journeys match.", retries=SLOW)
    for journey_id in everything:
        await user.should_not_see(marker=f"job-card-{journey_id}")


async def test_timeline_shows_trucks_bars_and_the_unassigned(branch: Branch, user: User) -> None:
    on_truck = await branch.journey("Barry Bar")
    waiting = await branch.journey("Wanda Waiting", (20, 0), (21, 0))
    await assign(branch.dispatcher, on_truck, truck_id=branch.truck[0])
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    await user.open(f"/board/timeline?location={branch.location.id}")
    await user.should_see(marker=f"bar-{on_truck}", retries=SLOW)
    bar = user.find(marker=f"bar-{on_truck}").elements.pop()
    assert (bar.style["left"], bar.style["width"]) == ("87.50%", "9.38%")  # 20:00–21:30 on 6:00–22:00
    await user.should_see("Wanda Waiting")
    await user.should_see(branch.truck[1])
    await user.should_not_see(marker=f"bar-{waiting}")


async def test_a_late_journey_widens_the_axis_instead_of_being_cut_off(branch: Branch, user: User) -> None:
    late = await branch.journey("Lena Late", (21, 0), (23, 0))
    await assign(branch.dispatcher, late, truck_id=branch.truck[0])
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    await user.open(f"/board/timeline?location={branch.location.id}")
    await user.should_see(marker=f"bar-{late}", retries=SLOW)
    bar = user.find(marker=f"bar-{late}").elements.pop()
    # 21:00–23:00 on an axis 6:00–23:00 (17 hours): the bar ends exactly at the axis' end
    assert (bar.style["left"], bar.style["width"]) == ("88.24%", "11.76%")
    labels = sorted(e.text for e in user.find(marker="hour-label").elements)  # type: ignore[attr-defined]
    assert labels[0] == "06:00" and labels[-1] == "23:00" and len(labels) == 18
    await user.should_see("Toronto time")


async def test_closed_journeys_offer_no_assign_on_the_timeline(branch: Branch, user: User) -> None:
    closed = await branch.journey("Clara Closed", (20, 0), (21, 0))
    open_one = await branch.journey("Otto Open", (20, 0), (21, 0))
    async with unit_of_work() as s:
        journey = await s.get(Journey, closed)
        assert journey is not None
        journey.status = JourneyStatus.AUDITED
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    await user.open(f"/board/timeline?location={branch.location.id}")
    await user.should_see("Clara Closed", retries=SLOW)
    with user.scope(marker=f"no-truck-{open_one}"):
        await user.should_see("Assign")
    with user.scope(marker=f"no-truck-{closed}"):
        await user.should_not_see("Assign")


async def test_the_board_keeps_its_day_and_filters_in_the_address(branch: Branch, user: User,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    addresses: list[str] = []  # what the page puts in the browser's address (history.replaceState)
    monkeypatch.setattr(user.navigate.history, "replace", addresses.append)
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    user.find(marker="day-tomorrow").click()
    tomorrow = branch.today + timedelta(days=1)
    await user.should_see(f"{tomorrow:%A %d %B %Y}", retries=SLOW)
    user.find(marker="filter-unassigned").click()
    for _ in range(SLOW):
        if addresses and "unassigned=1" in addresses[-1]:
            break
        await asyncio.sleep(0.1)
    assert addresses[-1] == f"/board?location={branch.location.id}&day={tomorrow}&unassigned=1"
    await user.open(addresses[-1])  # a reload, or Back from a journey's page
    await user.should_see(f"{tomorrow:%A %d %B %Y}", retries=SLOW)
    switch = user.find(marker="filter-unassigned").elements.pop()
    assert isinstance(switch, ui.switch) and switch.value is True
    await user.open(f"/board?location={branch.location.id}&status=ONSITE,BOGUS&source=MANUAL&q=zebulon")
    await user.should_see("No journeys match.", retries=SLOW)
    source = user.find(marker="filter-source").elements.pop()
    status = user.find(marker="filter-status").elements.pop()
    assert isinstance(source, ui.toggle) and source.value == "MANUAL"
    assert isinstance(status, ui.select) and status.value == ["ONSITE"]


async def test_a_set_up_journey_is_handed_over_from_its_board_card(branch: Branch, user: User) -> None:
    journey_id = await branch.journey("Hana Handover")
    bare = await branch.journey("Bob Bare", (20, 0), (21, 0))
    await assign(branch.dispatcher, journey_id, truck_id=branch.truck[0],
                 crew=[CrewChoice(branch.driver[0], CrewRole.DRIVER)])
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker=f"hand-over-{journey_id}", retries=SLOW)
    await user.should_not_see(marker=f"hand-over-{bare}")
    user.find(marker=f"hand-over-{journey_id}").click()
    await user.should_see("Handed over to the crew", retries=SLOW)
    await user.should_not_see(marker=f"hand-over-{journey_id}", retries=SLOW)
    async with read_session() as s:
        step = await s.scalar(select(JourneyStep.status).where(JourneyStep.journey_id == journey_id,
                                                               JourneyStep.phase == Phase.CREATION))
    assert step is StepStatus.COMPLETED


async def test_the_old_dashboard_addresses_redirect_to_the_board(branch: Branch, user: User) -> None:
    """`/dashboard` was the board's address: old bookmarks still work, query string and all."""
    on_truck = await branch.journey("Barry Bar")
    await assign(branch.dispatcher, on_truck, truck_id=branch.truck[0])
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    query = f"location={branch.location.id}&day=2026-11-20"
    for old, new in (("/dashboard", "/board"), ("/dashboard/timeline", "/board/timeline")):
        response = await user.http_client.get(f"{old}?{query}")
        assert response.is_redirect and response.headers["location"] == f"{new}?{query}"
        assert (await user.http_client.get(old)).headers["location"] == new
    await user.open(f"/dashboard/timeline?location={branch.location.id}")
    await user.should_see(marker=f"bar-{on_truck}", retries=SLOW)


async def test_journey_page_shows_phases_media_and_audit_for_auditors_only(branch: Branch, user: User) -> None:
    journey_id = await branch.journey("Photo Customer")
    async with unit_of_work() as s:
        step = await s.scalar(select(JourneyStep).where(JourneyStep.journey_id == journey_id,
                                                        JourneyStep.phase == Phase.CREATION))
        journey = await s.get(Journey, journey_id)
        assert step is not None and journey is not None
        media = Media(company_id=journey.company_id, journey_id=journey_id, kind=MediaKind.PHOTO,
                      content_type="image/jpeg", size_bytes=10, sha256="0" * 64, path="x.jpg")
        s.add(media)
        await s.flush()
        s.add(StepActivity(step_id=step.id, item_key="schedule_confirmed", kind=ActivityKind.CHECKLIST,
                           data={"value": True}))
        s.add(StepActivity(step_id=step.id, item_key="truck_photo", kind=ActivityKind.PHOTO, media_id=media.id))
        media_id = media.id
    await _sign_in(user, "auditor@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    await user.open(f"/journeys/{journey_id}")
    await user.should_see("Photo Customer")
    await user.should_see("Schedule confirmed")
    with user:
        thumbs = [e for e in user.current_layout.descendants() if e.props.get("data-testid") == f"media-{media_id}"]
    assert thumbs and f"/api/media/{media_id}/thumbnail" in str(thumbs[0].props["src"])
    await user.should_see(marker="audit-trail")
    trail = user.find(marker="audit-trail").elements.pop()
    assert isinstance(trail, ui.table) and [r["action"] for r in trail.rows] == ["Journey created"]
    await user.should_not_see(marker="detail-assign")  # auditors read only
    await user.open("/logout")
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker="job-card", retries=SLOW)
    await user.open(f"/journeys/{journey_id}")
    await user.should_see("Photo Customer")
    await user.should_not_see(marker="audit-trail")
    await user.should_see(marker="detail-assign")
    await assign(branch.dispatcher, journey_id, truck_id=branch.truck[0])  # the page follows its journey live
    await user.should_see(branch.truck[1], retries=SLOW)


async def test_the_audit_trail_names_the_truck_and_crew(branch: Branch) -> None:
    journey_id = await branch.journey("Words Customer")
    await assign(branch.dispatcher, journey_id, truck_id=branch.truck[0],
                 crew=[CrewChoice(branch.driver[0], CrewRole.DRIVER)])
    detail = await journey_detail(await principal_for("auditor@demo.ccrm"), journey_id)
    assert detail.audit is not None
    assigned = [e for e in detail.audit if e.action == "journey.assign"]
    assert [e.action_words for e in assigned] == ["Truck and crew assigned"]
    assert assigned[0].changes == f"Truck: none → {branch.truck[1]}; crew: + {branch.driver[1]} (driver)"


async def test_an_event_never_puts_an_invisible_journey_on_the_board(branch: Branch, user: User) -> None:
    visible = await branch.journey("Visible Customer")
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker=f"job-card-{visible}", retries=SLOW)
    before = _card_ids(user)
    admin = await principal_for("admin@demo.ccrm")
    assigned = branch.dispatcher.assigned_location_ids
    elsewhere = next(loc for loc in await visible_locations(admin) if loc.id not in assigned)
    hidden = await create_journey(admin, JourneyDraft(elsewhere.id, today_in(elsewhere.timezone), "Hidden Customer"))
    # Even an event claiming this board's location makes the page re-read through the domain, in scope.
    await events.bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, admin.company_id, branch.location.id, hidden))
    # A page handles its events in order: once this later change shows, the forged one was handled.
    await assign(branch.dispatcher, visible, truck_id=branch.truck[0])
    with user.scope(marker=f"job-card-{visible}"):
        await user.should_see(branch.truck[1], retries=SLOW)
    await user.should_not_see("Hidden Customer")
    assert _card_ids(user) == before


async def test_a_whole_board_update_patches_the_grid_in_place(branch: Branch, user: User) -> None:
    stays, changes, leaves = [await branch.journey(n) for n in ("Stays Customer", "Changes Customer", "Leaves")]
    arrives = await create_journey(branch.dispatcher, JourneyDraft(
        branch.location.id, branch.today + timedelta(days=1), "Arrives Customer"))
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see(marker=f"job-card-{leaves}", retries=SLOW)
    before = {i: user.find(marker=f"job-card-{i}").elements.pop() for i in _card_ids(user)}
    content = {i: list(e.default_slot.children) for i, e in before.items()}
    html = {i: str(children[0].content) for i, children in content.items()}  # type: ignore[attr-defined]
    total = user.find(marker="stat-total").elements.pop()
    async with unit_of_work() as session:  # what a sync writes, then announces as one batch for the day
        (await session.get_one(Journey, changes)).customer_name = "Changed Customer"
        (await session.get_one(Journey, leaves)).journey_date = branch.today + timedelta(days=1)
        (await session.get_one(Journey, arrives)).journey_date = branch.today
    await events.bus.publish(DomainEvent(EventType.JOURNEYS_SYNCED, branch.dispatcher.company_id,
                                         data={"locations": [branch.location.id]}))
    await user.should_see("Arrives Customer", retries=SLOW)
    await user.should_see("Changed Customer")
    await user.should_not_see("Leaves")
    assert _card_ids(user) == set(before) - {leaves} | {arrives}
    assert before[leaves].is_deleted
    after = {i: user.find(marker=f"job-card-{i}").elements.pop() for i in _card_ids(user)}
    assert all(after[i] is before[i] for i in set(before) - {leaves})  # nothing was rebuilt from scratch
    assert list(after[stays].default_slot.children) == content[stays]  # unchanged: not even refilled
    assert str(content[stays][0].content) == html[stays]  # type: ignore[attr-defined]
    # changed: its HTML block replaced in place (the same buttons apply)
    assert list(after[changes].default_slot.children) == content[changes]
    assert "Changed Customer" in str(content[changes][0].content) != html[changes]  # type: ignore[attr-defined]
    assert user.find(marker="stat-total").elements.pop() is total  # the tiles are updated in place
    shown = [int(str(e.props["data-testid"]).rsplit("-", 1)[1]) for e in after[stays].parent_slot.children]
    assert shown == [c.id for c in (await load_board(branch.dispatcher, branch.location.id)).cards]  # in order


async def test_one_change_refreshes_an_admins_and_a_dispatchers_board_each_with_its_own_figures(
        branch: Branch, create_user: Callable[[], User]) -> None:
    """The two pages show the same board key (branch, day, no filters) and are refreshed by the
    same event, each reading what its own class may see (issue 18)."""
    dispatcher_page, admin_page = create_user(), create_user()
    await sign_in(dispatcher_page, "dispatcher@demo.ccrm")
    await sign_in(admin_page, "admin@demo.ccrm")
    await admin_page.open(f"/board?location={branch.location.id}")
    for page in (dispatcher_page, admin_page):
        await page.should_see(marker="job-card", retries=SLOW)
    admin = await principal_for("admin@demo.ccrm")
    journey_id = await create_journey(admin, JourneyDraft(branch.location.id, branch.today, "Scoped Customer",
                                                          estimated_value=Decimal("4321")))
    for page in (dispatcher_page, admin_page):
        await page.should_see(marker=f"job-card-{journey_id}", retries=SLOW)
    with admin_page.scope(marker=f"job-card-{journey_id}"):
        await admin_page.should_see("$4,321")
    await dispatcher_page.should_not_see("$")
    await dispatcher_page.should_not_see("estimated-value")
    await dispatcher_page.should_not_see(marker="stat-value")
    await admin_page.should_see(marker="stat-value")


async def test_the_company_overview_is_read_again_only_for_changes_it_counts(branch: Branch, user: User) -> None:
    journey_id = await branch.journey("Counted Customer")
    await sign_in(user, "admin@demo.ccrm")
    await user.open(f"/board?location={branch.location.id}")
    await user.should_see(marker=f"job-card-{journey_id}", retries=SLOW)
    chart, total = user.find(marker="jobs-chart").elements.pop(), user.find(marker="company-total").elements.pop()
    jobs = int(total.text)
    admin = await principal_for("admin@demo.ccrm")
    with executed_sql(lambda sql: "GROUP BY JOURNEYS.JOURNEY_DATE, JOURNEYS.DATA_SOURCE" in sql) as overview_reads:
        await update_journey_notes(admin, journey_id, "Ring twice")
        with user.scope(marker=f"job-card-{journey_id}"):
            await user.should_see("Ring twice", retries=SLOW)
        assert overview_reads == []  # a note changes no figure of the company
        await cancel_journey(admin, journey_id)
        await user.should_see(marker="company-total", content=str(jobs - 1), retries=100)
    assert len(overview_reads) == 1
    assert user.find(marker="jobs-chart").elements == {chart} and not chart.is_deleted  # updated in place
    assert user.find(marker="company-total").elements == {total}
