"""The sync schedule of each active integration, on the app's APScheduler (added at startup
when SCHEDULER_ENABLED), as its call plan (`call_plan`) says:

- "near": today's and tomorrow's jobs listed every few minutes in working hours, each run
  re-reading its slice of their details (the rolling refresh); optional: the budget may skip it;
- "window": the whole window listed every few hours (it reconciles: the drift report);
- "catalogue": the branches and the rest every few hours;
- "plan": once a night the plan is made again from the company's current number of jobs.

Which instance runs a given sync is decided by the integration's guard, so every instance may
schedule them all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from db.enums import DataSource, JourneyStatus, SyncKind
from db.models import Company, CompanyIntegration, Journey
from domain.runtime.scheduler import get_scheduler
from domain.sync.call_plan import WINDOW, WORKING_HOURS, Cadence, CallPlan, Workload, near_scope, plan_for
from domain.sync.jobs import sync_window
from domain.sync.service import scheduled_sync
from domain.timewindow import zone
from domain.unit_of_work import read_session

#: The nightly re-plan (company-local).
PLAN_HOUR = 5
#: Jobs a day a plan assumes before the company has synced any.
DEFAULT_JOBS_PER_DAY = 50
JOBS = ("near", "window", "catalogue", "plan")


def job_id(integration_id: int, name: str) -> str:
    return f"smartmoving-{name}-{integration_id}"


async def install_schedules() -> None:
    """Schedule every active integration (app startup)."""
    async with read_session() as session:
        ids = list(await session.scalars(select(CompanyIntegration.id).where(CompanyIntegration.active.is_(True))))
    for integration_id in ids:
        await schedule_integration(integration_id)


async def integration_plan(integration_id: int) -> CallPlan | None:
    """The call plan of an active integration, from the SmartMoving jobs of its window (None:
    inactive or gone)."""
    async with read_session() as session:
        row = (await session.execute(
            select(CompanyIntegration, Company.timezone).join(Company, Company.id == CompanyIntegration.company_id)
            .where(CompanyIntegration.id == integration_id))).first()
        if row is None or not row[0].active:
            return None
        integration, timezone = row
        first, last = sync_window(timezone, integration.sync_window_days)
        jobs = int(await session.scalar(select(func.count()).select_from(Journey).where(
            Journey.company_id == integration.company_id, Journey.data_source == DataSource.SMARTMOVING,
            Journey.status != JourneyStatus.CANCELLED, Journey.journey_date.between(first, last))) or 0)
    per_day = jobs / integration.sync_window_days if jobs else DEFAULT_JOBS_PER_DAY
    return plan_for(integration.plan, Workload(per_day, integration.sync_window_days),
                    min_near_minutes=integration.sync_frequency_minutes)


async def schedule_integration(integration_id: int) -> None:
    """(Re)schedule one integration after its settings changed, and nightly (its plan follows
    the company's size); unschedule it when inactive."""
    scheduler = get_scheduler()
    if not scheduler.running:
        return
    for name in JOBS:
        if scheduler.get_job(job_id(integration_id, name)):
            scheduler.remove_job(job_id(integration_id, name))
    plan = await integration_plan(integration_id)
    if plan is None:
        return
    async with read_session() as session:
        timezone = await session.scalar(select(Company.timezone).join(
            CompanyIntegration, CompanyIntegration.company_id == Company.id).where(
            CompanyIntegration.id == integration_id))
    cadence = plan.cadence
    start, end = WORKING_HOURS
    near = CronTrigger(hour=f"{start}-{end - 1}", minute=f"*/{cadence.near_every_minutes}", timezone=timezone) \
        if cadence.near_every_minutes < 60 else \
        CronTrigger(hour=f"{start}-{end - 1}/{cadence.near_every_minutes // 60}", minute=0, timezone=timezone)
    jobs: tuple[tuple[str, Callable[..., Awaitable[Any]], BaseTrigger, list[Any], dict[str, Any]], ...] = (
        ("near", _near_sync, near, [integration_id, cadence, timezone], {}),
        ("window", scheduled_sync, CronTrigger(hour=f"*/{cadence.window_every_hours}" if cadence.window_every_hours
                                               < 24 else str(PLAN_HOUR), minute=15, timezone=timezone),
         [integration_id, SyncKind.JOBS], {"optional": False, "scope": WINDOW}),
        ("catalogue", scheduled_sync, IntervalTrigger(hours=cadence.catalogue_every_hours),
         [integration_id, SyncKind.CATALOGUE], {"optional": False}),
        ("plan", schedule_integration, CronTrigger(hour=PLAN_HOUR, minute=0, timezone=timezone), [integration_id], {}),
    )
    for name, func_, trigger, args, kwargs in jobs:
        scheduler.add_job(func_, trigger, args=args, kwargs=kwargs, id=job_id(integration_id, name),
                          replace_existing=True, misfire_grace_time=300)


async def _near_sync(integration_id: int, cadence: Cadence, timezone: str) -> int | None:
    """A near run, with the refresh slice of this moment."""
    local = datetime.now(zone(timezone))
    scope = near_scope(cadence, local.hour * 60 + local.minute, (local.date() - date(2000, 1, 1)).days)
    return await scheduled_sync(integration_id, SyncKind.JOBS, optional=True, scope=scope)


def next_runs(integration_id: int) -> dict[str, datetime | None]:
    """When each scheduled job of the integration runs next (None: not scheduled here)."""
    scheduler = get_scheduler()
    result: dict[str, datetime | None] = {}
    for name in JOBS:
        job = scheduler.get_job(job_id(integration_id, name)) if scheduler.running else None
        result[name] = job.next_run_time if job else None
    return result
