"""Convergence: every SmartMoving lifecycle change, made through the simulator's scripting API
over real HTTP, leaves the journeys of the window equal to SmartMoving's truth after one cycle
(a regular run for what the listing shows, a full run or a webhook refresh for what only the
details show), and a planned journey the change breaks is released and listed under Needs
attention.

SmartMoving here is small (13 jobs on a few days, with the live API's awkward shapes mixed in),
so the default 14-day window syncs in a few seconds."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from nicegui.testing import User as SimulatedUser
from sqlalchemy import delete, select, update

from components.sync.attention import changes_in_words
from db.enums import CrewRole, DataSource, IntegrationPlan, JourneyStatus, Phase, SyncKind, SyncRunStatus
from db.models import AuditEntry, CrewAssignment, Journey, JourneyAttention, Location, SyncRun, Truck, User
from domain.access.rbac import Principal
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.events.bus import EventType, bus
from domain.events.touched import touched
from domain.sync.attention import needs_attention, resolve_attention
from domain.sync.call_plan import WINDOW, Scope
from domain.sync.drift import MISSING, STALE, drift_report
from domain.sync.runs import open_run
from domain.sync.service import refresh_opportunities, run_sync, wait_for_background
from domain.sync.settings import IntegrationForm, save_integration
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.data import SimOpportunity
from integrations.smartmoving.simulator.script import SimulatorScript
from integrations.smartmoving.simulator.server import SimulatorState
from tests.smartmoving.conftest import API_KEY, SEED
from tests.sync.conftest import FAST, bearer, principal_for
from tests.sync.helpers import detail_calls, journey_writes, run, synced_journeys, truth_mismatches, window

TODAY = window()[0]
DAYS = {offset: TODAY + dt.timedelta(days=offset) for offset in (0, 1, 6, 13, 14, 20)}
LAST = DAYS[13]  # the default window: today and the next 13 days


@pytest.fixture
def sim_state() -> SimulatorState:
    """A small SmartMoving: 13 jobs on each of a few days, inside and outside the window, with
    empty charges, missing estimates and shared customers mixed in, states written out; plus
    five booked one-job opportunities on the days the tests change things."""
    state = SimulatorState(seed=SEED, api_key=API_KEY, jobs_on={day: 13 for day in DAYS.values()},
                           awkward=True, state_names_in_full=True)
    for offset in (0, 1, 6, 20):
        for _ in range(5):
            state.add_opportunity(DAYS[offset])
    return state


@pytest.fixture
async def script(sim_url: str) -> AsyncIterator[SimulatorScript]:
    async with SimulatorScript(sim_url, API_KEY) as sm:
        yield sm


@pytest.fixture
async def integration14(superadmin: Principal, company_id: int, sim_url: str) -> int:
    """The integration with the default window (14 days)."""
    from tests.sync.conftest import SIM_KEY, WEBHOOK_SECRET

    view = await save_integration(superadmin, company_id, IntegrationForm(
        base_url=sim_url, plan=IntegrationPlan.PREMIUM, active=True, sync_frequency_minutes=30,
        webhook_header="x-smartmoving-auth", api_key=SIM_KEY, webhook_secret=WEBHOOK_SECRET))
    assert view["sync_window_days"] == 14
    return int(view["id"])


async def mismatches(script: SimulatorScript, *, first: dt.date = TODAY, last: dt.date = LAST) -> list[str]:
    """Every difference between SmartMoving's truth (read over HTTP) and the journeys of the window."""
    return truth_mismatches(await script.truth(first, last), await synced_journeys(), first, last)


def _pick(sim: SimulatorState, offset: int, count: int, *, status: int = 4) -> list[SimOpportunity]:
    """`count` one-job opportunities of that day in `status`, with times."""
    picked = [o for o in sim.opportunities_on(DAYS[offset]) if o.status == status and len(o.jobs) == 1
              and o.jobs[0].start is not None]
    assert len(picked) >= count, f"day +{offset} has {len(picked)} such opportunities"
    return picked[:count]


