"""Runs whose process died: a RUNNING SyncRun exists only while its sync holds the integration's
guard (runs are opened under it), so a RUNNING run found by whoever holds the guard is dead —
its app was killed or stopped mid-run. It is closed INTERRUPTED with the reason, and the
integration's status follows (SYNCING no more). This happens on start-up for every integration
whose guard is free, and inside the guard before every new run: a manual trigger works at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select

from db.enums import SyncRunStatus
from db.models import CompanyIntegration, SyncRun
from domain.audit.record import audited_write
from domain.sync.guard import sync_guard
from domain.sync.runs import RunInfo, close_run
from domain.unit_of_work import read_session, unit_of_work

REASON_INTERRUPTED = "interrupted: the app stopped before this run ended; nothing of it was written"


@asynccontextmanager
async def holding_guard(integration_id: int, *, wait: float = 0.0, keep: int | None = None) -> AsyncIterator[bool]:
    """`sync_guard`, closing the integration's dead RUNNING runs (all but `keep`) once it is held."""
    async with sync_guard(integration_id, wait=wait) as acquired:
        if acquired:
            await _close_dead_runs(integration_id, keep)
        yield acquired


@audited_write
async def recover_interrupted_runs() -> list[int]:
    """On start-up: close the dead runs of every integration whose guard is free; their ids."""
    async with read_session() as session:
        integration_ids = list(await session.scalars(
            select(SyncRun.integration_id).where(SyncRun.status == SyncRunStatus.RUNNING).distinct()))
    closed: list[int] = []
    for integration_id in integration_ids:
        async with sync_guard(integration_id) as acquired:
            if acquired:
                closed += await _close_dead_runs(integration_id, None)
    return closed


async def _close_dead_runs(integration_id: int, keep: int | None) -> list[int]:
    """Close INTERRUPTED every RUNNING run of the integration but `keep` (the caller holds the guard)."""
    async with unit_of_work() as session:
        dead = list(await session.scalars(
            select(SyncRun).where(SyncRun.integration_id == integration_id, SyncRun.status == SyncRunStatus.RUNNING,
                                  SyncRun.id != (keep or 0)).with_for_update()))
        if not dead:
            return []
        integration = await session.get_one(CompanyIntegration, integration_id)
        for run in dead:
            info = RunInfo(run.id, integration_id, integration.company_id, run.kind, run.trigger)
            close_run(session, run, integration, info, status=SyncRunStatus.INTERRUPTED, api_calls=run.api_calls,
                      error=REASON_INTERRUPTED)
        return [run.id for run in dead]
