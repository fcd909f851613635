"""The crew's inventory writes: lines at pickup (add, edit, remove, photos), checks at delivery.

Each write is one unit of work with its audit entry and an `INVENTORY_CHANGED` event after
commit. Only the journey's crew writes, and only while the phase is under way: lines during
PICKUP, checks during DELIVERY; anything else is refused with a sentence saying why. Photos are
either uploaded with the write (the phone page: stored in the same transaction through the
workflow's media path, so an oversized or disguised photo refuses the whole write) or given as
ids of photos already uploaded to the journey (the API)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryCheck, InventorySource, MediaKind, Phase
from db.models import InventoryItem, Journey, Media, utcnow
from db.models.base import MAX_ROW_ID
from domain.access.rbac import Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.inventory.conditions import clean_conditions
from domain.inventory.views import LineView, line_view, writing_phase
from domain.journeys.access import load_journey
from domain.journeys.labels import PHASE_LABELS
from domain.unit_of_work import unit_of_work
from domain.workflow.access import crew_ids, refuse_if_cancelled, require_row_id
from domain.workflow.media import store_media

MAX_LINES = 500
ROOM_MAX_LENGTH = 80
NAME_MAX_LENGTH = 120
NOTE_MAX_LENGTH = 1000
MAX_QUANTITY = 999
#: Photos of one line at pickup, and again at delivery.
MAX_PHOTOS = 6
_FIELDS = ("room", "name", "quantity", "pickup_conditions", "pickup_note", "pickup_photo_ids")
_CHECK_FIELDS = ("delivery", "delivery_conditions", "delivery_note", "delivery_photo_ids")
_DOING = {Phase.PICKUP: "recorded during pickup", Phase.DELIVERY: "checked during delivery"}


@dataclass(frozen=True, slots=True)
class LineDraft:
    """A line as the crew enters it at pickup."""

    room: str
    name: str
    quantity: int = 1
    conditions: Sequence[str] = ()
    note: str | None = None
    #: Ids of photos already uploaded to the journey (kept as the line's pickup photos).
    photo_ids: Sequence[int] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class CheckDraft:
    """A line's check at delivery: delivered, missing or damaged (with codes or a note)."""

    outcome: DeliveryCheck
    conditions: Sequence[str] = ()
    note: str | None = None
    photo_ids: Sequence[int] = field(default_factory=tuple)


def _text(value: Any, what: str, limit: int, *, required: bool) -> str | None:
    text = value.strip() if isinstance(value, str) else None
    if value is not None and text is None:
        raise ValidationFailed(f"{what}: expected text")
    if not text:
        if required:
            raise ValidationFailed(f"{what}: write something first")
        return None
    if len(text) > limit:
        raise ValidationFailed(f"{what}: at most {limit} characters")
    return text


