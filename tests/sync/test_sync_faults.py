"""Fault runs against the simulator's fault switches: whatever happens, the database ends
consistent — nothing lost, nothing duplicated, failures recorded on the SyncRun."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db.enums import IntegrationStatus, SyncKind, SyncRunStatus
from db.models import CompanyIntegration
from domain.sync.secrets import encrypt_secret
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.server import SimulatorState
from tests.fake_clock import CountingClock, FakeClock
from tests.sync.helpers import journey_count, run, synced_journeys, window, window_job_ids


async def _integration_state(integration_id: int) -> CompanyIntegration:
    async with read_session() as session:
        return await session.get_one(CompanyIntegration, integration_id)


async def test_a_429_storm_is_ridden_out_and_every_429_is_counted(integration: dict[str, Any],
                                                                  sim: SimulatorState) -> None:
    sim.rate_limit_per_minute = 150
    sim.rate_limit_window_seconds = 0.5
    # The simulator's window is counted in requests (a clock that moves 1/200 of the window per
    # request): 150 of every 200 requests get through, however fast the machine sends them.
    sim.clock = CountingClock(tick=0.5 / 200)
    sync = await run(integration["id"], max_retries=30, max_backoff=0.01)
    limited = [r for r in sim.call_log if r.status == 429]
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.failed == 0
    assert len(limited) > 0
    assert sync.api_calls == len(sim.call_log)  # 429s count against the quota
    assert set(await synced_journeys()) == window_job_ids(sim)


async def test_random_500s_are_retried_and_nothing_is_lost_or_doubled(integration: dict[str, Any],
                                                                     sim: SimulatorState) -> None:
    sim.error_rate = 0.2
    sync = await run(integration["id"], max_retries=12)
    assert sync.status is SyncRunStatus.SUCCEEDED
    assert [r.status for r in sim.call_log].count(500) > 10
    journeys = await synced_journeys()
    assert set(journeys) == window_job_ids(sim) and sync.created == len(journeys)
    again = await run(integration["id"], max_retries=12)
    assert (again.created, again.updated) == (0, 0) and len(await synced_journeys()) == len(journeys)


async def test_a_run_that_cannot_finish_writes_no_journey_and_says_why(integration: dict[str, Any],
                                                                       sim: SimulatorState) -> None:
    await run(integration["id"], SyncKind.CATALOGUE)
    before = await journey_count()
    sim.error_rate = 1.0
    failed = await run(integration["id"], max_retries=2)
    assert failed.status is SyncRunStatus.FAILED
    assert failed.error.startswith("ServerError") and "HTTP 500" in failed.error
    assert failed.api_calls == 3 == len([r for r in sim.call_log if r.status == 500])
    assert (failed.created, failed.updated) == (0, 0) and failed.finished_at is not None
    assert await journey_count() == before
    state = await _integration_state(integration["id"])
    assert state.status is IntegrationStatus.ERROR and "HTTP 500" in state.last_error
    sim.error_rate = 0.0
    recovered = await run(integration["id"])
    assert recovered.status is SyncRunStatus.SUCCEEDED
    assert set(await synced_journeys()) == window_job_ids(sim)
    assert (await _integration_state(integration["id"])).status is IntegrationStatus.OK


async def test_an_outage_half_way_through_the_details_keeps_what_was_fetched(integration: dict[str, Any],
                                                                             sim: SimulatorState) -> None:
    """The listing succeeds, then the API dies during the details: the run writes the journeys it
    fetched (each whole), counts the rest failed, and fails as "unreachable" on a fake clock."""
    await run(integration["id"])
    changed = {opp.id for opp in sim.opportunities_between(*window())[:60]}
    for opportunity_id in changed:
        sim.update_opportunity(opportunity_id, customer_phone="(999) 555-0101")
    sim.requests_before_outage = sim.calls["/api/customers"] + 20  # the listing, then 20 detail calls
    clock, calls_before = FakeClock(), len(sim.call_log)
    failed = await run(integration["id"], clock=clock, sleep=clock.sleep, retry_for=10.0, unreachable_after=30.0,
                       backoff_base=1.0, max_retries=None)
    assert failed.api_calls == len(sim.call_log) - calls_before  # exactly the requests SmartMoving saw
    assert failed.status is SyncRunStatus.FAILED and failed.error.startswith("UnreachableError")
    assert failed.failed > 0 and failed.updated > 0 and failed.created == 0
    journeys = await synced_journeys()
    touched = {e for e, j in journeys.items() if j.external_data["opportunity_id"] in changed}
    written = {e for e in touched if journeys[e].customer_phone == "(999) 555-0101"}
    assert len(written) == failed.updated < len(touched)  # what was fetched is kept, the rest waits
    assert (await _integration_state(integration["id"])).status is IntegrationStatus.ERROR
    sim.requests_before_outage = None
    recovered = await run(integration["id"])
    assert recovered.status is SyncRunStatus.SUCCEEDED and recovered.failed == 0
    assert recovered.updated == len(touched) - len(written)
    assert {e for e, j in (await synced_journeys()).items() if j.customer_phone == "(999) 555-0101"} == touched


async def test_a_call_out_of_retries_fails_only_its_records(integration: dict[str, Any], sim: SimulatorState) -> None:
    """A few opportunities fail for good (500s, 429s): their jobs are counted failed with the
    reason, and every other journey of the run is written."""
    await run(integration["id"], SyncKind.CATALOGUE)
    booked = [opp for opp in sim.opportunities_between(*window()) if opp.status == 4]
    broken = {booked[0].id: 500, booked[1].id: 429, booked[2].id: 503}
    sim.failing_opportunity_ids = dict(broken)
    sync = await run(integration["id"], max_retries=2)
    assert sync.status is SyncRunStatus.SUCCEEDED
    lost = {job.id for opp in booked[:3] for job in opp.jobs if window()[0] <= job.day <= window()[1]}
    assert sync.failed == len(lost) and {f["ref"] for f in sync.details["failures"]} == {f"job:{j}" for j in lost}
    assert all("HTTP" in f["reason"] for f in sync.details["failures"])
    assert set(await synced_journeys()) == window_job_ids(sim) - lost
    sim.failing_opportunity_ids = {}
    healed = await run(integration["id"])
    assert healed.created == len(lost) and set(await synced_journeys()) == window_job_ids(sim)


async def test_timeouts_fail_the_run_cleanly(integration: dict[str, Any], sim: SimulatorState) -> None:
    sim.delay_seconds = 0.3
    failed = await run(integration["id"], timeout=0.1, max_retries=1)
    assert failed.status is SyncRunStatus.FAILED and failed.error.startswith("RequestTimeoutError")
    assert failed.api_calls == 2
    assert await synced_journeys() == {}


async def test_a_malformed_record_is_one_failure_and_the_rest_is_synced(integration: dict[str, Any],
                                                                        sim: SimulatorState) -> None:
    booked = [opp for opp in sim.opportunities_between(*window()) if opp.status == 4]
    bad = booked[0]
    sim.malformed_opportunity_ids = {bad.id}
    sync = await run(integration["id"])
    assert sync.status is SyncRunStatus.SUCCEEDED
    assert sync.failed == 1 and "listing" in sync.details["failures"][0]["ref"]
    assert "missing id" in sync.details["failures"][0]["reason"]
    assert set(await synced_journeys()) == window_job_ids(sim) - {job.id for job in bad.jobs}
    sim.malformed_opportunity_ids = set()
    healed = await run(integration["id"])
    assert healed.created == len(bad.jobs) and healed.failed == 0
    assert set(await synced_journeys()) == window_job_ids(sim)


async def test_a_wrong_api_key_fails_at_once(integration: dict[str, Any], sim: SimulatorState) -> None:
    async with unit_of_work() as session:
        stored = await session.get_one(CompanyIntegration, integration["id"])
        stored.api_key_encrypted = encrypt_secret("not-the-key")
    failed = await run(integration["id"])
    assert failed.status is SyncRunStatus.FAILED and failed.error.startswith("AuthenticationError")
    assert "not-the-key" not in failed.error
    assert failed.api_calls == 1 and await synced_journeys() == {}
    async with read_session() as session:
        runs = await session.scalar(
            select(CompanyIntegration.last_error).where(CompanyIntegration.id == integration["id"]))
    assert "401" in runs
