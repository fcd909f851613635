"""`GET /health` (and `/api/health`): 200 with `success: true`, or 503 with `success: false`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.http.envelope import fail, ok
from api.http.outage import retry_after_seconds
from domain.runtime.health import check_health

router = APIRouter(tags=["health"])


@router.get("/health")
@router.get("/api/health")
async def health() -> JSONResponse:
    healthy, report = await check_health()
    if healthy:
        return ok(report, "healthy")
    return fail(503, "unhealthy", "database unreachable or migrations not at head", report,
                headers={"Retry-After": str(retry_after_seconds())})
