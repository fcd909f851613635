"""What a move document says, gathered from the database in words people read (the branch's time
zone, 24-hour clock, no ids or enum names): the rendering (`render.py`) only lays it out.

Both documents say the same things, each as far as the move has come: company, branch, customer,
addresses, dates and times, crew and truck, the inventory with its exceptions, photo thumbnails
(at most `MAX_PHOTOS`, exceptions first) and every signature with its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config import get_settings
from db.enums import ActivityKind, DeliveryCheck, DocumentKind, ItemKind, MediaKind
from db.models import Company, CrewAssignment, InventoryItem, Journey, JourneyStep, Location, Media, StepActivity, \
    Truck, User
from domain.documents.consent import position_words
from domain.inventory.conditions import condition_words
from domain.journeys.labels import PHASE_LABELS, journey_label, plain_words
from domain.timewindow import local_time
from domain.workflow.template import load_template

#: Photo thumbnails per document at most (a PDF stays small enough to mail and attach).
MAX_PHOTOS = 12
#: Inventory lines per document at most (SmartMoving's largest inventories stay well below).
MAX_INVENTORY_LINES = 500

DOCUMENT_TITLES: dict[DocumentKind, str] = {
    DocumentKind.BILL_OF_LADING: "Bill of lading",
    DocumentKind.COMPLETION_REPORT: "Completion report",
}
DELIVERY_WORDS: dict[DeliveryCheck, str] = {
    DeliveryCheck.PENDING: "Not checked yet",
    DeliveryCheck.DELIVERED: "Delivered",
    DeliveryCheck.MISSING: "Missing",
    DeliveryCheck.DAMAGED: "Damaged",
}


def when_words(value: datetime | None, timezone: str) -> str:
    """`Thu 3 Dec 2026, 14:05` in the branch's zone; "—" when not known."""
    local = local_time(value, timezone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}" if local else "—"


@dataclass(frozen=True, slots=True)
class InventoryLine:
    room: str
    name: str
    quantity: int
    #: Condition codes at pickup and the crew's words ("SC, D · scratch on the left door").
    at_pickup: str
    #: "Delivered", "Missing", "Damaged: BR · leg broken", "Not checked yet".
    at_delivery: str
    exception: bool


@dataclass(frozen=True, slots=True)
class Photo:
    caption: str
    #: The stored thumbnail (JPEG), read when rendering; None when its file is gone.
    path: Path | None


@dataclass(frozen=True, slots=True)
class SignatureLine:
    #: "Pickup · Customer signature".
    label: str
    signer: str
    signed_at: str
    consent: str
    device: str
    ip: str
    position: str | None
    image: Path | None


@dataclass(frozen=True, slots=True)
class DocumentContent:
    kind: DocumentKind
    title: str
    version: int
    issued_at: datetime
    issued_words: str
    company: str
    branch: str
    branch_address: str
    journey: str
    customer: str
    customer_contact: str
    origin: str
    destination: str
    date: str
    scheduled: str
    started: str
    finished: str
    crew: tuple[str, ...]
    truck: str
    inventory: tuple[InventoryLine, ...]
    photos: tuple[Photo, ...]
    signatures: tuple[SignatureLine, ...]
    #: Photos left out beyond `MAX_PHOTOS` (said on the document).
    photos_left_out: int = 0

    @property
    def exceptions(self) -> tuple[InventoryLine, ...]:
        return tuple(line for line in self.inventory if line.exception)


def _codes(codes: list[str] | None, note: str | None) -> str:
    return " · ".join(part for part in (condition_words(codes or ()), (note or "").strip()) if part)


def _inventory_line(item: InventoryItem) -> InventoryLine:
    delivery = DELIVERY_WORDS[item.delivery]
    details = _codes(item.delivery_conditions, item.delivery_note)
    return InventoryLine(
        room=item.room, name=item.name, quantity=item.quantity,
        at_pickup=_codes(item.pickup_conditions, item.pickup_note) or "No remarks",
        at_delivery=f"{delivery}: {details}" if details else delivery,
        exception=item.delivery in (DeliveryCheck.MISSING, DeliveryCheck.DAMAGED),
    )


def _thumbnail(media: Media | None) -> Path | None:
    if media is None or not media.thumbnail_path:
        return None
    path = get_settings().media_root.resolve() / media.thumbnail_path
    return path if path.is_file() else None


