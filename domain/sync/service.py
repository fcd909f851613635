"""Running syncs: manual (background task, answers the SyncRun id at once), scheduled (with the
budget rule) and webhook refreshes — each under the integration's guard, each one SyncRun.

Transactions: all SmartMoving calls of a run happen before anything is written; the journeys of
a run are then written in ONE transaction together with the run's closing and audit entry. A
call that finally fails costs only its own records (counted failed, with the reason). A run that
cannot start or finish (bad key or plan, the listing failing, a database error) writes none of
its journeys and is closed FAILED with the reason; one that finds SmartMoving unreachable half
way writes what it fetched and is closed FAILED with that reason. The catalogue a jobs run fetches first when the
company has none is written in its own transaction: it stands on its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

from sqlalchemy import select

from db.enums import SyncKind, SyncRunStatus
from db.models import CompanyIntegration, utcnow
from domain.access.rbac import Permission, Principal
from domain.audit.record import audited_write
from domain.errors import Conflict, DomainError, NotFound
from domain.sync.budget import budget_of
from domain.sync.call_plan import WINDOW, Scope
from domain.sync.catalogue import fetch_catalogue, load_catalogue, write_catalogue
from domain.sync.drift import reconcile
from domain.sync.connection import Connection, load_connection, open_client
from domain.sync.jobs import PendingWrite, collect_listed_jobs, collect_opportunities
from domain.sync.recovery import holding_guard
from domain.sync.runs import (
    RunInfo,
    SyncCounters,
    close_run,
    finish_failed,
    load_for_close,
    open_run,
    record_skipped,
    running_run,
)
from domain.sync.premium import premium_fetcher
from domain.sync.store import write_journeys
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving import SmartMovingClient, SmartMovingError

log = logging.getLogger(__name__)

BUSY = "another sync of this integration is running"
#: How often, and how far apart, a refused trigger looks for the run holding the guard.
BUSY_LOOKUPS = 10
BUSY_LOOKUP_SECONDS = 0.1
_background: set[asyncio.Task[Any]] = set()


def start_background(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    task = asyncio.get_running_loop().create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


async def wait_for_background() -> None:
    """Let the background syncs of this process finish (tests, shutdown)."""
    while _background:
        await asyncio.gather(*list(_background), return_exceptions=True)


async def integration_of(company_id: int) -> CompanyIntegration:
    async with read_session() as session:
        integration = await session.scalar(
            select(CompanyIntegration).where(CompanyIntegration.company_id == company_id))
    if integration is None:
        raise NotFound(f"company {company_id} has no SmartMoving integration")
    return integration


@audited_write
async def trigger_sync(principal: Principal, company_id: int, kind: SyncKind = SyncKind.JOBS,
                       **client_options: Any) -> int:
    """Start a sync now in the background; the new SyncRun's id. 409 (with the running run's id)
    while another sync of the integration runs, on this instance or any other, and when the
    month's quota is used up. A run left RUNNING by a dead process does not block: it is closed
    INTERRUPTED first."""
    principal.require(Permission.SYNC_DATA)
    if kind is SyncKind.WEBHOOK:
        raise Conflict("webhook runs are started by SmartMoving deliveries")
    integration = await integration_of(company_id)
    if not integration.active:
        raise Conflict("the integration is not active: activate it in its settings first")
    async with read_session() as session:
        budget = await budget_of(session, integration, utcnow())
    if budget.exhausted:
        raise Conflict(f"this month's SmartMoving quota is used up ({budget.used:,} of {budget.quota:,} calls)")
    return await _start_guarded(integration.id, kind, principal, client_options)


async def _start_guarded(integration_id: int, kind: SyncKind, principal: Principal,
                         client_options: dict[str, Any]) -> int:
    """Take the integration's guard in a background task and open the run under it: the run's id
    once it is open, or Conflict (409) with the running run's id when the guard is taken — one
    answer on every instance, never a 202 followed by a SKIPPED run."""
    opened: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    async def hold() -> None:
        try:
            async with holding_guard(integration_id) as acquired:
                if not acquired:
                    opened.set_result(None)
                    return
                info = await open_run(integration_id, kind, "manual")
                opened.set_result(info.run_id)
                await _execute(info, principal, None, client_options)
        except Exception as exc:
            if opened.done():
                raise
            opened.set_exception(exc)

    start_background(hold())
    run_id = await opened
    if run_id is None:
        raise await _busy(integration_id)
    return run_id


async def _busy(integration_id: int) -> Conflict:
    """The 409 of a trigger that found the guard taken, naming the run that holds it (looked up a
    few times: another instance may have taken the guard and not yet opened its run)."""
    for _ in range(BUSY_LOOKUPS):
        async with read_session() as session:
            current = await running_run(session, integration_id)
        if current is not None:
            return Conflict(f"sync run #{current.id} is still running", details={"run_id": current.id})
        await asyncio.sleep(BUSY_LOOKUP_SECONDS)
    return Conflict(BUSY, details={"run_id": None})


@audited_write
async def trigger_all(principal: Principal, kind: SyncKind = SyncKind.JOBS) -> list[dict[str, Any]]:
    """Start a sync of every active integration: per company its run id, or why it did not start."""
    principal.require(Permission.SYNC_DATA)
    async with read_session() as session:
        company_ids = list(await session.scalars(
            select(CompanyIntegration.company_id).where(CompanyIntegration.active.is_(True))
            .order_by(CompanyIntegration.company_id)))
    started: list[dict[str, Any]] = []
    for company_id in company_ids:
        try:
            started.append({"company_id": company_id, "run_id": await trigger_sync(principal, company_id, kind)})
        except Conflict as exc:
            started.append({"company_id": company_id, "run_id": None, "reason": exc.message})
    return started


@audited_write
async def scheduled_sync(integration_id: int, kind: SyncKind, *, optional: bool, scope: Scope = WINDOW,
                         **client_options: Any) -> int | None:
    """A scheduled run: optional ones skip when the budget would not last the month, every one
    skips when the quota is used up (a SKIPPED SyncRun says why). Its run id, or None if the
    integration is gone or inactive."""
    async with read_session() as session:
        integration = await session.get(CompanyIntegration, integration_id)
        if integration is None or not integration.active:
            return None
        budget = await budget_of(session, integration, utcnow())
    if budget.exhausted:
        return await record_skipped(integration_id, kind, "schedule",
                                    f"call budget: the monthly quota of {budget.quota:,} calls is used up")
    if optional and not budget.covers_optional_runs:
        return await record_skipped(integration_id, kind, "schedule", budget.skip_reason())
    async with holding_guard(integration_id) as acquired:
        if acquired:
            info = await open_run(integration_id, kind, "schedule", scope)
            await _execute(info, None, None, client_options)
            return info.run_id
    return await record_skipped(integration_id, kind, "schedule", BUSY)


#: Opportunity ids, or a coroutine function giving them once the guard is held (the webhook
#: inbox reads its queued deliveries then, so that a burst that arrived meanwhile joins the run).
OpportunityIds = Iterable[str] | Callable[[], Awaitable[Iterable[str]]]


@audited_write
async def refresh_opportunities(integration_id: int, opportunity_ids: OpportunityIds, *, wait_seconds: float = 0.0,
                                **client_options: Any) -> int | None:
    """A WEBHOOK run refreshing these opportunities; None when there are none. It waits up to
    `wait_seconds` for a running sync of the integration to end (the refresh must not be lost),
    then records SKIPPED."""
    async with holding_guard(integration_id, wait=wait_seconds) as acquired:
        if acquired:
            ids = list(await opportunity_ids() if callable(opportunity_ids) else opportunity_ids)
            if not ids:
                return None
            info = await open_run(integration_id, SyncKind.WEBHOOK, "webhook")
            await _execute(info, None, ids, client_options)
            return info.run_id
    return await record_skipped(integration_id, SyncKind.WEBHOOK, "webhook", BUSY)


@audited_write
async def run_sync(info: RunInfo, *, principal: Principal | None = None, opportunity_ids: list[str] | None = None,
                   **client_options: Any) -> int:
    """Run the opened sync under the integration's guard (SKIPPED if another one holds it)."""
    async with holding_guard(info.integration_id, keep=info.run_id) as acquired:
        if not acquired:
            await finish_failed(info, BUSY, 0, status=SyncRunStatus.SKIPPED, principal=principal)
        else:
            await _execute(info, principal, opportunity_ids, client_options)
    return info.run_id