async def test_the_first_run_converges_the_whole_window_with_awkward_shapes(
        integration14: int, sim: SimulatorState, script: SimulatorScript) -> None:
    sync = await run(integration14)
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.failed == 0, sync.details
    assert await mismatches(script) == []
    journeys = await synced_journeys()
    assert {j.journey_date for j in journeys.values()} == {DAYS[o] for o in (0, 1, 6, 13)}  # 14 days, no more
    values = [j.estimated_value for j in journeys.values()]
    assert Decimal("0.00") not in values  # empty charges never make a value of 0.00
    null_total = {o.jobs[0].id for d in DAYS.values() for o in sim.opportunities_on(d) if o.null_total}
    assert any(journeys[j].estimated_value is None for j in null_total if j in journeys)
    # the repeated customers and shared ones count each job once
    assert sync.created == len(journeys) and sync.processed == sync.created
    async with read_session() as session:  # states written out ("Texas") still place new branches
        placed = {name: (country, zone) for name, country, zone in await session.execute(
            select(Location.name, Location.country, Location.timezone)
            .where(Location.name.in_(("Dallas", "New York", "Phoenix"))))}
    assert placed == {"Dallas": ("US", "America/Chicago"), "New York": ("US", "America/New_York"),
                      "Phoenix": ("US", "America/Phoenix")}


async def test_every_lifecycle_change_converges_in_one_cycle(integration14: int, sim: SimulatorState,
                                                             script: SimulatorScript) -> None:
    await run(integration14)
    cancelled, lost, unbooked, deleted = _pick(sim, 0, 4)
    moved_in, moved_out = _pick(sim, 1, 2)
    from_outside = _pick(sim, 20, 1)[0]
    await script.cancel(cancelled.id)
    await script.lose(lost.id)
    await script.unbook(unbooked.id)
    await script.delete(deleted.id)
    await script.reschedule(moved_in.id, DAYS[6])
    await script.reschedule(moved_out.id, DAYS[20])
    await script.reschedule(from_outside.id, DAYS[1])
    added = await script.add(DAYS[6], job_types=(1, 3))
    never_booked = await script.add(DAYS[0], status=20)  # cancelled before any sync saw it booked
    events: list[Any] = []
    bus.subscribe(events.append)

    sync = await run(integration14)

    assert sync.status is SyncRunStatus.SUCCEEDED and sync.failed == 0, sync.details
    assert await mismatches(script) == []
    journeys = await synced_journeys()
    reasons = {o.jobs[0].id: journeys[o.jobs[0].id].sync_reason for o in (cancelled, lost, unbooked, deleted)}
    assert reasons == {cancelled.jobs[0].id: "cancelled in SmartMoving", lost.jobs[0].id: "lost in SmartMoving",
                       unbooked.jobs[0].id: "no longer booked in SmartMoving (status Opportunity)",
                       deleted.jobs[0].id: "no longer in SmartMoving"}
    assert journeys[moved_in.jobs[0].id].journey_date == DAYS[6]
    assert journeys[moved_out.jobs[0].id].journey_date == DAYS[20]  # followed outside the window
    assert journeys[moved_out.jobs[0].id].status is JourneyStatus.SCHEDULED
    assert journeys[from_outside.jobs[0].id].journey_date == DAYS[1]
    assert set(added["job_ids"]) <= set(journeys)
    assert journeys[never_booked["job_ids"][0]].status is JourneyStatus.CANCELLED
    cancelled_ids = {journeys[o.jobs[0].id].id for o in (cancelled, lost, unbooked, deleted)}
    [batch] = [e for e in events if e.type is EventType.JOURNEYS_SYNCED]
    assert cancelled_ids <= (touched(batch).journey_ids or set())
    async with read_session() as session:
        audited = dict((await session.execute(
            select(AuditEntry.entity_id, AuditEntry.action).where(AuditEntry.entity == "journey"))).all())
    assert {audited[str(i)] for i in cancelled_ids} == {"sync_cancelled"}
    assert audited[str(journeys[moved_in.jobs[0].id].id)] == "sync_moved"

    # re-booked after the cancellation: back to its live status
    await script.book(cancelled.id)
    await script.book(lost.id)
    again = await run(integration14)
    assert again.updated == 2 and await mismatches(script) == []
    revived = (await synced_journeys())[cancelled.jobs[0].id]
    assert (revived.status, revived.sync_reason) == (JourneyStatus.SCHEDULED, None)

    # converged: the next run writes nothing and fetches no details (the deleted job is not sought again)
    details = detail_calls(sim)
    with journey_writes() as writes:
        quiet = await run(integration14)
    assert writes == [] and detail_calls(sim) == details
    assert (quiet.created, quiet.updated, quiet.failed) == (0, 0, 0)