async def _signatures(session: AsyncSession, journey: Journey, timezone: str, media: dict[int, Media]
                      ) -> tuple[SignatureLine, ...]:
    template = await load_template(session, journey.company_id)
    labels = {(phase, spec.key): spec.label for phase, specs in template.items() for spec in specs
              if spec.kind is ItemKind.SIGNATURE}
    rows = (await session.execute(
        select(StepActivity, JourneyStep.phase).join(JourneyStep, JourneyStep.id == StepActivity.step_id)
        .where(JourneyStep.journey_id == journey.id, StepActivity.kind == ActivityKind.SIGNATURE,
               StepActivity.media_id.is_not(None))
        .order_by(StepActivity.created_at, StepActivity.id))).all()
    lines = []
    for activity, phase in rows:
        data = activity.data or {}
        raw = data.get("evidence")
        evidence: dict[str, Any] = raw if isinstance(raw, dict) else {}
        accepted = evidence.get("accepted_at")
        lines.append(SignatureLine(
            label=f"{PHASE_LABELS[phase]} · {labels.get((phase, activity.item_key or ''), 'Signature')}",
            signer=data.get("signer") or "Name not given",
            signed_at=when_words(activity.created_at, timezone),
            consent=(f"Consent to sign electronically accepted {when_words(datetime.fromisoformat(accepted), timezone)}"
                     f" (text {evidence.get('consent_version')})") if accepted else "No consent recorded",
            device=evidence.get("device") or "Not recorded",
            ip=evidence.get("ip") or "Not recorded",
            position=position_words(evidence.get("position")),
            image=_thumbnail(media.get(activity.media_id or 0)),
        ))
    return tuple(lines)


async def _photos(session: AsyncSession, journey: Journey, items: list[InventoryItem], media: dict[int, Media]
                  ) -> tuple[tuple[Photo, ...], int]:
    """Exception photos first (inventory lines missing or damaged), then the other inventory
    photos, then the phases' photos; at most `MAX_PHOTOS`."""
    captions: dict[int, str] = {}
    ordered = sorted(items, key=lambda i: i.delivery not in (DeliveryCheck.MISSING, DeliveryCheck.DAMAGED))
    for item in ordered:
        for media_id in item.delivery_photo_ids or ():
            captions.setdefault(media_id, f"{item.name} at delivery")
        for media_id in item.pickup_photo_ids or ():
            captions.setdefault(media_id, f"{item.name} at pickup")
    rows = (await session.execute(
        select(StepActivity.media_id, JourneyStep.phase).join(JourneyStep, JourneyStep.id == StepActivity.step_id)
        .where(JourneyStep.journey_id == journey.id, StepActivity.kind == ActivityKind.PHOTO,
               StepActivity.media_id.is_not(None))
        .order_by(StepActivity.created_at, StepActivity.id))).all()
    for media_id, phase in rows:
        captions.setdefault(media_id, f"{PHASE_LABELS[phase]} photo")
    shown = [(i, c) for i, c in captions.items() if i in media and media[i].kind is MediaKind.PHOTO]
    photos = tuple(Photo(caption, _thumbnail(media[i])) for i, caption in shown[:MAX_PHOTOS])
    return photos, max(0, len(shown) - MAX_PHOTOS)


async def gather(session: AsyncSession, journey: Journey, kind: DocumentKind, version: int, issued_at: datetime
                 ) -> DocumentContent:
    """Everything the document says (the caller has loaded `journey` within the principal's scope)."""
    location = await session.get(Location, journey.location_id)
    company = await session.get(Company, journey.company_id)
    assert location is not None and company is not None  # foreign keys
    tz = location.timezone
    truck = await session.get(Truck, journey.truck_id) if journey.truck_id else None
    crew = (await session.execute(
        select(User.full_name, CrewAssignment.role).join(User, User.id == CrewAssignment.user_id)
        .where(CrewAssignment.journey_id == journey.id).order_by(CrewAssignment.role, User.full_name))).all()
    items = list((await session.scalars(
        select(InventoryItem).where(InventoryItem.journey_id == journey.id)
        .order_by(InventoryItem.position, InventoryItem.id).limit(MAX_INVENTORY_LINES))).all())
    media = {m.id: m for m in (await session.scalars(select(Media).where(Media.journey_id == journey.id))).all()}
    photos, left_out = await _photos(session, journey, items, media)
    address = ", ".join(p for p in (location.address, location.city, location.province, location.postal_code) if p)
    contact = " · ".join(p for p in (journey.customer_phone, journey.customer_email) if p)
    scheduled = "—"
    if journey.scheduled_start is not None:
        scheduled = when_words(journey.scheduled_start, tz)
        end = local_time(journey.scheduled_end, tz)
        scheduled += f" to {end:%H:%M}" if end is not None else ""
    return DocumentContent(
        kind=kind, title=DOCUMENT_TITLES[kind], version=version, issued_at=issued_at,
        issued_words=when_words(issued_at, tz), company=company.name, branch=location.name,
        branch_address=address or "—", journey=journey_label(journey.id, journey.data_source, journey.job_number),
        customer=journey.customer_name or "—", customer_contact=contact or "—",
        origin=journey.origin_address or "—", destination=journey.destination_address or "—",
        date=f"{journey.journey_date:%A} {journey.journey_date.day} {journey.journey_date:%B %Y}",
        scheduled=scheduled, started=when_words(journey.actual_start, tz), finished=when_words(journey.actual_end, tz),
        crew=tuple(f"{name} ({plain_words(role.value).lower()})" for name, role in crew),
        truck=f"{truck.number}" + (f" ({truck.size})" if truck and truck.size else "") if truck else "Not assigned",
        inventory=tuple(_inventory_line(i) for i in items),
        photos=photos, photos_left_out=left_out,
        signatures=await _signatures(session, journey, tz, media),
    )
