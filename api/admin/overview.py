"""Company management (super admin, and an admin for their own company): companies, their
figures, catalogue, integration settings and syncs."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import RowId
from db.enums import IntegrationPlan, SyncKind
from domain.admin.overview import company_catalogue, company_detail, company_locations, company_stats, list_companies
from domain.sync.drift import drift_report
from domain.sync.history import MAX_HISTORY, sync_history
from domain.sync.service import trigger_sync
from domain.sync.settings import IntegrationForm, get_integration, save_integration

router = APIRouter(prefix="/api", tags=["companies"])


@router.get("/company-management/companies")
async def companies(principal: CurrentPrincipal) -> JSONResponse:
    return ok(await list_companies(principal))


@router.get("/companies/{company_id}")
async def company(principal: CurrentPrincipal, company_id: RowId) -> JSONResponse:
    return ok(await company_detail(principal, company_id))


@router.get("/companies/{company_id}/stats")
async def stats(principal: CurrentPrincipal, company_id: RowId) -> JSONResponse:
    return ok(await company_stats(principal, company_id))


@router.get("/companies/{company_id}/locations")
async def locations(principal: CurrentPrincipal, company_id: RowId) -> JSONResponse:
    return ok(await company_locations(principal, company_id))


@router.get("/companies/{company_id}/catalogue/{kind}")
async def catalogue(principal: CurrentPrincipal, company_id: RowId,
                    kind: Literal["branches", "service_types", "move_sizes", "materials", "users"]) -> JSONResponse:
    return ok(await company_catalogue(principal, company_id, kind))


class SyncRequest(BaseModel):
    kind: Literal["JOBS", "FULL_JOBS", "CATALOGUE"] = "JOBS"


@router.post("/companies/{company_id}/sync", status_code=202)
async def start_sync(principal: CurrentPrincipal, company_id: RowId, body: SyncRequest | None = None) -> JSONResponse:
    run_id = await trigger_sync(principal, company_id, SyncKind((body or SyncRequest()).kind))
    return ok({"run_id": run_id}, "sync started", 202)


@router.get("/companies/{company_id}/drift")
async def drift(principal: CurrentPrincipal, company_id: RowId) -> JSONResponse:
    """The last reconciliation: per day and branch SmartMoving's booked jobs against the live
    journeys, every mismatch, and the time of the last full reconciliation."""
    return ok((await drift_report(principal, company_id)).as_dict())


@router.post("/companies/{company_id}/reconcile", status_code=202)
async def reconcile_now(principal: CurrentPrincipal, company_id: RowId) -> JSONResponse:
    """Reconcile now: a full jobs sync (every job's details fetched again)."""
    run_id = await trigger_sync(principal, company_id, SyncKind.FULL_JOBS)
    return ok({"run_id": run_id}, "full reconciliation started", 202)


@router.get("/companies/{company_id}/sync")
async def history(principal: CurrentPrincipal, company_id: RowId,
                  limit: int = Query(50, ge=1, le=MAX_HISTORY)) -> JSONResponse:
    return ok(await sync_history(principal, company_id, limit))


class IntegrationRequest(BaseModel):
    base_url: str = Field(max_length=300)
    plan: IntegrationPlan = IntegrationPlan.BASIC
    active: bool = True
    sync_frequency_minutes: int = 30
    webhook_header: str = Field("x-smartmoving-auth", max_length=80)
    api_key: str | None = Field(None, max_length=200)
    webhook_secret: str | None = Field(None, max_length=200)


@router.get("/companies/{company_id}/integration")
async def integration(principal: CurrentPrincipal, company_id: RowId) -> JSONResponse:
    return ok(await get_integration(principal, company_id))


@router.put("/companies/{company_id}/integration")
async def update_integration(principal: CurrentPrincipal, company_id: RowId, body: IntegrationRequest) -> JSONResponse:
    return ok(await save_integration(principal, company_id, IntegrationForm(**body.model_dump())), "saved")
