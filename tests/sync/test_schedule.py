"""The sync schedule on the app's APScheduler: three jobs per active integration, the full
sync at 06:00 company-local time, rescheduling when the settings change, and a job that runs."""

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
from domain.sync.schedule import install_schedules, job_id, next_runs
from domain.sync.service import wait_for_background
from domain.sync.settings import IntegrationForm, save_integration
from domain.unit_of_work import read_session


@pytest.fixture
async def scheduler() -> AsyncIterator[Any]:
    start_scheduler()
    yield get_scheduler()
    shutdown_scheduler()


async def test_each_active_integration_gets_its_three_syncs(integration: dict[str, Any], scheduler: Any) -> None:
    await install_schedules()
    jobs = {kind: scheduler.get_job(job_id(integration["id"], kind))
            for kind in (SyncKind.JOBS, SyncKind.FULL_JOBS, SyncKind.CATALOGUE)}
    assert isinstance(jobs[SyncKind.JOBS].trigger, IntervalTrigger)
    assert jobs[SyncKind.JOBS].trigger.interval == dt.timedelta(minutes=30)
    assert jobs[SyncKind.JOBS].kwargs == {"optional": True}
    full = jobs[SyncKind.FULL_JOBS]
    assert isinstance(full.trigger, CronTrigger) and str(full.trigger.timezone) == "America/Toronto"
    assert full.next_run_time.astimezone(full.trigger.timezone).time() == dt.time(6, 0)
    assert full.kwargs == {"optional": False}
    assert jobs[SyncKind.CATALOGUE].trigger.interval == dt.timedelta(hours=12)
    assert set(next_runs(integration["id"])) == {"JOBS", "FULL_JOBS", "CATALOGUE"}


async def test_saving_the_settings_reschedules(integration: dict[str, Any], superadmin: Principal, company_id: int,
                                               scheduler: Any) -> None:
    await install_schedules()
    form = dict(base_url=integration["base_url"], plan=IntegrationPlan.PREMIUM, webhook_header="x-smartmoving-auth")
    await save_integration(superadmin, company_id, IntegrationForm(active=True, sync_frequency_minutes=15, **form))
    assert scheduler.get_job(job_id(integration["id"], SyncKind.JOBS)).trigger.interval == dt.timedelta(minutes=15)
    await save_integration(superadmin, company_id, IntegrationForm(active=False, sync_frequency_minutes=15, **form))
    assert [job for job in scheduler.get_jobs() if job.id.endswith(f"-{integration['id']}")] == []


async def test_a_scheduled_job_runs_a_sync(integration: dict[str, Any], scheduler: Any, fast_client_rate: None) -> None:
    await install_schedules()
    scheduler.get_job(job_id(integration["id"], SyncKind.CATALOGUE)).modify(next_run_time=dt.datetime.now(dt.UTC))
    for _ in range(500):
        async with read_session() as session:
            run = await session.scalar(select(SyncRun).where(SyncRun.status != SyncRunStatus.RUNNING))
        if run is not None:
            break
        await asyncio.sleep(0.02)
    await wait_for_background()
    assert run is not None and (run.kind, run.trigger, run.status) == (
        SyncKind.CATALOGUE, "schedule", SyncRunStatus.SUCCEEDED)
