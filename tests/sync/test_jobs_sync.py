"""Jobs sync over real HTTP against the simulator into PostgreSQL: what it writes, that a
second run writes nothing, and that a change touches exactly its journey and never what
dispatch and crews added."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update

from db.enums import (
    CrewRole,
    DataSource,
    IntegrationPlan,
    JourneyStatus,
    Phase,
    StepStatus,
    SyncKind,
    SyncRunStatus,
)
from db.models import AuditEntry, CompanyBranch, CrewAssignment, Journey, JourneyStep, Location, Truck, User
from domain.events.bus import EventType, bus
from domain.events.touched import touched
from domain.access.rbac import Principal
from domain.sync.views import ListFilters, Window, journey_list
from domain.sync.settings import IntegrationForm, save_integration
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.server import SimulatorState
from tests.sync.conftest import principal_for
from tests.sync.helpers import window_job_ids, detail_calls, journey_writes, run, synced_journeys, window


async def test_first_run_writes_every_booked_job_of_today_and_tomorrow(integration: dict[str, Any],
                                                                       sim: SimulatorState) -> None:
    events: list[Any] = []
    bus.subscribe(events.append)
    sync = await run(integration["id"])
    expected = window_job_ids(sim)
    journeys = await synced_journeys()
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.error is None
    assert set(journeys) == expected and sync.created == len(expected) > 100
    assert (sync.updated, sync.unchanged, sync.failed) == (0, 0, 0)
    assert sync.processed == len(expected)
    assert sync.api_calls == len(sim.call_log)  # every request counted, the catalogue's included
    assert sync.details["catalogue"]["created"] > 0  # the first jobs run brings the catalogue
    first, last = window()
    assert all(first <= j.journey_date <= last and j.data_source is DataSource.SMARTMOVING for j in journeys.values())
    async with read_session() as session:
        steps = (await session.execute(
            select(JourneyStep.journey_id, JourneyStep.phase, JourneyStep.status)
            .where(JourneyStep.journey_id.in_([j.id for j in journeys.values()])))).all()
        audits = (await session.scalars(select(AuditEntry).where(AuditEntry.entity == "sync_run"))).all()
    assert len(steps) == 6 * len(journeys)
    assert {(p, s) for _, p, s in steps} == {(Phase.CREATION, StepStatus.IN_PROGRESS)} | {
        (p, StepStatus.PENDING) for p in list(Phase)[1:]}
    assert [(a.action, a.entity_id, a.new_values["created"]) for a in audits] == [("sync", str(sync.id), sync.created)]
    # one event for the whole write, however many journeys: it names (or covers) each of them
    batch, finished = [e for e in events if e.type is not EventType.SYNC_PROGRESS]
    assert (batch.type, finished.type) == (EventType.JOURNEYS_SYNCED, EventType.SYNC_FINISHED)
    assert batch.data["count"] == finished.data["created"] == sync.created
    assert all(touched(batch).journey(j.id, j.location_id, j.journey_date) for j in journeys.values())
    progress = [e.data["processed"] for e in events if e.type is EventType.SYNC_PROGRESS]
    assert len(progress) > 5 and progress == sorted(progress)  # throttled, moving forward


async def test_mapped_fields_match_the_simulator(integration: dict[str, Any], sim: SimulatorState) -> None:
    await run(integration["id"])
    journeys = await synced_journeys()
    first, last = window()
    async with read_session() as session:
        locations = dict((await session.execute(select(Location.id, Location.name))).all())
    one_address_seen = False
    for opp in sim.opportunities_between(first, last):
        for job in opp.jobs:
            journey = journeys.get(job.id)
            if journey is None:
                continue
            assert journey.customer_name == opp.customer_name
            assert journey.job_number == job.number and journey.confirmed is job.confirmed
            assert journey.origin_address == (job.addresses[0] if job.addresses else None)
            assert journey.destination_address == (job.addresses[-1] if len(job.addresses) > 1 else None)
            assert locations[journey.location_id].casefold() in opp.branch.name.casefold()
            start = journey.scheduled_start
            if start is not None and start.tzinfo is None:  # SQLite: naive UTC
                start = start.replace(tzinfo=dt.UTC)
            if opp.status not in (20, 30):  # a cancelled job's times are not fetched (one call saved)
                assert start == job.start
            assert journey.external_data["opportunity_id"] == opp.id
            one_address_seen |= len(job.addresses) == 1
    assert one_address_seen
    cancelled = {job.id for opp in sim.opportunities_between(first, last) if opp.status in (20, 30)
                 for job in opp.jobs}
    # cancelled/lost jobs of synced days show CANCELLED, though never seen booked: dispatch sees them
    assert cancelled and cancelled <= set(journeys)
    assert {e for e, j in journeys.items() if j.status is JourneyStatus.CANCELLED} == cancelled
    assert {journeys[e].sync_reason for e in cancelled} == {"cancelled in SmartMoving", "lost in SmartMoving"}
    assert all(j.status is JourneyStatus.SCHEDULED and j.sync_reason is None
               for e, j in journeys.items() if e not in cancelled)


async def test_a_second_run_writes_nothing_and_fetches_no_details(integration: dict[str, Any],
                                                                  sim: SimulatorState) -> None:
    await run(integration["id"])
    before = {e: j.updated_at for e, j in (await synced_journeys()).items()}
    details_before = detail_calls(sim)
    with journey_writes() as writes:
        again = await run(integration["id"])
    assert again.status is SyncRunStatus.SUCCEEDED
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert again.unchanged == len(before) and again.processed == len(before)
    assert writes == []
    assert detail_calls(sim) == details_before
    assert again.api_calls == 1 + (sim.calls["/api/customers"] > 2)  # the listing pages only
    assert {e: j.updated_at for e, j in (await synced_journeys()).items()} == before


async def test_a_full_run_refetches_details_but_writes_nothing_unchanged(integration: dict[str, Any],
                                                                        sim: SimulatorState) -> None:
    first = await run(integration["id"])
    details_before = detail_calls(sim)
    with journey_writes() as writes:
        full = await run(integration["id"], SyncKind.FULL_JOBS)
    assert (full.created, full.updated, full.unchanged) == (0, 0, first.created)
    assert detail_calls(sim) > details_before and writes == []


async def _dispatch_work_on(journey: Journey) -> dict[str, Any]:
    """What dispatch and crews add to a journey: truck, crew, notes, status, a completed step."""
    async with unit_of_work() as session:
        truck = await session.scalar(select(Truck).where(Truck.location_id == journey.location_id).limit(1))
        if truck is None:
            truck = Truck(company_id=journey.company_id, location_id=journey.location_id, number="T-TEST")
            session.add(truck)
            await session.flush()
        driver = await session.scalar(select(User).where(User.email == "driver@demo.ccrm"))
        await session.execute(update(Journey).where(Journey.id == journey.id).values(
            truck_id=truck.id, notes="bring the piano dolly", status=JourneyStatus.MORNING_PREP,
            current_phase=Phase.MORNING_PREP, progress=17))
        session.add(CrewAssignment(journey_id=journey.id, user_id=driver.id, journey_date=journey.journey_date,
                                   role=CrewRole.DRIVER))
        await session.execute(update(JourneyStep).where(JourneyStep.journey_id == journey.id,
                                                        JourneyStep.phase == Phase.CREATION)
                              .values(status=StepStatus.COMPLETED, completed_at=dt.datetime.now(dt.UTC)))
    return {"truck_id": truck.id, "driver_id": driver.id}


async def _steps(journey_id: int) -> list[tuple[Phase, StepStatus]]:
    async with read_session() as session:
        return list((await session.execute(select(JourneyStep.phase, JourneyStep.status)
                                           .where(JourneyStep.journey_id == journey_id)
                                           .order_by(JourneyStep.position))).all())


async def test_a_change_updates_exactly_its_journey_and_keeps_dispatch_work(integration: dict[str, Any],
                                                                           sim: SimulatorState) -> None:
    await run(integration["id"])
    journeys = await synced_journeys()
    target = next(j for j in journeys.values() if j.journey_date == window()[0] and j.sync_reason is None)
    opportunity_id = target.external_data["opportunity_id"]
    added = await _dispatch_work_on(target)
    steps_before = await _steps(target.id)
    before = {e: j.updated_at for e, j in (await synced_journeys()).items()}
    sim.update_opportunity(opportunity_id, customer_name="Renamed Customer", customer_phone="(416) 555-0000")
    events: list[Any] = []
    bus.subscribe(events.append)
    with journey_writes() as writes:
        sync = await run(integration["id"])
    siblings = {e for e, j in journeys.items() if j.external_data["opportunity_id"] == opportunity_id}
    assert (sync.created, sync.updated, sync.failed) == (0, len(siblings), 0)
    assert len(writes) == 1  # one upsert statement
    after = await synced_journeys()
    changed = {e for e in after if after[e].updated_at != before[e]}
    assert changed == siblings and target.external_id in changed
    journey = after[target.external_id]
    assert (journey.customer_name, journey.customer_phone) == ("Renamed Customer", "(416) 555-0000")
    assert (journey.truck_id, journey.notes, journey.status, journey.progress) == (
        added["truck_id"], "bring the piano dolly", JourneyStatus.MORNING_PREP, 17)
    assert journey.current_phase is Phase.MORNING_PREP
    assert await _steps(target.id) == steps_before
    async with read_session() as session:
        crew = (await session.scalars(
            select(CrewAssignment.user_id).where(CrewAssignment.journey_id == target.id))).all()
    assert crew == [added["driver_id"]]
    [batch] = [e for e in events if e.type is EventType.JOURNEYS_SYNCED]
    assert touched(batch).journey_ids == {after[e].id for e in siblings}
    assert batch.user_ids == (added["driver_id"],)  # the crew's phones refresh


async def test_a_cancelled_opportunity_cancels_its_journey_only(integration: dict[str, Any],
                                                                sim: SimulatorState) -> None:
    await run(integration["id"])
    journeys = await synced_journeys()
    target = next(j for j in journeys.values() if j.status is JourneyStatus.SCHEDULED)
    cancelled_before = sum(j.status is JourneyStatus.CANCELLED for j in journeys.values())
    await _dispatch_work_on(target)
    sim.update_opportunity(target.external_data["opportunity_id"], status=30)  # Lost
    sync = await run(integration["id"])
    after = await synced_journeys()
    assert after[target.external_id].status is JourneyStatus.CANCELLED
    assert after[target.external_id].sync_reason == "lost in SmartMoving"
    assert after[target.external_id].notes == "bring the piano dolly"
    assert after[target.external_id].truck_id is None  # released: the plan is broken, see Needs attention
    assert sync.updated >= 1 and sync.created == 0
    assert sum(j.status is JourneyStatus.CANCELLED for j in after.values()) - cancelled_before == sync.updated


async def test_a_new_booking_is_created_and_leads_are_ignored(integration: dict[str, Any],
                                                              sim: SimulatorState) -> None:
    await run(integration["id"])
    today = window()[0]
    booked = sim.add_opportunity(today, job_types=(1, 3))
    lead = sim.add_opportunity(today, status=0)
    sync = await run(integration["id"])
    journeys = await synced_journeys()
    assert sync.created == 2 and {j.id for j in booked.jobs} <= set(journeys)
    assert not {j.id for j in lead.jobs} & set(journeys)
    assert sync.details["ignored"] >= 1


async def test_an_unknown_branch_is_a_recorded_failure_and_the_rest_goes_on(integration: dict[str, Any],
                                                                           sim: SimulatorState) -> None:
    await run(integration["id"], SyncKind.CATALOGUE)
    async with unit_of_work() as session:  # unlink one branch as if SmartMoving had just added it
        branch = await session.scalar(select(CompanyBranch).where(CompanyBranch.name.like("CALGARY %")))
        await session.delete(branch)
    sync = await run(integration["id"])
    expected = window_job_ids(sim)
    calgary = {job.id for opp in sim.opportunities_between(*window()) if opp.branch.name == branch.name
               for job in opp.jobs if job.id in expected}
    assert calgary and sync.status is SyncRunStatus.SUCCEEDED
    assert sync.failed == len(calgary) and sync.created == len(expected) - len(calgary)
    assert all("unknown branch" in f["reason"] and "CALGARY" in f["reason"] for f in sync.details["failures"])
    assert set(await synced_journeys()) == expected - calgary


async def test_catalogue_links_demo_locations_and_creates_the_missing_ones(integration: dict[str, Any],
                                                                          sim: SimulatorState) -> None:
    async with read_session() as session:
        before = dict((await session.execute(select(Location.name, Location.id))).all())
    sync = await run(integration["id"], SyncKind.CATALOGUE)
    again = await run(integration["id"], SyncKind.CATALOGUE)
    async with read_session() as session:
        rows = (await session.execute(
            select(CompanyBranch.name, Location.name, Location.id, Location.timezone, Location.country)
            .join(Location, Location.id == CompanyBranch.location_id))).all()
        locations = await session.scalar(select(func.count()).select_from(Location))
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.created > len(rows)
    assert (again.created, again.updated) == (0, 0) and again.unchanged == sync.created
    assert len(rows) == len(sim.catalogue.branches) == locations
    by_branch = {b: (name, loc_id, tz, country) for b, name, loc_id, tz, country in rows}
    assert by_branch["CALGARY 🇨🇦 - Let's Get Moving"][:2] == ("Calgary", before["Calgary"])  # linked, not copied
    assert by_branch["NEW YORK 🇺🇸 - Let's Get Moving"][0] == "New York"  # created for a US branch
    assert by_branch["NEW YORK 🇺🇸 - Let's Get Moving"][2:] == ("America/New_York", "US")
    assert by_branch["DALLAS 🇺🇸 - Let's Get Moving"][2] == "America/Chicago"


async def test_the_dispatcher_sees_synced_jobs_of_their_branches_only(integration: dict[str, Any],
                                                                     sim: SimulatorState) -> None:
    await run(integration["id"])
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    listing = await journey_list(dispatcher, Window.TODAY, ListFilters(), smartmoving_only=True)
    journeys = await synced_journeys()
    mine = {j.id for j in journeys.values()
            if j.location_id in dispatcher.assigned_location_ids and j.journey_date == window()[0]}
    listed = {item["id"] for item in listing["items"]}
    assert mine and mine <= listed
    assert all(item["location_id"] in dispatcher.assigned_location_ids for item in listing["items"])
    assert all("estimated_value" not in item for item in listing["items"])
    assert "estimated_value" not in listing["stats"]


async def test_basic_plan_skips_the_premium_materials(superadmin: Principal, company_id: int, sim_url: str,
                                                     sim: SimulatorState) -> None:
    from tests.sync.conftest import SIM_KEY

    view = await save_integration(superadmin, company_id, IntegrationForm(
        base_url=sim_url, plan=IntegrationPlan.BASIC, active=True, sync_frequency_minutes=30,
        webhook_header="x-smartmoving-auth", api_key=SIM_KEY))
    sync = await run(view["id"], SyncKind.CATALOGUE)
    assert sync.status is SyncRunStatus.SUCCEEDED
    assert not any(path.startswith("/api/premium/") or path == "/api/tariffs" for path in sim.calls)
