"""Phase decisions for the desk (`/api/journey/{id}/phases/...`): dispatch completes CREATION,
managers and dispatchers approve or reject completed phases."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.workflow import mobile
from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import RowId
from db.enums import Phase
from domain.workflow import phases as workflow

router = APIRouter(prefix="/api/journey", tags=["workflow"])


class RejectBody(BaseModel):
    reason: str = Field(max_length=workflow.REASON_MAX_LENGTH)


router.post("/{journey_id}/phases/{phase}/complete")(mobile.complete)


@router.post("/{journey_id}/phases/{phase}/approve")
async def approve(journey_id: RowId, phase: Phase, principal: CurrentPrincipal) -> JSONResponse:
    return ok(await workflow.approve_phase(principal, journey_id, phase), f"{phase.value} approved")


@router.post("/{journey_id}/phases/{phase}/reject")
async def reject(journey_id: RowId, phase: Phase, body: RejectBody, principal: CurrentPrincipal) -> JSONResponse:
    return ok(await workflow.reject_phase(principal, journey_id, phase, body.reason), f"{phase.value} sent back")