async def _execute(info: RunInfo, principal: Principal | None, opportunity_ids: list[str] | None,
                   client_options: dict[str, Any]) -> None:
    client: SmartMovingClient | None = None
    try:
        connection = await load_connection(info.integration_id)
        async with open_client(connection, **client_options) as client:
            info.premium = premium_fetcher(connection.plan, client, connection.company_timezone)
            if info.kind is SyncKind.CATALOGUE:
                fetched = await fetch_catalogue(client, connection.plan)
                async with unit_of_work() as session:
                    await write_catalogue(session, connection.company_id, connection.company_timezone, fetched,
                                          info.counters)
                    await _close(session, info, client, principal)
                return
            extra = await _ensure_catalogue(connection, client)
            pending = await _collect(info, connection, client, opportunity_ids)
            if info.kind is SyncKind.WEBHOOK:  # which deliveries the run covers (the webhook inbox reads it)
                extra["fetched_at"] = {o: at.isoformat() for o, at in info.fetched_at.items()}
            async with unit_of_work() as session:
                result = await write_journeys(session, connection.company_id, pending, utcnow())
                info.counters.created, info.counters.updated = len(result.created), len(result.updated)
                if info.premium is not None:
                    extra["premium"] = info.premium.summary()
                if info.booked is not None:
                    extra["reconciliation"] = await reconcile(session, connection.company_id, info.booked,
                                                              info.counters.failures)
                await _close(session, info, client, principal, extra)
    except (SmartMovingError, DomainError) as exc:
        await finish_failed(info, _describe(exc), client.calls if client else 0, principal=principal)
    except asyncio.CancelledError:
        await asyncio.shield(finish_failed(info, "interrupted: the app stopped before this run ended",
                                           client.calls if client else 0, status=SyncRunStatus.INTERRUPTED))
        raise
    except Exception as exc:  # a bug or the database: record it on the run, keep the scheduler alive
        log.exception("sync run %s failed", info.run_id)
        await finish_failed(info, f"unexpected error: {type(exc).__name__}: {exc}", client.calls if client else 0,
                            principal=principal)


