"""The sync schedule on the app's APScheduler, as the integration's call plan says: near runs in
working hours, window runs, the catalogue and the nightly re-plan, in the company's zone;
rescheduling when the settings change, and a job that runs."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from db.enums import IntegrationPlan, SyncKind, SyncRunStatus
from db.models import SyncRun
from domain.access.rbac import Principal
from domain.runtime.scheduler import get_scheduler, shutdown_scheduler, start_scheduler
from domain.sync.call_plan import WINDOW, WORKING_HOURS
from domain.sync.schedule import JOBS, install_schedules, integration_plan, job_id, next_runs
from domain.sync.service import wait_for_background
from domain.sync.settings import IntegrationForm, save_integration
from domain.unit_of_work import read_session


@pytest.fixture
async def scheduler() -> AsyncIterator[Any]:
    start_scheduler()
    yield get_scheduler()
    shutdown_scheduler()


async def test_each_active_integration_gets_its_plan(integration: dict[str, Any], scheduler: Any) -> None:
    await install_schedules()
    jobs = {name: scheduler.get_job(job_id(integration["id"], name)) for name in JOBS}
    plan = await integration_plan(integration["id"])
    assert plan is not None and plan.fits and plan.cadence.near_every_minutes == 30  # Premium, a small company
    near = jobs["near"]
    assert isinstance(near.trigger, CronTrigger) and str(near.trigger.timezone) == "America/Toronto"
    local = near.next_run_time.astimezone(near.trigger.timezone)
    assert WORKING_HOURS[0] <= local.hour < WORKING_HOURS[1] and local.minute in (0, 30)
    window = jobs["window"]
    assert window.kwargs == {"optional": False, "scope": WINDOW} and window.args[1] is SyncKind.JOBS
    assert isinstance(jobs["catalogue"].trigger, IntervalTrigger)
    assert jobs["catalogue"].trigger.interval == dt.timedelta(hours=plan.cadence.catalogue_every_hours)
    replan = jobs["plan"]
    assert replan.next_run_time.astimezone(replan.trigger.timezone).time() == dt.time(5, 0)
    assert set(next_runs(integration["id"])) == set(JOBS)


async def test_a_basic_plan_lists_less_often_to_fit_its_quota(integration: dict[str, Any], superadmin: Principal,
                                                              company_id: int, scheduler: Any) -> None:
    form = dict(base_url=integration["base_url"], webhook_header="x-smartmoving-auth", sync_frequency_minutes=30,
                active=True, sync_window_days=14)
    await save_integration(superadmin, company_id, IntegrationForm(plan=IntegrationPlan.PREMIUM, **form))
    premium = await integration_plan(integration["id"])
    await save_integration(superadmin, company_id, IntegrationForm(plan=IntegrationPlan.BASIC, **form))
    basic = await integration_plan(integration["id"])
    assert premium is not None and basic is not None and premium.fits and basic.fits
    assert basic.per_month <= 20_000 < premium.per_month
    assert basic.cadence.window_every_hours >= premium.cadence.window_every_hours
    near = scheduler.get_job(job_id(integration["id"], "near")).trigger
    assert str(near) == str(CronTrigger(
        hour=f"{WORKING_HOURS[0]}-{WORKING_HOURS[1] - 1}" + (
            f"/{basic.cadence.near_every_minutes // 60}" if basic.cadence.near_every_minutes >= 60 else ""),
        minute="0" if basic.cadence.near_every_minutes >= 60 else f"*/{basic.cadence.near_every_minutes}",
        timezone="America/Toronto"))


async def test_saving_the_settings_reschedules(integration: dict[str, Any], superadmin: Principal, company_id: int,
                                               scheduler: Any) -> None:
    await install_schedules()
    form = dict(base_url=integration["base_url"], plan=IntegrationPlan.PREMIUM, webhook_header="x-smartmoving-auth")
    await save_integration(superadmin, company_id, IntegrationForm(active=True, sync_frequency_minutes=15, **form))
    near = scheduler.get_job(job_id(integration["id"], "near")).trigger
    assert "minute='*/15'" in str(near)  # the plan never lists more often than the setting, here as often
    await save_integration(superadmin, company_id, IntegrationForm(active=False, sync_frequency_minutes=15, **form))
    assert [job for job in scheduler.get_jobs() if job.id.endswith(f"-{integration['id']}")] == []


async def test_a_scheduled_job_runs_a_sync(integration: dict[str, Any], scheduler: Any, fast_client_rate: None) -> None:
    await install_schedules()
    scheduler.get_job(job_id(integration["id"], "catalogue")).modify(next_run_time=dt.datetime.now(dt.UTC))
    for _ in range(500):
        async with read_session() as session:
            run = await session.scalar(select(SyncRun).where(SyncRun.status != SyncRunStatus.RUNNING))
        if run is not None:
            break
        await asyncio.sleep(0.02)
    await wait_for_background()
    assert run is not None and (run.kind, run.trigger, run.status) == (
        SyncKind.CATALOGUE, "schedule", SyncRunStatus.SUCCEEDED)
