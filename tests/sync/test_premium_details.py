"""Premium job details and the job sheet, against the simulator over real HTTP: a job without a
fixed start takes its time from the arrival window; stops with access notes, materials and the
inventory reach the journey and the crew's phone (never any money); a BASIC integration never
calls a premium path; premium calls are made for new and changed jobs only; the balance due
reaches financial roles only."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nicegui.testing import User as SimulatedUser
from sqlalchemy import select, update

from components.board.job_card import time_range
from db.enums import CrewRole, IntegrationPlan, SyncKind, SyncRunStatus
from db.models import CrewAssignment, Journey, Location, User
from domain.board.views import get_card
from domain.sync.premium import CONCURRENCY, PREMIUM_DAYS
from domain.sync.settings import IntegrationForm, save_integration
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.data import SimOpportunity
from integrations.smartmoving.simulator.script import SimulatorScript
from integrations.smartmoving.simulator.server import SimulatorState
from tests.helpers import sign_in
from tests.smartmoving.conftest import API_KEY, SEED
from tests.sync.conftest import SIM_KEY, bearer, principal_for
from tests.sync.helpers import run, synced_journeys, window

TODAY, TOMORROW = window()
STOPS = [
    {"id": "s-1", "isOrigin": True, "isDestination": False, "order": 0, "addressFullAddress": "12 King St W, Toronto",
     "addressLat": 43.6, "addressLng": -79.4, "addressUnit": "Unit 1204", "propertyName": "Maple Towers",
     "propertyType": 1, "stairs": 0, "parkingDescription": "Loading dock at the rear", "hasElevator": True,
     "notes": "Buzzer code 4512"},
    {"id": "s-2", "isOrigin": False, "isDestination": True, "order": 1, "addressFullAddress": "9 Elm St, Toronto",
     "addressLat": 43.7, "addressLng": -79.3, "addressUnit": None, "propertyName": None, "propertyType": 2,
     "stairs": 2, "parkingDescription": None, "hasElevator": False, "notes": "Piano on the second floor"},
]
TOTAL, PAID = 1234.5, 234.5  # balance due 1,000.00


def premium_calls(sim: SimulatorState) -> int:
    return sum(n for path, n in sim.calls.items() if path.startswith("/api/premium/"))


@pytest.fixture
def sim_state() -> SimulatorState:
    """13 jobs today and tomorrow, plus three booked one-job opportunities today."""
    state = SimulatorState(seed=SEED, api_key=API_KEY, jobs_on={TODAY: 13, TOMORROW: 13})
    for _ in range(3):
        state.add_opportunity(TODAY)
    return state


@pytest.fixture
def added(sim_state: SimulatorState) -> list[SimOpportunity]:
    """The three added opportunities, without the deposit the simulator gives most booked ones
    (drawn from the opportunity's id, which depends on the day): their balances are the tests'."""
    opportunities = [o for o in sim_state.opportunities_on(TODAY) if o.quote_number % 10_000 >= 5_000]
    for opportunity in opportunities:
        opportunity.payments.clear()
    return opportunities


@pytest.fixture
async def script(sim_url: str) -> AsyncIterator[SimulatorScript]:
    async with SimulatorScript(sim_url, API_KEY) as sm:
        yield sm


async def _journey_of(job_id: str) -> Journey:
    journey = (await synced_journeys())[job_id]
    return journey


async def _timezone(journey: Journey) -> str:
    async with read_session() as session:
        return str(await session.scalar(select(Location.timezone).where(Location.id == journey.location_id)))


async def _crew(journey: Journey, email: str = "driver@demo.ccrm") -> None:
    async with unit_of_work() as session:
        member = await session.scalar(select(User).where(User.email == email))
        assert member is not None
        session.add(CrewAssignment(journey_id=journey.id, user_id=member.id, journey_date=journey.journey_date,
                                   role=CrewRole.DRIVER))


async def test_a_job_without_a_start_takes_its_time_from_the_arrival_window(
        integration: dict[str, Any], added: list[SimOpportunity], script: SimulatorScript,
        user: SimulatedUser) -> None:
    windowed, fixed = added[0], added[1]
    await script.change_site(windowed.id, arrival_window="8:00 AM - 10:00 AM", no_start=True)
    await script.change_site(fixed.id, arrival_window="13:00-15:00")
    assert (await run(integration["id"])).status is SyncRunStatus.SUCCEEDED

    journey = await _journey_of(windowed.jobs[0].id)
    zone = ZoneInfo(await _timezone(journey))
    start = journey.scheduled_start.replace(tzinfo=dt.UTC) if journey.scheduled_start.tzinfo is None \
        else journey.scheduled_start
    assert start == dt.datetime.combine(TODAY, dt.time(8), zone)
    assert journey.external_data["schedule"]["basis"] == "arrival_window"
    dispatcher_view = await get_card(await principal_for("admin@demo.ccrm"), journey.id)
    assert dispatcher_view is not None and time_range(dispatcher_view) == "Arrival 08:00–10:00"

    # a fixed start stays the start; the window is shown beside it
    other = await _journey_of(fixed.jobs[0].id)
    card = await get_card(await principal_for("admin@demo.ccrm"), other.id)
    assert card is not None and not card.starts_in_window and card.arrival_window == "13:00–15:00"
    assert time_range(card) != "Arrival 13:00–15:00"

    # the crew's list says so too
    await _crew(journey)
    await sign_in(user, "driver@demo.ccrm")
    await user.should_see("Arrival 08:00–10:00", retries=30)


async def test_premium_details_reach_the_crew_without_money(
        integration: dict[str, Any], added: list[SimOpportunity], script: SimulatorScript,
        user: SimulatedUser) -> None:
    opp = added[0]
    await script.change_site(opp.id, stops=STOPS, payment=PAID)
    await script.set_value(opp.id, TOTAL)
    await run(integration["id"])
    journey = await _journey_of(opp.jobs[0].id)
    premium = journey.external_data["premium"]
    assert [s["notes"] for s in premium["stops"]] == ["Buzzer code 4512", "Piano on the second floor"]
    assert all("Rate" not in key for m in premium["materials"] for key in m)  # quantities only
    assert journey.external_data["money"]["balance_due"] == "1000.00"

    await _crew(journey)

    # the crew's API: the sheet, no money at all
    response = await user.http_client.get(f"/api/mobile/journey/{journey.id}", headers=await bearer("driver@demo.ccrm"))
    assert response.status_code == 200
    sheet = response.json()["data"]["sheet"]
    assert [s["notes"] for s in sheet["stops"]] == ["Buzzer code 4512", "Piano on the second floor"]
    assert sheet["stops"][1]["stairs"] == "2 flights of stairs" and sheet["stops"][0]["elevator"] == "Elevator"
    for money in ("1234", "1000.00", "234.5", "balance", "finalTotal", "totalCost", "Rate"):
        assert money not in response.text

    # the crew's phone page
    await sign_in(user, "driver@demo.ccrm")
    await user.open(f"/mobile/journey/{journey.id}")
    await user.should_see("Buzzer code 4512", retries=30)
    await user.should_see("Apartment · Unit 1204 · Maple Towers")
    await user.should_see("2 flights of stairs")
    await user.should_see("No elevator")
    await user.should_see("Loading dock at the rear")
    await user.should_not_see(content="Balance")
    await user.should_not_see(content="$")


async def test_a_basic_integration_never_calls_premium_paths(
        superadmin: Any, company_id: int, sim_url: str, sim: SimulatorState, added: list[SimOpportunity],
        script: SimulatorScript) -> None:
    await script.settings(premium=False)  # a Basic key: premium paths answer 403
    await script.change_site(added[0].id, arrival_window="8-10am", no_start=True)
    view = await save_integration(superadmin, company_id, IntegrationForm(
        base_url=sim_url, plan=IntegrationPlan.BASIC, active=True, sync_frequency_minutes=30,
        webhook_header="x-smartmoving-auth", api_key=SIM_KEY, sync_window_days=2))
    for kind in (SyncKind.JOBS, SyncKind.FULL_JOBS):
        assert (await run(view["id"], kind)).status is SyncRunStatus.SUCCEEDED
    assert premium_calls(sim) == 0
    journeys = await synced_journeys()
    assert journeys and all("premium" not in j.external_data for j in journeys.values())
    # no window without Premium: the job keeps "no time" (its whole day)
    assert journeys[added[0].jobs[0].id].scheduled_start is None


async def test_a_premium_plan_on_a_basic_key_syncs_and_says_why_details_are_missing(
        integration: dict[str, Any], sim: SimulatorState, script: SimulatorScript) -> None:
    await run(integration["id"], SyncKind.CATALOGUE)  # (the catalogue's premium materials need the tier)
    await script.settings(premium=False)
    before = premium_calls(sim)
    sync = await run(integration["id"])
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.created > 0
    assert "premium details refused" in (sync.details or {})["premium"]["refused"]
    assert premium_calls(sim) - before <= CONCURRENCY  # refused once per opportunity in flight, then never asked again


async def test_premium_details_are_fetched_for_new_and_changed_jobs_only(
        integration: dict[str, Any], sim: SimulatorState, added: list[SimOpportunity],
        script: SimulatorScript) -> None:
    await run(integration["id"])
    first = premium_calls(sim)
    booked = len({j.external_opportunity_id for j in (await synced_journeys()).values()
                  if j.sync_reason is None})
    assert first >= booked  # at least one call per booked opportunity (inventory + each job)

    for kind in (SyncKind.JOBS, SyncKind.FULL_JOBS):  # nothing changed in the listing
        await run(integration["id"], kind)
    assert premium_calls(sim) == first

    # a listing change (the customer's name): its one job and its inventory, nothing else
    sim.update_opportunity(added[0].id, customer_name="Renamed Customer")
    await run(integration["id"])
    assert premium_calls(sim) == first + 2

    # a details-only change of the addresses: fetched again on the refresh that sees it
    await script.change_job(added[1].id, addresses=["1 New Rd, Toronto", "2 Other Rd, Toronto"])
    await run(integration["id"], SyncKind.FULL_JOBS)
    assert premium_calls(sim) == first + 4


async def test_the_balance_due_reaches_financial_roles_only(
        integration: dict[str, Any], added: list[SimOpportunity], script: SimulatorScript,
        user: SimulatedUser) -> None:
    opp = added[0]
    await script.change_site(opp.id, payment=PAID)
    await script.set_value(opp.id, TOTAL)
    await run(integration["id"])
    journey = await _journey_of(opp.jobs[0].id)
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    async with unit_of_work() as session:  # put the job in one of the dispatcher's branches
        await session.execute(update(Journey).where(Journey.id == journey.id)
                              .values(location_id=min(dispatcher.assigned_location_ids)))

    seen = await user.http_client.get(f"/api/journey/{journey.id}", headers=await bearer("dispatcher@demo.ccrm"))
    assert seen.status_code == 200 and "balance" not in seen.json()["data"]
    assert "1000.00" not in seen.text and "1234" not in seen.text
    assert seen.json()["data"]["sheet"] is not None  # the access details, yes
    managed = await user.http_client.get(f"/api/journey/{journey.id}", headers=await bearer("admin@demo.ccrm"))
    assert float(managed.json()["data"]["balance"]["balance_due"]) == 1000.0

    await sign_in(user, "dispatcher@demo.ccrm")
    await user.open(f"/journeys/{journey.id}")
    await user.should_see("On site", retries=30)
    await user.should_not_see("Balance due (whole quote)")


async def test_the_desk_page_shows_the_balance_to_an_admin(
        integration: dict[str, Any], added: list[SimOpportunity], script: SimulatorScript,
        user: SimulatedUser) -> None:
    opp = added[0]
    await script.change_site(opp.id, payment=PAID, arrival_window="7:30-9:30", no_start=True)
    await script.set_value(opp.id, TOTAL)
    await run(integration["id"])
    journey = await _journey_of(opp.jobs[0].id)
    await sign_in(user, "admin@demo.ccrm")
    await user.open(f"/journeys/{journey.id}")
    await user.should_see("Balance due (whole quote)", retries=30)
    await user.should_see("$1,000")
    await user.should_see("Arrival window 07:30–09:30 — no fixed start: arrive within the window")


async def test_jobs_beyond_the_crew_horizon_get_their_details_when_they_come_closer(
        superadmin: Any, company_id: int, sim_url: str, sim: SimulatorState, script: SimulatorScript) -> None:
    later = await script.add(TODAY + dt.timedelta(days=PREMIUM_DAYS + 3))
    view = await save_integration(superadmin, company_id, IntegrationForm(
        base_url=sim_url, plan=IntegrationPlan.PREMIUM, active=True, sync_frequency_minutes=30,
        webhook_header="x-smartmoving-auth", api_key=SIM_KEY, sync_window_days=PREMIUM_DAYS + 4))
    await run(view["id"])
    job_id = later["job_ids"][0]
    assert "premium" not in (await synced_journeys())[job_id].external_data
    assert not any(later["id"] in path for path in sim.calls if path.startswith("/api/premium/"))

    await script.reschedule(later["id"], TOMORROW)  # now the crew's business: fetched on this run
    await run(view["id"])
    assert "premium" in (await synced_journeys())[job_id].external_data