async def test_details_only_changes_converge_on_a_full_cycle(integration14: int, sim: SimulatorState,
                                                             script: SimulatorScript) -> None:
    await run(integration14)
    timed, addressed, valued, unvalued = _pick(sim, 0, 4)
    await script.change_job(timed.id, start=timed.jobs[0].start + dt.timedelta(hours=3))  # type: ignore[operator]
    await script.change_job(addressed.id, addresses=["1 New Origin St, Toronto, Ontario", "2 New Dest Ave, Toronto"])
    await script.set_value(valued.id, 1302.5)
    await script.set_value(unvalued.id, None)
    regular = await run(integration14)
    assert regular.updated == 0  # the listing does not show them
    full = await run(integration14, SyncKind.FULL_JOBS)
    assert full.updated == 4 and await mismatches(script) == []
    journeys = await synced_journeys()
    assert journeys[valued.jobs[0].id].estimated_value == Decimal("1302.50")
    assert journeys[unvalued.jobs[0].id].estimated_value is None


async def test_webhook_refreshes_converge_deleted_unbooked_and_moved_opportunities(
        integration14: int, sim: SimulatorState, script: SimulatorScript) -> None:
    await run(integration14)
    deleted, unbooked, moved, timed = _pick(sim, 1, 4)
    await script.delete(deleted.id)
    await script.unbook(unbooked.id)
    await script.reschedule(moved.id, DAYS[20])
    await script.change_job(timed.id, start=timed.jobs[0].start + dt.timedelta(hours=2))  # type: ignore[operator]
    run_id = await refresh_opportunities(integration14, [deleted.id, unbooked.id, moved.id, timed.id], **FAST)
    async with read_session() as session:
        refresh = await session.get_one(SyncRun, run_id)
    assert refresh.status is SyncRunStatus.SUCCEEDED and refresh.updated == 4 and refresh.failed == 0
    assert await mismatches(script) == []
    journeys = await synced_journeys()
    assert journeys[deleted.jobs[0].id].sync_reason == "no longer in SmartMoving"
    assert journeys[moved.jobs[0].id].journey_date == DAYS[20]


# --- no silent change to a plan ------------------------------------------------------------


async def _assign(journey: Journey, truck_number: str, email: str, *,
                  role: CrewRole = CrewRole.DRIVER) -> tuple[int, int]:
    async with unit_of_work() as session:
        truck = await session.scalar(select(Truck).where(Truck.number == truck_number))
        if truck is None:
            truck = Truck(company_id=journey.company_id, location_id=journey.location_id, number=truck_number)
            session.add(truck)
            await session.flush()
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        await session.execute(update(Journey).where(Journey.id == journey.id).values(truck_id=truck.id))
        session.add(CrewAssignment(journey_id=journey.id, user_id=user.id, journey_date=journey.journey_date,
                                   role=role))
        return truck.id, user.id


async def _crew(journey_id: int) -> list[int]:
    async with read_session() as session:
        return list(await session.scalars(
            select(CrewAssignment.user_id).where(CrewAssignment.journey_id == journey_id)))


