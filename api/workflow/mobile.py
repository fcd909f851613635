"""The crew's API (`/api/mobile`): my journeys, a journey's job sheet and workflow, recording
items, completing phases, uploading photos and signatures. Never any estimated value or charge."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse
from starlette.responses import Response
from pydantic import BaseModel, Field

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.idempotency import Once
from api.http.params import RowId
from db.enums import MediaKind, Phase
from domain.workflow import phases as workflow
from domain.workflow.crew_journeys import journey_card, journey_sheet, my_journeys
from domain.workflow.items import SIGNER_MAX_LENGTH
from api.documents.schemas import SignatureConsent, consent_of
from domain.documents.consent import CONSENT_SCREEN
from domain.workflow.media import max_bytes, upload_media

router = APIRouter(prefix="/api/mobile", tags=["mobile"])


class ItemBody(BaseModel):
    item_key: str = Field(min_length=1, max_length=80)
    #: The answer (true/false, a number, a choice, text, {"time": ISO} or {"lat", "lng"}).
    value: Any = None
    #: For photo and signature items: the id returned by the media upload.
    media_id: RowId | None = None
    signer: str | None = Field(None, max_length=SIGNER_MAX_LENGTH)
    #: For signature items: the customer's consent to sign electronically (domain/documents/consent.py).
    consent: SignatureConsent | None = None


class CompleteBody(BaseModel):
    #: Items to record in the same transaction before completing ({key: value}; media as {"media_id": n}).
    items: dict[str, Any] = Field(default_factory=dict, max_length=50)


@router.get("/journeys")
async def journeys(principal: CurrentPrincipal) -> JSONResponse:
    """My journeys today and tomorrow (crew only)."""
    return ok(await my_journeys(principal))


@router.get("/journey/{journey_id}")
async def journey(journey_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    """The job sheet and the six phases (items, records, what is missing, progress)."""
    card = await journey_card(principal, journey_id)
    return ok({"journey": card, "sheet": await journey_sheet(principal, journey_id),
               "workflow": await workflow.journey_workflow(principal, journey_id), "consent": CONSENT_SCREEN})


@router.post("/journey/{journey_id}/phases/{phase}/start")
async def start(journey_id: RowId, phase: Phase, principal: CurrentPrincipal) -> JSONResponse:
    return ok(await workflow.start_phase(principal, journey_id, phase), f"{phase.value} started")


@router.post("/journey/{journey_id}/phases/{phase}/items", status_code=201)
async def record(journey_id: RowId, phase: Phase, body: ItemBody, principal: CurrentPrincipal, once: Once) -> Response:
    async def work() -> Response:
        recorded = await workflow.record_item(principal, journey_id, phase, body.item_key, body.value,
                                              media_id=body.media_id, signer=body.signer,
                                              consent=consent_of(body.consent))
        return ok(recorded, "recorded", 201)

    return await once.run(principal, work)


async def complete(journey_id: RowId, phase: Phase, principal: CurrentPrincipal,
                   body: CompleteBody | None = None) -> JSONResponse:
    """Complete a phase; 422 with `details.missing` (item labels) when something required is missing."""
    result = await workflow.complete_phase(principal, journey_id, phase, body.items if body else None)
    return ok(result, f"{phase.value} completed")


router.post("/journey/{journey_id}/phases/{phase}/complete")(complete)


@router.post("/journey/{journey_id}/media", status_code=201)
async def upload(journey_id: RowId, principal: CurrentPrincipal, once: Once, file: UploadFile = File(...),
                 kind: MediaKind = Form(MediaKind.PHOTO)) -> Response:
    """Store a photo (JPEG/PNG/WebP, ≤ 10 MB) or a signature (PNG, ≤ 1 MB); returns its media id."""
    data = await file.read(max_bytes(kind) + 1)  # one byte over the limit is enough to refuse

    async def work() -> Response:
        return ok(await upload_media(principal, journey_id, kind, data), "stored", 201)

    return await once.run(principal, work, payload=kind.value.encode() + b"\n" + data)
