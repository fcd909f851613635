"""The sync through faults, black-box: a fault-injecting proxy between the client and the
simulator (real HTTP both ways), other instances of the app in their own processes, SIGKILL.
After each scenario, the journeys are compared with the simulator's truth: nothing lost,
nothing duplicated, nothing half-written, and no run left RUNNING. The storms are scaled down
(or run on a fake clock); `make bench-faults` runs them at full length."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from db.enums import DataSource, IntegrationStatus, SyncKind, SyncRunStatus, WebhookStatus
from db.models import CompanyIntegration, Journey, SyncRun, WebhookEvent, utcnow
from domain.access.rbac import Principal
from domain.errors import Conflict
from domain.sync.recovery import REASON_INTERRUPTED, recover_interrupted_runs
from domain.sync.runs import open_run
from domain.sync.service import run_sync, trigger_sync, wait_for_background
from domain.sync.webhooks import process_inbox, receive_webhook, resume_inbox, worker
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.proxy import FaultProxy, ProxyFaults
from integrations.smartmoving.simulator.server import SimulatorState, WebhookEmitter
from tests.fake_clock import FakeClock
from tests.smartmoving.conftest import REPO_ROOT
from tests.sync.conftest import FAST, WEBHOOK_SECRET
from tests.sync.helpers import detail_calls, run, sync_run, synced_journeys, truth_mismatches, window, window_job_ids

pytestmark = pytest.mark.usefixtures("fast_client_rate")

#: Faults are retried until this many seconds pass (real or fake), not a small count.
UNTIL: dict[str, Any] = {"max_retries": None, "retry_for": 30.0}
KILL_WAIT_SECONDS = 60.0


@pytest.fixture
async def proxy(integration: dict[str, Any], sim_url: str) -> AsyncIterator[FaultProxy]:
    """The proxy in front of the simulator; the integration talks to it."""
    faults = FaultProxy(sim_url, ProxyFaults(seed=20))
    async with faults.running() as url:
        async with unit_of_work() as session:
            await session.execute(update(CompanyIntegration).where(CompanyIntegration.id == integration["id"])
                                  .values(base_url=url))
        yield faults


async def assert_converged(sim: SimulatorState) -> None:
    """The journeys equal SmartMoving's truth: none lost, none doubled, none half-written, and no
    run is left RUNNING."""
    journeys = await synced_journeys()
    assert set(journeys) == window_job_ids(sim)
    assert truth_mismatches(sim.truth(*window()), journeys, *window()) == []
    async with read_session() as session:
        rows = await session.scalar(select(func.count()).select_from(Journey).where(
            Journey.data_source == DataSource.SMARTMOVING, Journey.external_data.is_not(None)))
        running = await session.scalar(select(func.count()).select_from(SyncRun).where(
            SyncRun.status == SyncRunStatus.RUNNING))
    assert rows == len(journeys) and running == 0


async def test_a_429_storm_is_waited_out(integration: dict[str, Any], proxy: FaultProxy, sim: SimulatorState) -> None:
    """Half the calls answer 429 (Retry-After 2) for 60 s — on a fake clock the client sleeps on."""
    clock = FakeClock()
    proxy.faults.clock = clock
    proxy.faults.storm(60.0, rate=0.5)
    # The live bound (120 s) outlasts the storm: no call can fail, however the 429s fall. (The fake
    # clock adds up the waits of concurrent calls, so the storm passes sooner than it would live.)
    sync = await run(integration["id"], clock=clock, sleep=clock.sleep, max_backoff=15.0, max_retries=None,
                     retry_for=120.0)
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.failed == 0
    assert proxy.counts["limited"] > 20 and set(clock.slept) == {2.0}  # each wait the Retry-After
    assert sync.api_calls == sum(proxy.counts.values())  # every call counted once, 429s included
    await assert_converged(sim)


async def test_connection_resets_and_truncated_bodies_lose_nothing(integration: dict[str, Any], proxy: FaultProxy,
                                                                   sim: SimulatorState) -> None:
    proxy.faults.reset_rate, proxy.faults.truncate_rate = 0.10, 0.05
    sync = await run(integration["id"], **UNTIL)
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.failed == 0
    assert proxy.counts["reset"] > 20 and proxy.counts["truncated"] > 10
    assert sync.api_calls == sum(proxy.counts.values())
    await assert_converged(sim)


async def test_hangs_time_out_and_are_retried(integration: dict[str, Any], proxy: FaultProxy,
                                              sim: SimulatorState) -> None:
    proxy.faults.hang_rate, proxy.faults.hang_seconds = 0.05, 0.4
    sync = await run(integration["id"], timeout=0.2, **UNTIL)
    assert sync.status is SyncRunStatus.SUCCEEDED and sync.failed == 0 and proxy.counts["hung"] > 10
    assert sync.api_calls == sum(proxy.counts.values())
    await assert_converged(sim)


async def test_a_run_left_running_by_a_dead_process_is_closed_on_start_up(integration: dict[str, Any]) -> None:
    dead = await open_run(integration["id"], SyncKind.JOBS, "schedule")  # its process is gone: nobody holds the guard
    assert await recover_interrupted_runs() == [dead.run_id]
    closed = await sync_run(dead.run_id)
    assert closed.status is SyncRunStatus.INTERRUPTED and closed.error == REASON_INTERRUPTED
    assert closed.finished_at is not None
    assert (await _integration(integration["id"])).status is IntegrationStatus.NEVER_SYNCED


async def test_two_triggers_at_once_one_runs_the_other_answers_409(integration: dict[str, Any], company_id: int,
                                                                   superadmin: Principal, sim: SimulatorState) -> None:
    answers = await asyncio.gather(*(trigger_sync(superadmin, company_id, SyncKind.JOBS, **FAST) for _ in range(2)),
                                   return_exceptions=True)
    started = [a for a in answers if isinstance(a, int)]
    refused = [a for a in answers if isinstance(a, Conflict)]
    assert len(started) == 1 and len(refused) == 1
    assert refused[0].details == {"run_id": started[0]}
    await wait_for_background()
    async with read_session() as session:
        runs = list(await session.scalars(select(SyncRun)))
    assert [(r.id, r.status) for r in runs] == [(started[0], SyncRunStatus.SUCCEEDED)]  # no SKIPPED run
    await assert_converged(sim)


async def test_sigkill_mid_run_then_a_trigger_works_at_once(integration: dict[str, Any], company_id: int,
                                                            superadmin: Principal, proxy: FaultProxy,
                                                            sim: SimulatorState) -> None:
    """Another instance runs the sync (slowed by the proxy) and is killed half way: meanwhile a
    trigger here answers 409 with its run; after the kill, a trigger closes the dead run
    INTERRUPTED and runs at once; nothing of the killed run was half-written."""
    proxy.faults.hang_rate, proxy.faults.hang_seconds = 1.0, 0.01
    options = json.dumps({"backoff_base": 0.001, "max_backoff": 0.05, "rate_per_minute": 100_000})
    async with _instance("sync", integration["id"], options) as process:
        await _until(lambda: detail_calls(sim) >= 40, process)
        running = await _running_run(integration["id"])
        with pytest.raises(Conflict) as refused:  # another instance's run: 409 naming it
            await trigger_sync(superadmin, company_id, SyncKind.JOBS, **FAST)
        assert running is not None and refused.value.details == {"run_id": running}
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert (await sync_run(running)).status is SyncRunStatus.RUNNING
    assert (await _integration(integration["id"])).status is IntegrationStatus.SYNCING
    assert await synced_journeys() == {}  # the killed run wrote nothing: its writes are one transaction
    proxy.faults.hang_rate = 0.0
    fresh = await trigger_sync(superadmin, company_id, SyncKind.JOBS, **FAST)
    await wait_for_background()
    killed = await sync_run(running)
    assert killed.status is SyncRunStatus.INTERRUPTED and killed.error == REASON_INTERRUPTED
    assert (await sync_run(fresh)).status is SyncRunStatus.SUCCEEDED
    assert (await _integration(integration["id"])).status is IntegrationStatus.OK
    await assert_converged(sim)


async def test_a_webhook_flood_survives_sigkill_and_restart(integration: dict[str, Any], company_id: int,
                                                            sim: SimulatorState, tmp_path: Path) -> None:
    """Deliveries stored by an instance that is killed before processing them are all processed
    after a restart; a re-send of one of them is the same queued work, not "ignored"; and each
    distinct opportunity is refreshed once for the whole burst."""
    await run(integration["id"])
    changed = [opp.id for opp in sim.opportunities_between(*window()) if opp.status == 4][:30]
    for opportunity_id in changed:
        sim.update_opportunity(opportunity_id, customer_phone="(999) 555-0120")
    kinds = ("opportunity-changed", "job-updated")
    distinct = [json.dumps(WebhookEmitter.payload(k, o, 4)) for o in changed for k in kinds]
    flood = distinct * 3  # every delivery three times
    (tmp_path / "flood.json").write_text(json.dumps({"secret": WEBHOOK_SECRET, "bodies": flood}))
    async with _instance("webhooks", company_id, str(tmp_path / "flood.json")) as process:
        assert process.stdout is not None
        assert (await asyncio.wait_for(process.stdout.readline(), KILL_WAIT_SECONDS)).strip() == b"stored"
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert await _inbox() == {WebhookStatus.QUEUED: len(distinct)}
    details_before = detail_calls(sim)
    again = await receive_webhook(company_id, {"x-smartmoving-auth": WEBHOOK_SECRET}, distinct[0].encode())
    assert again.duplicate and again.queued and again.event_id is not None  # the same work, not ignored
    await resume_inbox()  # what start-up does
    await worker.join()
    assert await _inbox() == {WebhookStatus.PROCESSED: len(distinct)}
    assert detail_calls(sim) - details_before <= 2 * len(changed)  # details + job times, once per opportunity
    journeys = await synced_journeys()
    assert {e for e, j in journeys.items() if j.customer_phone == "(999) 555-0120"} == {
        e for e, j in journeys.items() if (j.external_data or {}).get("opportunity_id") in changed}
    await assert_converged(sim)


async def test_a_flood_during_a_sync_is_one_refresh_per_opportunity(integration: dict[str, Any], company_id: int,
                                                                    proxy: FaultProxy, sim: SimulatorState) -> None:
    """Deliveries that arrive while a sync holds the guard join one refresh, run once the sync ends:
    no overlapping refresh runs, one refresh per distinct opportunity."""
    await run(integration["id"])
    opportunities = [opp.id for opp in sim.opportunities_between(*window()) if opp.status == 4][:15]
    proxy.faults.hang_rate, proxy.faults.hang_seconds = 1.0, 0.002  # a sync long enough to flood during it
    info = await open_run(integration["id"], SyncKind.FULL_JOBS, "test")
    sync = asyncio.create_task(run_sync(info, **FAST))  # it holds the guard long before the worker's debounce ends
    kinds = ("opportunity-changed", "job-updated")
    for _ in range(2):
        for opportunity_id in opportunities:
            for kind in kinds:
                body = json.dumps(WebhookEmitter.payload(kind, opportunity_id, 4)).encode()
                await receive_webhook(company_id, {"x-smartmoving-auth": WEBHOOK_SECRET}, body)
    await sync
    assert (await sync_run(info.run_id)).status is SyncRunStatus.SUCCEEDED
    await worker.join()
    async with read_session() as session:
        refreshes = list(await session.scalars(select(SyncRun).where(SyncRun.kind == SyncKind.WEBHOOK)))
    assert [(r.status, r.api_calls) for r in refreshes] == [(SyncRunStatus.SUCCEEDED, 2 * len(opportunities))]
    assert await _inbox() == {WebhookStatus.PROCESSED: len(opportunities) * len(kinds)}
    await assert_converged(sim)


async def test_a_delivery_read_by_the_running_refresh_is_not_refreshed_again(integration: dict[str, Any],
                                                                            proxy: FaultProxy,
                                                                            sim: SimulatorState) -> None:
    """A delivery that arrives while a refresh runs, before its opportunity is read, is covered by
    that read: PROCESSED with the others, no second refresh."""
    await run(integration["id"])
    opportunities = [opp.id for opp in sim.opportunities_between(*window()) if opp.status == 4][:15]
    for opportunity_id in opportunities:
        await _store_delivery(integration["id"], opportunity_id, "first")
    proxy.faults.hang_rate, proxy.faults.hang_seconds = 1.0, 0.2  # the last one is read a second or so later
    details_before = detail_calls(sim)
    refresh = asyncio.create_task(process_inbox(integration["id"], **FAST))
    await _until(lambda: detail_calls(sim) > details_before)
    await _store_delivery(integration["id"], opportunities[-1], "second")
    assert await refresh
    await worker.join()
    assert await _inbox() == {WebhookStatus.PROCESSED: len(opportunities) + 1}
    async with read_session() as session:
        refreshes = list(await session.scalars(select(SyncRun).where(SyncRun.kind == SyncKind.WEBHOOK)))
    assert [r.api_calls for r in refreshes] == [2 * len(opportunities)]


# --- helpers ---------------------------------------------------------------------------------


async def _store_delivery(integration_id: int, opportunity_id: str, tag: str) -> None:
    """A QUEUED delivery as the route stores it (without waking this process's worker)."""
    async with unit_of_work() as session:
        session.add(WebhookEvent(integration_id=integration_id, dedupe_key=f"{tag}:{opportunity_id}"[:64],
                                 event_type="opportunity-changed", opportunity_id=opportunity_id, payload={},
                                 status=WebhookStatus.QUEUED, received_at=utcnow()))


@contextlib.asynccontextmanager
async def _instance(*args: object) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.sync.instance", *map(str, args), cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _until(condition: Any, process: asyncio.subprocess.Process | None = None) -> None:
    async with asyncio.timeout(KILL_WAIT_SECONDS):
        while not condition():
            assert process is None or process.returncode is None, "the other instance ended before it was killed"
            await asyncio.sleep(0.02)


async def _running_run(integration_id: int) -> int | None:
    async with read_session() as session:
        run_id: int | None = await session.scalar(select(SyncRun.id).where(
            SyncRun.integration_id == integration_id, SyncRun.status == SyncRunStatus.RUNNING))
        return run_id


async def _integration(integration_id: int) -> CompanyIntegration:
    async with read_session() as session:
        return await session.get_one(CompanyIntegration, integration_id)


async def _inbox() -> dict[WebhookStatus, int]:
    async with read_session() as session:
        rows = await session.execute(select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status))
        return {status: count for status, count in rows}