async def test_a_change_that_breaks_a_plan_releases_it_and_needs_attention(
        integration14: int, sim: SimulatorState, script: SimulatorScript) -> None:
    await run(integration14)
    cancelled, deleted, clashing, keeping = _pick(sim, 0, 4)
    holder = _pick(sim, 6, 1)[0]
    journeys = await synced_journeys()
    j = {o.id: journeys[o.jobs[0].id] for o in (cancelled, deleted, clashing, keeping, holder)}
    truck_c, driver = await _assign(j[cancelled.id], "T-C", "driver@demo.ccrm")
    await _assign(j[deleted.id], "T-D", "mover@demo.ccrm", role=CrewRole.MOVER)
    truck_x, _ = await _assign(j[clashing.id], "T-X", "driver@demo.ccrm")
    await _assign(j[holder.id], "T-X", "mover@demo.ccrm", role=CrewRole.MOVER)  # T-X is booked on day +6 too
    truck_k, _ = await _assign(j[keeping.id], "T-K", "driver@demo.ccrm")
    await script.cancel(cancelled.id)
    await script.delete(deleted.id)
    await script.reschedule(clashing.id, DAYS[6])  # onto the holder's time: T-X cannot be in two places
    await script.change_job(clashing.id, start=holder.jobs[0].start, end=holder.jobs[0].end)
    await script.reschedule(keeping.id, DAYS[13])  # T-K and the driver are free then
    events: list[Any] = []
    bus.subscribe(events.append)

    sync = await run(integration14, SyncKind.FULL_JOBS)

    assert sync.status is SyncRunStatus.SUCCEEDED and await mismatches(script) == []
    after = {o.id: (await synced_journeys())[o.jobs[0].id] for o in (cancelled, deleted, clashing, keeping, holder)}
    assert [after[o.id].truck_id for o in (cancelled, deleted, clashing)] == [None, None, None]
    assert [await _crew(after[o.id].id) for o in (cancelled, deleted, clashing)] == [[], [], []]
    assert after[keeping.id].truck_id == truck_k and await _crew(after[keeping.id].id)  # still valid: kept
    assert after[holder.id].truck_id == truck_x  # the other booking is untouched
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    admin = await principal_for("admin@demo.ccrm")
    async with read_session() as session:
        listed = {item.journey_id: item for item in await needs_attention(session, admin)}
        mine = await needs_attention(session, dispatcher)
        stored = (await session.scalars(select(JourneyAttention))).all()
    assert {after[o.id].id: listed[after[o.id].id].kind for o in (cancelled, deleted, clashing, keeping)} == {
        after[cancelled.id].id: "CANCELLED", after[deleted.id].id: "GONE",
        after[clashing.id].id: "CONFLICT", after[keeping.id].id: "RESCHEDULED"}
    assert len(stored) == 4
    clash = listed[after[clashing.id].id]
    assert clash.changes["journey_date"] == [DAYS[0].isoformat(), DAYS[6].isoformat()]
    assert "overlaps the truck's booking" in clash.reason and clash.released["truck_id"] == truck_x
    assert listed[after[cancelled.id].id].released == {"truck_id": truck_c, "crew_user_ids": [driver]}
    assert listed[after[cancelled.id].id].changes["status"] == ["SCHEDULED", "CANCELLED"]
    assert f"date {DAYS[0]:%a %d %b} → {DAYS[6]:%a %d %b}" in changes_in_words(clash)
    assert all(item.location_id in dispatcher.scoped_location_ids for item in mine)  # the dispatcher's scope only
    assert {i.journey_id for i in mine} == {i for i, item in listed.items()
                                            if item.location_id in dispatcher.scoped_location_ids}
    [batch] = [e for e in events if e.type is EventType.JOURNEYS_SYNCED]
    assert batch.data["needs_attention"] == sorted(after[o.id].id for o in (cancelled, deleted, clashing, keeping))
    assert driver in batch.user_ids  # the released driver's phone refreshes

    # the released journeys stay released, and nothing is raised twice
    again = await run(integration14, SyncKind.FULL_JOBS)
    assert again.updated == 0
    async with read_session() as session:
        assert len((await session.scalars(select(JourneyAttention))).all()) == 4


async def test_finished_work_keeps_its_crew_and_truck_and_is_only_flagged(
        integration14: int, sim: SimulatorState, script: SimulatorScript) -> None:
    await run(integration14)
    done = _pick(sim, 0, 1)[0]
    journey = (await synced_journeys())[done.jobs[0].id]
    truck_id, driver = await _assign(journey, "T-F", "driver@demo.ccrm")
    async with unit_of_work() as session:
        await session.execute(update(Journey).where(Journey.id == journey.id).values(
            status=JourneyStatus.COMPLETED, current_phase=Phase.COMPLETION, progress=100))
    await script.cancel(done.id)
    await run(integration14)
    after = (await synced_journeys())[done.jobs[0].id]
    assert after.truck_id == truck_id and await _crew(after.id) == [driver]  # the record of the work stays
    async with read_session() as session:
        [item] = await needs_attention(session, await principal_for("admin@demo.ccrm"))
    assert (item.journey_id, item.kind, item.released) == (after.id, "CANCELLED", {})
    assert item.changes["status"] == ["COMPLETED", "CANCELLED"]


