"""The sync schedule of each active integration, on the app's APScheduler (added at startup
when SCHEDULER_ENABLED): a jobs sync every `sync_frequency_minutes` (optional: the budget may
skip it), a full jobs sync at 06:00 company-local time and a catalogue sync every
SMARTMOVING_CATALOGUE_HOURS (both mandatory). Which instance runs a given sync is decided by
the integration's guard, so every instance may schedule them all."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from config import get_settings
from db.enums import SyncKind
from db.models import Company, CompanyIntegration
from domain.runtime.scheduler import get_scheduler
from domain.sync.service import scheduled_sync
from domain.unit_of_work import read_session

FULL_SYNC_HOUR = 6
_KINDS = {SyncKind.JOBS: "jobs", SyncKind.FULL_JOBS: "full", SyncKind.CATALOGUE: "catalogue"}


def job_id(integration_id: int, kind: SyncKind) -> str:
    return f"smartmoving-{_KINDS[kind]}-{integration_id}"


async def install_schedules() -> None:
    """Schedule every active integration (app startup)."""
    async with read_session() as session:
        ids = list(await session.scalars(select(CompanyIntegration.id).where(CompanyIntegration.active.is_(True))))
    for integration_id in ids:
        await schedule_integration(integration_id)


async def schedule_integration(integration_id: int) -> None:
    """(Re)schedule one integration after its settings changed; unschedule it when inactive."""
    scheduler = get_scheduler()
    if not scheduler.running:
        return
    for kind in _KINDS:
        if scheduler.get_job(job_id(integration_id, kind)):
            scheduler.remove_job(job_id(integration_id, kind))
    async with read_session() as session:
        row = (await session.execute(
            select(CompanyIntegration.active, CompanyIntegration.sync_frequency_minutes, Company.timezone)
            .join(Company, Company.id == CompanyIntegration.company_id)
            .where(CompanyIntegration.id == integration_id))).first()
    if row is None or not row.active:
        return
    triggers = {
        SyncKind.JOBS: (IntervalTrigger(minutes=row.sync_frequency_minutes), True),
        SyncKind.FULL_JOBS: (CronTrigger(hour=FULL_SYNC_HOUR, minute=0, timezone=row.timezone), False),
        SyncKind.CATALOGUE: (IntervalTrigger(hours=get_settings().smartmoving_catalogue_hours), False),
    }
    for kind, (trigger, optional) in triggers.items():
        scheduler.add_job(scheduled_sync, trigger, args=[integration_id, kind], kwargs={"optional": optional},
                          id=job_id(integration_id, kind), replace_existing=True, misfire_grace_time=300)


def next_runs(integration_id: int) -> dict[str, datetime | None]:
    """When each scheduled sync of the integration runs next (None: not scheduled here)."""
    scheduler = get_scheduler()
    result: dict[str, datetime | None] = {}
    for kind in _KINDS:
        job = scheduler.get_job(job_id(integration_id, kind)) if scheduler.running else None
        result[kind.value] = job.next_run_time if job else None
    return result
