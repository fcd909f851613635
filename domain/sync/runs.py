"""SyncRun bookkeeping: a run is opened (RUNNING) in its own transaction so it is visible at
once, and closed either in the transaction that writes its results (SUCCEEDED) or in a separate
one after a failure (FAILED) — one audit entry per run, SYNC_PROGRESS on the bus while it runs
and SYNC_FINISHED when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import IntegrationStatus, SyncKind, SyncRunStatus
from db.models import CompanyIntegration, SyncRun, utcnow
from domain.audit import record as audit
from domain.events import bus as events
from domain.audit.record import audited_write
from domain.sync.call_plan import WINDOW, Scope
from domain.sync.drift import BookedJobs
from domain.events.bus import DomainEvent, EventType
from domain.access.rbac import Principal
from domain.unit_of_work import unit_of_work

if TYPE_CHECKING:
    from domain.sync.premium import PremiumFetcher

#: SYNC_PROGRESS is published after every this many processed records.
PROGRESS_EVERY = 20
#: Failure reasons kept in a run's details (the count is always exact).
MAX_FAILURE_DETAILS = 100
SYSTEM_ACTOR = "system:smartmoving-sync"


@dataclass(slots=True)
class SyncCounters:
    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    #: Listing entries the sync does not turn into journeys (leads, unbooked opportunities).
    ignored: int = 0
    total: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def fail(self, ref: str, reason: str) -> None:
        self.failed += 1
        self.processed += 1
        if len(self.failures) < MAX_FAILURE_DETAILS:
            self.failures.append({"ref": ref, "reason": reason[:500]})

    def snapshot(self) -> dict[str, int]:
        return {"processed": self.processed, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "failed": self.failed, "total": self.total}


@dataclass(slots=True)
class RunInfo:
    """What a running sync needs to know about its run and integration."""

    run_id: int
    integration_id: int
    company_id: int
    kind: SyncKind
    trigger: str
    counters: SyncCounters = field(default_factory=SyncCounters)
    stage: str = "starting"
    #: What a listing run covers (the whole window unless the schedule says otherwise).
    scope: Scope = WINDOW
    #: A window run's view of SmartMoving's booked jobs, reconciled when its journeys are written.
    booked: BookedJobs | None = None
    #: Premium job details of the run (PREMIUM plans only; see `domain.sync.premium`).
    premium: PremiumFetcher | None = None
    #: Why the run stopped fetching early (SmartMoving unreachable): it keeps what it fetched
    #: and is closed FAILED with this reason.
    halted: str | None = None
    #: When each opportunity read whole (details, or a 404) was asked for: a webhook delivery
    #: received before that is covered by the read.
    fetched_at: dict[str, datetime] = field(default_factory=dict)
    _published_at: int = -PROGRESS_EVERY

    async def progress(self, *, force: bool = False) -> None:
        """Publish SYNC_PROGRESS every PROGRESS_EVERY records (directly on the bus: no transaction)."""
        processed = self.counters.processed
        if not force and processed - self._published_at < PROGRESS_EVERY:
            return
        self._published_at = processed
        await events.bus.publish(DomainEvent(EventType.SYNC_PROGRESS, self.company_id, data={
            "run_id": self.run_id, "integration_id": self.integration_id, "kind": self.kind.value,
            "stage": self.stage, **self.counters.snapshot()}))


async def open_run(integration_id: int, kind: SyncKind, trigger: str, scope: Scope = WINDOW) -> RunInfo:
    """A RUNNING SyncRun; the integration shows SYNCING."""
    async with unit_of_work() as session:
        integration = await session.get_one(CompanyIntegration, integration_id)
        run = SyncRun(integration_id=integration_id, kind=kind, status=SyncRunStatus.RUNNING, trigger=trigger,
                      started_at=utcnow())
        session.add(run)
        integration.status = IntegrationStatus.SYNCING
        await session.flush()
        return RunInfo(run.id, integration_id, integration.company_id, kind, trigger, scope=scope)


def close_run(session: AsyncSession, run: SyncRun, integration: CompanyIntegration, info: RunInfo, *,
              status: SyncRunStatus, api_calls: int, error: str | None = None,
              principal: Principal | None = None, extra: dict[str, Any] | None = None) -> None:
    """Final counts, status and error on the run and its integration, its audit entry and
    SYNC_FINISHED — all in the caller's transaction."""
    c = info.counters
    now = utcnow()
    run.status, run.finished_at, run.api_calls, run.error = status, now, api_calls, error
    run.processed, run.created, run.updated, run.unchanged, run.failed = (
        c.processed, c.created, c.updated, c.unchanged, c.failed)
    run.details = {"ignored": c.ignored, "failures": c.failures, "scope": info.scope.as_dict(), **(extra or {})}
    if status is SyncRunStatus.SUCCEEDED:
        integration.status, integration.last_sync_at, integration.last_error = IntegrationStatus.OK, now, None
    elif status is SyncRunStatus.FAILED:
        integration.status, integration.last_error = IntegrationStatus.ERROR, error
    elif integration.status is IntegrationStatus.SYNCING:
        integration.status = IntegrationStatus.OK if integration.last_sync_at else IntegrationStatus.NEVER_SYNCED
    summary = {"kind": info.kind.value, "trigger": info.trigger, "status": status.value, "api_calls": api_calls,
               **c.snapshot(), "error": error}
    audit.record(session, principal, "sync", "sync_run", run.id, new=summary, company_id=info.company_id,
                 actor_email=None if principal else SYSTEM_ACTOR)
    events.queue(session, DomainEvent(EventType.SYNC_FINISHED, info.company_id, data={
        "run_id": run.id, "integration_id": info.integration_id, **summary}))