async def test_spec_shaped_pages_and_customers_listed_twice_converge(integration14: int, sim: SimulatorState,
                                                                    script: SimulatorScript) -> None:
    first, second = _pick(sim, 0, 2)
    customer = await script.share_customer([first.id, second.id])
    await script.repeat_customer(customer)
    await script.settings(customers_as_bare_array=True)
    sync = await run(integration14)
    journeys = await synced_journeys()
    assert sync.failed == 0 and sync.created == len(journeys) == sync.processed
    assert {first.jobs[0].id, second.jobs[0].id} <= set(journeys)
    assert await mismatches(script) == []


# --- isolation ----------------------------------------------------------------------------


async def test_one_failing_opportunity_is_counted_and_the_run_goes_on(integration14: int, sim: SimulatorState,
                                                                     script: SimulatorScript) -> None:
    server_error, refused, malformed = _pick(sim, 0, 3)
    await script.fail(server_error.id, 500)
    await script.fail(refused.id, 422)
    sim.malformed_opportunity_ids.add(malformed.id)
    sync = await run(integration14)
    assert sync.status is SyncRunStatus.SUCCEEDED
    reasons = {f["ref"]: f["reason"] for f in sync.details["failures"]}
    assert "HTTP 500" in reasons[f"job:{server_error.jobs[0].id}"]
    assert "HTTP 422" in reasons[f"job:{refused.jobs[0].id}"]
    assert sync.failed >= 3
    bad = {server_error.jobs[0].id, refused.jobs[0].id, malformed.jobs[0].id}
    journeys = await synced_journeys()
    assert not bad & set(journeys) and len(journeys) == sync.created > 20
    await script.fail(server_error.id, None)
    await script.fail(refused.id, None)
    sim.malformed_opportunity_ids.clear()
    healed = await run(integration14)
    assert healed.failed == 0 and await mismatches(script) == []


async def test_a_bad_key_still_fails_the_whole_run(integration14: int, sim: SimulatorState) -> None:
    sim.api_key = "rotated"
    sync = await run(integration14)
    assert sync.status is SyncRunStatus.FAILED and "AuthenticationError" in (sync.error or "")
    assert await synced_journeys() == {}


# --- the window ---------------------------------------------------------------------------


async def test_the_window_is_a_company_setting(superadmin: Principal, company_id: int, integration14: int,
                                               sim_url: str, script: SimulatorScript) -> None:
    def form(days: int | None) -> IntegrationForm:
        return IntegrationForm(base_url=sim_url, plan=IntegrationPlan.PREMIUM, active=True,
                               sync_frequency_minutes=30, webhook_header="x-smartmoving-auth", sync_window_days=days)

    for wrong in (0, 63):
        with pytest.raises(ValidationFailed, match="sync window"):
            await save_integration(superadmin, company_id, form(wrong))
    assert (await save_integration(superadmin, company_id, form(2)))["sync_window_days"] == 2
    view = await save_integration(superadmin, company_id, form(None))  # the form without it keeps it
    assert view["sync_window_days"] == 2
    await run(integration14)
    assert {j.journey_date for j in (await synced_journeys()).values()} == {DAYS[0], DAYS[1]}
    assert await mismatches(script, last=DAYS[1]) == []


# --- the drift report, "Reconcile now" and "Mark handled" --------------------------------------
@pytest.fixture
async def synced_only(integration14: int) -> int:
    """The demo seed's "SmartMoving" journeys were never synced (the simulator has no such jobs):
    without them, the board can equal SmartMoving."""
    async with unit_of_work() as session:
        await session.execute(delete(Journey).where(Journey.data_source == DataSource.SMARTMOVING,
                                                    Journey.external_opportunity_id.is_(None)))
    return integration14


