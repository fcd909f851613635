"""The monthly call budget and the one-sync-at-a-time guard."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from db.enums import IntegrationPlan, SyncKind, SyncRunStatus
from db.models import CompanyIntegration, SyncRun
from domain.errors import Conflict
from domain.access.rbac import Principal
from domain.sync.budget import budget_of
from domain.sync.guard import sync_guard
from domain.sync.runs import open_run
from domain.sync.service import BUSY, run_sync, scheduled_sync, trigger_sync, wait_for_background
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.server import SimulatorState
from tests.sync.conftest import FAST
from tests.sync.helpers import window_job_ids, sync_run, synced_journeys, window


async def _add_runs(integration_id: int, *runs: tuple[SyncKind, str, int, dt.datetime]) -> None:
    async with unit_of_work() as session:
        for kind, trigger, calls, started in runs:
            session.add(SyncRun(integration_id=integration_id, kind=kind, status=SyncRunStatus.SUCCEEDED,
                                trigger=trigger, api_calls=calls, started_at=started, finished_at=started))


async def _set_plan(integration_id: int, plan: IntegrationPlan) -> None:
    async with unit_of_work() as session:
        (await session.get_one(CompanyIntegration, integration_id)).plan = plan


async def test_the_budget_projects_the_rest_of_the_month(integration: dict[str, Any]) -> None:
    now = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)  # 15 days left: 720 half-hourly runs
    hour_ago = now - dt.timedelta(hours=1)
    await _set_plan(integration["id"], IntegrationPlan.BASIC)
    await _add_runs(integration["id"], (SyncKind.JOBS, "schedule", 10, hour_ago),
                    (SyncKind.JOBS, "schedule", 30, hour_ago),
                    (SyncKind.JOBS, "manual", 500, hour_ago),  # an initial manual load is not the rate
                    (SyncKind.JOBS, "schedule", 999, now - dt.timedelta(days=2)),  # older than a day
                    (SyncKind.FULL_JOBS, "schedule", 300, hour_ago), (SyncKind.CATALOGUE, "schedule", 12, hour_ago),
                    (SyncKind.WEBHOOK, "webhook", 9_999, dt.datetime(2026, 10, 31, 23, tzinfo=dt.UTC)))  # last month
    async with read_session() as session:
        integration_row = await session.get_one(CompanyIntegration, integration["id"])
        budget = await budget_of(session, integration_row, now)
    assert budget.used == 10 + 30 + 500 + 999 + 300 + 12
    assert (budget.jobs_run_cost, budget.jobs_runs_left) == (20.0, 720)
    assert budget.optional_need == 14_400
    assert budget.mandatory_need == 30 * 12  # the catalogue runs left (the call plan schedules no full run)
    assert budget.used + 14_400 + 360 == 16_611 <= 20_000 and budget.covers_optional_runs
    async with unit_of_work() as session:
        (await session.get_one(CompanyIntegration, integration["id"])).sync_frequency_minutes = 15
    async with read_session() as session:
        integration_row = await session.get_one(CompanyIntegration, integration["id"])
        quarterly = await budget_of(session, integration_row, now)
    assert quarterly.jobs_runs_left == 1_440 and not quarterly.covers_optional_runs  # 1,851 + 28,800 + 360
    async with unit_of_work() as session:
        (await session.get_one(CompanyIntegration, integration["id"])).sync_frequency_minutes = 60
    async with read_session() as session:
        integration_row = await session.get_one(CompanyIntegration, integration["id"])
        hourly = await budget_of(session, integration_row, now)
    assert hourly.jobs_runs_left == 360 and hourly.covers_optional_runs  # 1,851 + 7,200 + 360


async def test_a_near_exhausted_integration_skips_the_optional_run(integration: dict[str, Any],
                                                                   sim: SimulatorState) -> None:
    await _set_plan(integration["id"], IntegrationPlan.BASIC)
    await _add_runs(integration["id"], (SyncKind.WEBHOOK, "webhook", 19_800, dt.datetime.now(dt.UTC)))
    run_id = await scheduled_sync(integration["id"], SyncKind.JOBS, optional=True, **FAST)
    skipped = await sync_run(run_id)
    assert skipped.status is SyncRunStatus.SKIPPED and skipped.api_calls == 0
    assert "call budget" in skipped.error and "19,800 of 20,000" in skipped.error
    assert sim.call_log == []
    mandatory = await sync_run(await scheduled_sync(integration["id"], SyncKind.FULL_JOBS, optional=False, **FAST))
    assert mandatory.status is SyncRunStatus.SUCCEEDED  # a mandatory run goes while any budget remains
    assert set(await synced_journeys()) == window_job_ids(sim)


async def test_an_exhausted_quota_stops_mandatory_and_manual_runs(integration: dict[str, Any], superadmin: Principal,
                                                                  company_id: int, sim: SimulatorState) -> None:
    await _set_plan(integration["id"], IntegrationPlan.BASIC)
    await _add_runs(integration["id"], (SyncKind.WEBHOOK, "webhook", 20_000, dt.datetime.now(dt.UTC)))
    skipped = await sync_run(await scheduled_sync(integration["id"], SyncKind.FULL_JOBS, optional=False, **FAST))
    assert skipped.status is SyncRunStatus.SKIPPED and "used up" in skipped.error
    with pytest.raises(Conflict, match="quota is used up"):
        await trigger_sync(superadmin, company_id)
    assert sim.call_log == []


async def test_a_premium_integration_with_budget_runs_the_optional_sync(integration: dict[str, Any],
                                                                        sim: SimulatorState) -> None:
    run = await sync_run(await scheduled_sync(integration["id"], SyncKind.JOBS, optional=True, **FAST))
    assert run.status is SyncRunStatus.SUCCEEDED and run.trigger == "schedule" and run.created > 0


async def test_an_inactive_integration_is_not_run_by_the_schedule(integration: dict[str, Any],
                                                                  sim: SimulatorState) -> None:
    async with unit_of_work() as session:
        (await session.get_one(CompanyIntegration, integration["id"])).active = False
    assert await scheduled_sync(integration["id"], SyncKind.JOBS, optional=True) is None
    assert sim.call_log == []


async def test_the_guard_lets_one_holder_in(integration: dict[str, Any]) -> None:
    async with (sync_guard(integration["id"]) as first, sync_guard(integration["id"]) as second,
                sync_guard(integration["id"] + 1) as other):
        assert (first, second, other) == (True, False, True)
    async with sync_guard(integration["id"]) as again:
        assert again


async def test_only_one_of_two_concurrent_syncs_runs(integration: dict[str, Any], sim: SimulatorState) -> None:
    sim.delay_seconds = 0.01
    first, second = await open_run(integration["id"], SyncKind.JOBS, "test"), \
        await open_run(integration["id"], SyncKind.JOBS, "test")
    await asyncio.gather(run_sync(first, **FAST), run_sync(second, **FAST))
    runs = sorted([await sync_run(first.run_id), await sync_run(second.run_id)], key=lambda r: r.status.value)
    assert [r.status for r in runs] == [SyncRunStatus.SKIPPED, SyncRunStatus.SUCCEEDED]
    assert runs[0].error == BUSY and runs[0].api_calls == 0
    assert runs[1].created == len(window_job_ids(sim)) == len(await synced_journeys())
    listing_pages = -(-len(sim.opportunities_between(*window())) // 200)
    assert sim.calls["/api/customers"] == listing_pages  # one listing: the second run never started


async def test_a_manual_trigger_refuses_while_a_run_is_going(integration: dict[str, Any], superadmin: Principal,
                                                              company_id: int, sim: SimulatorState) -> None:
    sim.delay_seconds = 0.005
    run_id = await trigger_sync(superadmin, company_id, **FAST)
    with pytest.raises(Conflict, match=f"#{run_id} is still running") as caught:
        await trigger_sync(superadmin, company_id, **FAST)
    assert caught.value.details == {"run_id": run_id}
    await wait_for_background()
    async with read_session() as session:
        statuses = (await session.scalars(select(SyncRun.status))).all()
    assert statuses == [SyncRunStatus.SUCCEEDED]
