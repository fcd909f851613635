"""A journey's inventory (`/api/journey/{id}/inventory`, its lines under `.../lines`): read by
whoever may read the journey; lines added, changed and removed by its crew during pickup, checked
during delivery. Photos are uploaded first (`POST /api/mobile/journey/{id}/media`) and given by id."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.idempotency import Once
from api.http.params import RowId
from db.enums import DeliveryCheck
from domain.inventory import edit
from domain.inventory.conditions import CONDITION_WORDS
from domain.inventory.smartmoving import import_inventory
from domain.inventory.views import CHECK_WORDS, ExceptionView, InventoryView, LineView, journey_inventory

router = APIRouter(prefix="/api/journey", tags=["inventory"])

_CODES = "Condition codes: " + ", ".join(f"{c} {w}" for c, w in CONDITION_WORDS.items())
_PHOTOS = "Ids of photos uploaded to the journey (POST /api/mobile/journey/{id}/media)"


class LineBody(BaseModel):
    room: str = Field(max_length=edit.ROOM_MAX_LENGTH)
    name: str = Field(max_length=edit.NAME_MAX_LENGTH)
    quantity: int = Field(1, ge=1, le=edit.MAX_QUANTITY)
    conditions: list[str] = Field(default_factory=list, max_length=len(CONDITION_WORDS), description=_CODES)
    note: str | None = Field(None, max_length=edit.NOTE_MAX_LENGTH)
    photo_ids: list[RowId] = Field(default_factory=list, max_length=edit.MAX_PHOTOS, description=_PHOTOS)

    def draft(self) -> edit.LineDraft:
        return edit.LineDraft(self.room, self.name, self.quantity, self.conditions, self.note, self.photo_ids)


class CheckBody(BaseModel):
    outcome: DeliveryCheck
    conditions: list[str] = Field(default_factory=list, max_length=len(CONDITION_WORDS), description=_CODES)
    note: str | None = Field(None, max_length=edit.NOTE_MAX_LENGTH)
    photo_ids: list[RowId] = Field(default_factory=list, max_length=edit.MAX_PHOTOS, description=_PHOTOS)


def _line(line: LineView) -> dict[str, Any]:
    return {"id": line.id, "room": line.room, "name": line.name, "quantity": line.quantity, "source": line.source,
            "pickup": {"conditions": line.pickup_conditions, "words": line.pickup_words, "note": line.pickup_note,
                       "photo_ids": line.pickup_photo_ids},
            "delivery": {"check": line.delivery, "words": CHECK_WORDS[line.delivery],
                         "conditions": line.delivery_conditions, "conditions_words": line.delivery_words,
                         "note": line.delivery_note, "photo_ids": line.delivery_photo_ids,
                         "checked_at": line.checked_at}}


def _exception(found: ExceptionView) -> dict[str, Any]:
    return {"line_id": found.line.id, "room": found.line.room, "name": found.line.title, "what": found.what,
            "words": found.words, "photo_ids": found.photo_ids}


def _inventory(view: InventoryView) -> dict[str, Any]:
    return {"journey_id": view.journey_id, "writing": view.writing, "unchecked": view.unchecked,
            "lines": [_line(line) for line in view.lines],
            "exceptions": [_exception(found) for found in view.exceptions]}


@router.get("/{journey_id}/inventory")
async def inventory(journey_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    """The lines (pickup condition, delivery check), the exceptions, and the phase in which the
    caller may write now (`writing`: PICKUP, DELIVERY or null)."""
    return ok(_inventory(await journey_inventory(principal, journey_id)))


@router.post("/{journey_id}/inventory/lines", status_code=201)
async def add(journey_id: RowId, body: LineBody, principal: CurrentPrincipal, once: Once) -> Response:
    """A line at pickup (the journey's crew, while pickup is under way)."""
    async def work() -> Response:
        return ok(_line(await edit.add_line(principal, journey_id, body.draft())), "item added", 201)

    return await once.run(principal, work)


@router.put("/{journey_id}/inventory/lines/{line_id}")
async def change(journey_id: RowId, line_id: RowId, body: LineBody, principal: CurrentPrincipal) -> JSONResponse:
    """Change a line at pickup; `photo_ids` are added to the line's photos."""
    return ok(_line(await edit.edit_line(principal, journey_id, line_id, body.draft())), "item changed")


@router.delete("/{journey_id}/inventory/lines/{line_id}")
async def remove(journey_id: RowId, line_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    await edit.remove_line(principal, journey_id, line_id)
    return ok(None, "item removed")


@router.post("/{journey_id}/inventory/lines/{line_id}/check")
async def check(journey_id: RowId, line_id: RowId, body: CheckBody, principal: CurrentPrincipal) -> JSONResponse:
    """Check a line at delivery: DELIVERED, MISSING, or DAMAGED with condition codes or a note."""
    draft = edit.CheckDraft(body.outcome, body.conditions, body.note, body.photo_ids)
    return ok(_line(await edit.check_line(principal, journey_id, line_id, draft)), "item checked")


@router.post("/{journey_id}/inventory/import")
async def import_from_smartmoving(journey_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    """Fill an empty inventory from SmartMoving (PREMIUM plans; once per journey)."""
    added = await import_inventory(principal, journey_id)
    return ok({"added": added}, f"{added} items from SmartMoving" if added else "nothing to import")