async def test_a_journey_that_never_came_from_a_sync_is_drift(integration14: int, company_id: int,
                                                              superadmin: Principal) -> None:
    await run(integration14)
    report = await drift_report(superadmin, company_id)
    unsynced = [m for m in report.mismatches if m.reason.startswith("no SmartMoving opportunity")]
    assert unsynced and all(m.kind == STALE for m in unsynced) and report.mismatch_count == len(unsynced)


async def test_a_converged_run_reports_no_drift_and_counts_every_booked_job(
        synced_only: int, company_id: int, superadmin: Principal) -> None:
    integration14 = synced_only
    assert (await drift_report(superadmin, company_id)).reconciled_at is None  # nothing reconciled yet
    sync = await run(integration14)
    report = await drift_report(superadmin, company_id)
    assert report.run_id == sync.id and report.reconciled_at is not None and report.last_full_at is None
    assert report.mismatch_count == 0 and report.mismatches == ()
    live = [j for j in (await synced_journeys()).values()
            if j.status is not JourneyStatus.CANCELLED and report.first <= j.journey_date <= report.last]  # type: ignore[operator]
    assert sum(r.booked for r in report.rows) == sum(r.on_board for r in report.rows) == len(live) > 0
    assert all(r.booked == r.on_board == r.matched for r in report.rows)
    assert "a branch not known yet" not in {r.branch for r in report.rows}
    full = await run(integration14, SyncKind.FULL_JOBS)
    assert (await drift_report(superadmin, company_id)).last_full_at == full.finished_at


async def test_every_mismatch_is_listed_with_its_reason(
        synced_only: int, company_id: int, superadmin: Principal, sim: SimulatorState,
        script: SimulatorScript) -> None:
    integration14 = synced_only
    await run(integration14)
    failing, board_cancelled, stale = _pick(sim, 1, 3)
    await script.fail(failing.id, 422)  # its details refused: it cannot be refreshed
    await script.reschedule(failing.id, DAYS[6])
    await script.unbook(stale.id)  # un-booked, and its details refused: the journey stays live
    await script.fail(stale.id, 422)
    async with unit_of_work() as session:  # a dispatcher cancelled a booked job on the board
        await session.execute(update(Journey).where(Journey.external_id == board_cancelled.jobs[0].id)
                              .values(status=JourneyStatus.CANCELLED))
    sync = await run(integration14)
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.failed == 2

    report = await drift_report(superadmin, company_id)
    found = {(m.kind, m.job): m for m in report.mismatches}
    assert set(found) == {(MISSING, failing.jobs[0].id), (STALE, failing.jobs[0].id),
                          (MISSING, board_cancelled.jobs[0].id), (STALE, stale.jobs[0].id)}
    assert report.mismatch_count == 4
    assert "422" in found[(MISSING, failing.jobs[0].id)].reason  # the failed fetch says why
    assert found[(MISSING, board_cancelled.jobs[0].id)].reason == "cancelled on the board"
    assert found[(STALE, stale.jobs[0].id)].customer
    assert sum(r.booked - r.matched for r in report.rows) == 2  # the failing job (moved) and the cancelled one

    # the faults gone, one run converges again
    await script.fail(failing.id, None)
    await script.fail(stale.id, None)
    await run(integration14)
    assert {m.job for m in (await drift_report(superadmin, company_id)).mismatches} == {board_cancelled.jobs[0].id}


async def test_the_drift_api_and_reconcile_now(synced_only: int, company_id: int, fast_client_rate: None,
                                               user: SimulatedUser) -> None:
    integration14 = synced_only
    await run(integration14)
    response = await user.http_client.get(f"/api/companies/{company_id}/drift",
                                          headers=await bearer("admin@demo.ccrm"))
    body = response.json()["data"]
    assert response.status_code == 200 and body["mismatch_count"] == 0 and body["days"]
    assert {"date", "branch", "smartmoving_booked", "on_board", "matched"} <= set(body["days"][0])
    started = await user.http_client.post(f"/api/companies/{company_id}/reconcile",
                                          headers=await bearer("superadmin@demo.ccrm"))
    assert started.status_code == 202
    await wait_for_background()
    async with read_session() as session:
        reconciled = await session.get_one(SyncRun, started.json()["data"]["run_id"])
    assert (reconciled.kind, reconciled.status) == (SyncKind.FULL_JOBS, SyncRunStatus.SUCCEEDED)
    denied = await user.http_client.post(f"/api/companies/{company_id}/reconcile",
                                         headers=await bearer("admin@demo.ccrm"))
    assert denied.status_code == 403