async def _ensure_catalogue(connection: Connection, client: SmartMovingClient) -> dict[str, Any]:
    """A company without synced branches gets its catalogue first (jobs map to branches)."""
    async with read_session() as session:
        if (await load_catalogue(session, connection.company_id)).locations_by_branch:
            return {}
    counters = SyncCounters()
    fetched = await fetch_catalogue(client, connection.plan)
    async with unit_of_work() as session:
        await write_catalogue(session, connection.company_id, connection.company_timezone, fetched, counters)
    return {"catalogue": counters.snapshot()}


async def _collect(info: RunInfo, connection: Connection, client: SmartMovingClient,
                   opportunity_ids: list[str] | None) -> list[PendingWrite]:
    async with read_session() as session:
        catalogue = await load_catalogue(session, connection.company_id)
    if info.kind is SyncKind.WEBHOOK:
        return await collect_opportunities(info, client, catalogue, connection.company_timezone,
                                           opportunity_ids or [], window_days=connection.window_days)
    return await collect_listed_jobs(info, client, catalogue, connection.company_timezone,
                                     full=info.kind is SyncKind.FULL_JOBS, window_days=connection.window_days)


async def _close(session: Any, info: RunInfo, client: SmartMovingClient, principal: Principal | None,
                 extra: dict[str, Any] | None = None) -> None:
    """SUCCEEDED, or FAILED with `info.halted` when SmartMoving became unreachable part-way (what
    was fetched is written all the same)."""
    run, integration = await load_for_close(session, info)
    status = SyncRunStatus.FAILED if info.halted else SyncRunStatus.SUCCEEDED
    close_run(session, run, integration, info, status=status, api_calls=client.calls, error=info.halted,
              principal=principal, extra=extra)


def _describe(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {message}"