def _quantity(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed(f"count: a whole number from 1 to {MAX_QUANTITY}")
    return value


@dataclass(slots=True)
class _Writing:
    """A journey locked for an inventory write by its crew, in the phase that allows it."""

    session: AsyncSession
    principal: Principal
    journey: Journey
    phase: Phase
    crew: tuple[int, ...]

    async def line(self, line_id: int) -> InventoryItem:
        require_row_id(line_id, "inventory item")
        item = await self.session.scalar(select(InventoryItem).where(
            InventoryItem.id == line_id, InventoryItem.journey_id == self.journey.id).with_for_update())
        if item is None:
            raise NotFound("inventory item not found on this journey")
        return item

    async def photos(self, ids: Sequence[int], kept: Sequence[int] = ()) -> list[int]:
        """`kept` and then `ids` (photos uploaded to this journey), each once, within the limit."""
        wanted = list(dict.fromkeys([*kept, *ids]))
        if len(wanted) > MAX_PHOTOS:
            raise ValidationFailed(f"photos: at most {MAX_PHOTOS} per item")
        new = [i for i in wanted if i not in kept]
        if any(isinstance(i, bool) or not isinstance(i, int) or not 1 <= i <= MAX_ROW_ID for i in new):
            raise ValidationFailed("photos: ids of photos uploaded to this journey")
        if new:
            found = set((await self.session.scalars(select(Media.id).where(
                Media.id.in_(new), Media.journey_id == self.journey.id, Media.kind == MediaKind.PHOTO))).all())
            if found != set(new):
                raise ValidationFailed("photos: ids of photos uploaded to this journey")
        return wanted

    def done(self, action: str, item: InventoryItem, old: dict[str, Any], fields: Sequence[str]) -> None:
        journey = self.journey
        audit.record(self.session, self.principal, action, "inventory_item", item.id, old=old,
                     new={**audit.snapshot(item, fields), "journey_id": journey.id}, company_id=journey.company_id)
        events.queue(self.session, DomainEvent(EventType.INVENTORY_CHANGED, journey.company_id, journey.location_id,
                                               journey.id, self.crew, {"line_id": item.id, "action": action}))


async def _writing(session: AsyncSession, principal: Principal, journey_id: int, phase: Phase) -> _Writing:
    journey, _location = await load_journey(session, principal, journey_id, for_update=True)
    refuse_if_cancelled(journey)
    crew = await crew_ids(session, journey.id)
    if principal.user_id not in crew:
        raise Forbidden("only the crew of this journey records its inventory")
    now = await writing_phase(session, journey)
    if now is not phase:
        label = PHASE_LABELS[phase].lower()
        raise Conflict(f"The inventory is {_DOING[phase]}, and {label} is not under way")
    return _Writing(session, principal, journey, phase, crew)


def _clean_line(draft: LineDraft) -> dict[str, Any]:
    return {"room": _text(draft.room, "room", ROOM_MAX_LENGTH, required=True),
            "name": _text(draft.name, "item", NAME_MAX_LENGTH, required=True),
            "quantity": _quantity(draft.quantity),
            "pickup_conditions": clean_conditions(list(draft.conditions)),
            "pickup_note": _text(draft.note, "note", NOTE_MAX_LENGTH, required=False)}


@audited_write
async def add_line(principal: Principal, journey_id: int, draft: LineDraft, photo: bytes | None = None) -> LineView:
    """A new line at pickup (with an uploaded `photo`, stored in the same transaction)."""
    values = _clean_line(draft)
    async with unit_of_work() as session:
        work = await _writing(session, principal, journey_id, Phase.PICKUP)
        count, last = (await session.execute(select(func.count(), func.max(InventoryItem.position)).where(
            InventoryItem.journey_id == work.journey.id))).one()
        if count >= MAX_LINES:
            raise ValidationFailed(f"an inventory holds at most {MAX_LINES} items")
        photos = await work.photos(draft.photo_ids)
        if photo is not None:
            photos = await work.photos([(await store_media(session, principal, work.journey, MediaKind.PHOTO,
                                                           photo)).id], photos)
        item = InventoryItem(company_id=work.journey.company_id, journey_id=work.journey.id,
                             source=InventorySource.CREW, position=(last or 0) + 1, pickup_photo_ids=photos,
                             loaded_at=utcnow(), loaded_by_id=principal.user_id, **values)
        session.add(item)
        await session.flush()
        work.done("inventory.line_added", item, {}, _FIELDS)
        return line_view(item)


@audited_write
async def edit_line(principal: Principal, journey_id: int, line_id: int, draft: LineDraft) -> LineView:
    """Change a line at pickup (its photos: those kept plus `draft.photo_ids`)."""
    values = _clean_line(draft)
    async with unit_of_work() as session:
        work = await _writing(session, principal, journey_id, Phase.PICKUP)
        item = await work.line(line_id)
        old = audit.snapshot(item, _FIELDS)
        photos = await work.photos(draft.photo_ids, item.pickup_photo_ids or [])
        for name, value in values.items():
            setattr(item, name, value)
        item.pickup_photo_ids = photos
        item.loaded_at, item.loaded_by_id = utcnow(), principal.user_id
        await session.flush()
        work.done("inventory.line_changed", item, old, _FIELDS)
        return line_view(item)


@audited_write
async def remove_line(principal: Principal, journey_id: int, line_id: int) -> None:
    """Take a line off the inventory at pickup (its audit entry keeps what it said)."""
    async with unit_of_work() as session:
        work = await _writing(session, principal, journey_id, Phase.PICKUP)
        item = await work.line(line_id)
        old = audit.snapshot(item, _FIELDS)
        await session.delete(item)
        await session.flush()
        work.done("inventory.line_removed", item, old, ())


@audited_write
async def add_photo(principal: Principal, journey_id: int, line_id: int, phase: Phase, content: bytes) -> LineView:
    """Store a photo and add it to the line, at pickup or at delivery, in one transaction."""
    if phase not in _DOING:
        raise ValidationFailed("photos of the inventory are taken at pickup or at delivery")
    async with unit_of_work() as session:
        work = await _writing(session, principal, journey_id, phase)
        item = await work.line(line_id)
        column = "pickup_photo_ids" if phase is Phase.PICKUP else "delivery_photo_ids"
        kept = list(getattr(item, column) or [])
        if len(kept) >= MAX_PHOTOS:
            raise ValidationFailed(f"photos: at most {MAX_PHOTOS} per item")
        media = await store_media(session, principal, work.journey, MediaKind.PHOTO, content)
        old = audit.snapshot(item, (column,))
        setattr(item, column, await work.photos([media.id], kept))
        await session.flush()
        work.done("inventory.photo_added", item, old, (column,))
        return line_view(item)


def _clean_check(draft: CheckDraft) -> dict[str, Any]:
    outcome = draft.outcome
    if not isinstance(outcome, DeliveryCheck) or outcome is DeliveryCheck.PENDING:
        raise ValidationFailed("check: delivered, missing or damaged")
    conditions = clean_conditions(list(draft.conditions))
    note = _text(draft.note, "note", NOTE_MAX_LENGTH, required=False)
    if outcome is not DeliveryCheck.DAMAGED and conditions:
        raise ValidationFailed("condition codes describe damage: choose Damaged to note them")
    if outcome is DeliveryCheck.DAMAGED and not conditions and not note:
        raise ValidationFailed("say what the damage is: tap a condition code or write a note")
    return {"delivery": outcome, "delivery_conditions": conditions, "delivery_note": note}


@audited_write
async def check_line(principal: Principal, journey_id: int, line_id: int, draft: CheckDraft,
                     photo: bytes | None = None) -> LineView:
    """Check a line at delivery (again, to correct it): delivered, missing, or damaged."""
    values = _clean_check(draft)
    async with unit_of_work() as session:
        work = await _writing(session, principal, journey_id, Phase.DELIVERY)
        item = await work.line(line_id)
        old = audit.snapshot(item, _CHECK_FIELDS)
        photos = await work.photos(draft.photo_ids, item.delivery_photo_ids or [])
        if photo is not None:
            photos = await work.photos([(await store_media(session, principal, work.journey, MediaKind.PHOTO,
                                                           photo)).id], photos)
        for name, value in values.items():
            setattr(item, name, value)
        item.delivery_photo_ids = photos
        item.checked_at, item.checked_by_id = utcnow(), principal.user_id
        await session.flush()
        work.done("inventory.line_checked", item, old, _CHECK_FIELDS)
        return line_view(item)