async def test_mark_handled_takes_an_entry_off_the_list_within_scope(integration14: int, company_id: int) -> None:
    await run(integration14)
    journey = next(j for j in (await synced_journeys()).values() if j.status is JourneyStatus.SCHEDULED)
    async with unit_of_work() as session:
        entry = JourneyAttention(company_id=company_id, location_id=journey.location_id, journey_id=journey.id,
                                 kind="RESCHEDULED", reason="rescheduled in SmartMoving",
                                 changes={"scheduled_start": ["2026-12-03T14:00:00+00:00",
                                                              "2026-12-03T17:00:00+00:00"]},
                                 released={})
        session.add(entry)
        await session.flush()
        entry_id = entry.id
    admin = await principal_for("admin@demo.ccrm")
    auditor = await principal_for("auditor@demo.ccrm")
    with pytest.raises(Forbidden):  # an auditor reads, never handles
        await resolve_attention(auditor, entry_id)
    async with read_session() as session:
        assert [i.id for i in await needs_attention(session, admin)] == [entry_id]
    await resolve_attention(admin, entry_id)
    async with read_session() as session:
        assert await needs_attention(session, admin) == []
        handled = await session.get_one(JourneyAttention, entry_id)
        audited = await session.scalar(select(AuditEntry.action).where(
            AuditEntry.entity == "journey_attention", AuditEntry.entity_id == str(entry_id)))
    assert handled.resolved_by_id == admin.user_id and audited == "resolve"
    with pytest.raises(NotFound):
        await resolve_attention(admin, entry_id + 1000)


# --- the call plan's runs: near runs and their rolling refresh -----------------------------------
async def _scoped(integration_id: int, scope: Scope, kind: SyncKind = SyncKind.JOBS) -> SyncRun:
    info = await open_run(integration_id, kind, "test", scope)
    await run_sync(info, **FAST)
    async with read_session() as session:
        return await session.get_one(SyncRun, info.run_id)


async def test_near_runs_list_two_days_and_reread_their_slice_of_details(
        integration14: int, sim: SimulatorState, script: SimulatorScript) -> None:
    await run(integration14)
    far = _pick(sim, 6, 1)[0]
    first, second = _pick(sim, 0, 2)
    await script.cancel(far.id)
    for opportunity in (first, second):  # details only: the listing does not show it
        await script.change_job(opportunity.id, start=opportunity.jobs[0].start + dt.timedelta(hours=2))  # type: ignore[operator]
    calls: list[int] = []
    for index in (0, 1):
        before = detail_calls(sim)
        near = await _scoped(integration14, Scope(2, (index, 2)))
        calls.append(detail_calls(sim) - before)
        assert near.status is SyncRunStatus.SUCCEEDED and near.details["scope"] == {"days": 2, "refresh": [index, 2]}
    journeys = await synced_journeys()
    assert journeys[far.jobs[0].id].status is JourneyStatus.SCHEDULED  # later days wait for the window run
    assert await mismatches(script, last=DAYS[1]) == []  # today and tomorrow: converged, details included
    await _scoped(integration14, WINDOW)
    assert (await synced_journeys())[far.jobs[0].id].status is JourneyStatus.CANCELLED  # the window run saw it
    assert await mismatches(script) == []
    before = detail_calls(sim)
    full = await _scoped(integration14, WINDOW, SyncKind.FULL_JOBS)  # every near job's details at once
    everything = detail_calls(sim) - before
    assert full.status is SyncRunStatus.SUCCEEDED and 0 < calls[0] < everything and 0 < calls[1] < everything
    assert sum(calls) >= everything  # the two slices cover all near jobs
