"""`/api/journeys/<id>/progress` (GET) and `/api/journeys/<id>/notes` (PUT)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import RowId
from domain.journeys.status import MAX_NOTES_LENGTH, journey_progress, update_journey_notes

router = APIRouter(prefix="/api/journeys", tags=["journeys"])


class NotesIn(BaseModel):
    notes: str = Field(max_length=MAX_NOTES_LENGTH)


@router.get("/{journey_id}/progress")
async def get_progress(journey_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    return ok(asdict(await journey_progress(principal, journey_id)))


@router.put("/{journey_id}/notes")
async def put_notes(journey_id: RowId, body: NotesIn, principal: CurrentPrincipal) -> JSONResponse:
    return ok(asdict(await update_journey_notes(principal, journey_id, body.notes)), "notes saved")
