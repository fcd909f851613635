"""Read models of sync runs: a company's run history and its integration's sync status."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import select

from db.models import Company, CompanyIntegration, SyncRun, utcnow
from domain.access.rbac import Permission, Principal
from domain.errors import NotFound
from domain.sync.budget import budget_of
from domain.sync.runs import running_run
from domain.sync.schedule import integration_plan, next_runs
from domain.sync.settings import integration_view
from domain.unit_of_work import read_session

MAX_HISTORY = 200


def run_row(run: SyncRun) -> dict[str, Any]:
    started, finished = run.started_at, run.finished_at
    duration = (finished - started).total_seconds() if started and finished else None
    failures = (run.details or {}).get("failures") or []
    return {
        "id": run.id, "kind": run.kind.value, "status": run.status.value, "trigger": run.trigger,
        "started_at": _utc(started), "finished_at": _utc(finished),
        "duration_seconds": round(duration, 2) if duration is not None else None,
        "processed": run.processed, "created": run.created, "updated": run.updated, "unchanged": run.unchanged,
        "failed": run.failed, "api_calls": run.api_calls, "error": run.error, "failures": failures[:10],
    }


async def sync_history(principal: Principal, company_id: int, limit: int = 50) -> list[dict[str, Any]]:
    principal.require_company_access(company_id)
    async with read_session() as session:
        runs = await session.scalars(
            select(SyncRun).join(CompanyIntegration, CompanyIntegration.id == SyncRun.integration_id)
            .where(CompanyIntegration.company_id == company_id)
            .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(min(max(limit, 1), MAX_HISTORY)))
        return [run_row(run) for run in runs]


async def sync_run(principal: Principal, run_id: int) -> dict[str, Any]:
    async with read_session() as session:
        row = (await session.execute(
            select(SyncRun, CompanyIntegration.company_id)
            .join(CompanyIntegration, CompanyIntegration.id == SyncRun.integration_id)
            .where(SyncRun.id == run_id))).first()
        if row is None:
            raise NotFound(f"sync run {run_id} not found")
        principal.require_company_access(row.company_id)
        return run_row(row.SyncRun)


async def sync_status(principal: Principal, company_id: int | None = None) -> dict[str, Any]:
    """The integration's state for office roles; the super admin also gets its settings (masked)
    and call budget. Super admins name the company (default: the first one)."""
    principal.require(Permission.VIEW_SMARTMOVING_DATA)
    async with read_session() as session:
        if principal.is_super_admin:
            company_id = company_id or await session.scalar(select(Company.id).order_by(Company.id).limit(1))
        else:
            company_id = principal.company_id
        integration = await session.scalar(
            select(CompanyIntegration).where(CompanyIntegration.company_id == company_id))
        if integration is None:
            return {"company_id": company_id, "configured": False}
        last = await session.scalar(select(SyncRun).where(SyncRun.integration_id == integration.id)
                                    .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(1))
        current = await running_run(session, integration.id)
        status: dict[str, Any] = {
            "company_id": company_id, "configured": True, "active": integration.active,
            "status": integration.status.value, "last_sync_at": _utc(integration.last_sync_at),
            "last_run": run_row(last) if last else None, "running_run_id": current.id if current else None,
            "next_runs": next_runs(integration.id),
        }
        if principal.can(Permission.SYNC_DATA):
            status["integration"] = integration_view(integration)
            status["budget"] = (await budget_of(session, integration, utcnow())).as_dict()
            plan = await integration_plan(integration.id)
            status["call_plan"] = plan.as_dict() if plan else None
        return status


def _utc(value: Any) -> Any:
    """SQLite returns naive datetimes; they are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