async def load_for_close(session: AsyncSession, info: RunInfo) -> tuple[SyncRun, CompanyIntegration]:
    run = await session.get_one(SyncRun, info.run_id, with_for_update=True)
    integration = await session.get_one(CompanyIntegration, info.integration_id)
    return run, integration


@audited_write
async def finish_failed(info: RunInfo, error: str, api_calls: int, status: SyncRunStatus = SyncRunStatus.FAILED,
                        principal: Principal | None = None) -> None:
    """Close a run that could not finish (nothing of its results was written)."""
    info.counters.created = info.counters.updated = 0
    async with unit_of_work() as session:
        run, integration = await load_for_close(session, info)
        close_run(session, run, integration, info, status=status, api_calls=api_calls, error=error,
                  principal=principal)


@audited_write
async def record_skipped(integration_id: int, kind: SyncKind, trigger: str, reason: str,
                         principal: Principal | None = None) -> int:
    """A SKIPPED run saying why (budget, another sync running); the integration is left as it is."""
    async with unit_of_work() as session:
        integration = await session.get_one(CompanyIntegration, integration_id)
        now = utcnow()
        run = SyncRun(integration_id=integration_id, kind=kind, status=SyncRunStatus.SKIPPED, trigger=trigger,
                      started_at=now, finished_at=now, error=reason, details={})
        session.add(run)
        await session.flush()
        summary = {"kind": kind.value, "trigger": trigger, "status": SyncRunStatus.SKIPPED.value, "error": reason}
        audit.record(session, principal, "sync", "sync_run", run.id, new=summary,
                     company_id=integration.company_id, actor_email=None if principal else SYSTEM_ACTOR)
        events.queue(session, DomainEvent(EventType.SYNC_FINISHED, integration.company_id, data={
            "run_id": run.id, "integration_id": integration_id, **summary}))
        return run.id


async def running_run(session: AsyncSession, integration_id: int) -> SyncRun | None:
    """The integration's run in progress, if any (a dead one stays RUNNING until the next holder
    of the sync guard, or the next start-up, closes it INTERRUPTED: see `recovery`)."""
    run: SyncRun | None = await session.scalar(
        select(SyncRun)
        .where(SyncRun.integration_id == integration_id, SyncRun.status == SyncRunStatus.RUNNING)
        .order_by(SyncRun.started_at.desc()).limit(1)
    )
    return run
