"""`/api/smartmoving/...`: SmartMoving job lists, locations, sync status and trigger, webhooks."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import Offset, RowId
from db.enums import DataSource, JourneyStatus, SyncKind
from domain.sync.views import DEFAULT_LIMIT, MAX_LIMIT, ListFilters, Window, journey_list, smartmoving_locations
from domain.sync.history import sync_status
from domain.sync.service import trigger_all, trigger_sync
from domain.sync.webhooks import MAX_WEBHOOK_BYTES, PayloadTooLarge, receive_webhook

router = APIRouter(prefix="/api/smartmoving", tags=["smartmoving"])


def _filters(location_id: RowId | None, status: JourneyStatus | None, source: DataSource | None, limit: int,
             offset: int) -> ListFilters:
    return ListFilters(location_id=location_id, status=status, source=source, limit=limit, offset=offset)


@router.get("/journeys/{window}")
async def journeys(principal: CurrentPrincipal, window: Window, location_id: RowId | None = None,
                   status: JourneyStatus | None = None, source: DataSource | None = None,
                   limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT), offset: Offset = 0) -> JSONResponse:
    """Journeys of any source: active (not finished, from today), today or tomorrow."""
    return ok(await journey_list(principal, window, _filters(location_id, status, source, limit, offset)))


@router.get("/jobs/{day}")
async def jobs(principal: CurrentPrincipal, day: Literal["today", "tomorrow"], location_id: RowId | None = None,
               status: JourneyStatus | None = None, limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
               offset: Offset = 0) -> JSONResponse:
    """SmartMoving jobs (synced journeys) of today or tomorrow."""
    filters = _filters(location_id, status, None, limit, offset)
    return ok(await journey_list(principal, Window(day), filters, smartmoving_only=True))


@router.get("/locations")
async def locations(principal: CurrentPrincipal) -> JSONResponse:
    return ok(await smartmoving_locations(principal))


@router.get("/sync/status")
async def status(principal: CurrentPrincipal, company_id: RowId | None = None) -> JSONResponse:
    return ok(await sync_status(principal, company_id))


class TriggerRequest(BaseModel):
    company_id: RowId | None = None
    kind: Literal["JOBS", "FULL_JOBS", "CATALOGUE"] = "JOBS"


@router.post("/sync/automated/trigger", status_code=202)
async def trigger(principal: CurrentPrincipal, body: TriggerRequest | None = None) -> JSONResponse:
    """Start a sync now (super admin): of one company, or of every active integration."""
    body = body or TriggerRequest()
    kind = SyncKind(body.kind)
    if body.company_id is not None:
        run_id = await trigger_sync(principal, body.company_id, kind)
        return ok({"runs": [{"company_id": body.company_id, "run_id": run_id}]}, "sync started", 202)
    return ok({"runs": await trigger_all(principal, kind)}, "syncs started", 202)


@router.post("/webhooks/{company_id}", status_code=202)
async def webhook(company_id: RowId, request: Request) -> JSONResponse:
    """A SmartMoving delivery: 401 without the company's secret header, 413 over the size limit,
    otherwise 202 at once, once stored (duplicates included: SmartMoving must not retry them; a
    duplicate of a delivery not yet processed is the same queued work)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge(f"webhook bodies are limited to {MAX_WEBHOOK_BYTES // 1024} KB")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_WEBHOOK_BYTES:
            raise PayloadTooLarge(f"webhook bodies are limited to {MAX_WEBHOOK_BYTES // 1024} KB")
    receipt = await receive_webhook(company_id, request.headers, bytes(body))
    message = ("duplicate delivery: its refresh is queued" if receipt.duplicate and receipt.queued
               else "duplicate delivery" if receipt.duplicate else "accepted")
    return ok({"event_id": receipt.event_id, "duplicate": receipt.duplicate, "queued": receipt.queued}, message, 202)
