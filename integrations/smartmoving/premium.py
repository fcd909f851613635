"""Parsing the Premium job details: one job's view (arrival window, stops, materials, times), an
opportunity's inventory and documents list, plus the arrival window's free text.

Like `normalise`, these are pure functions: a payload that cannot be read raises
`MalformedRecord`. Money in these payloads (charges, material rates) is never read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from integrations.smartmoving.normalise import (
    _INT32_MAX,
    Raw,
    _array,
    _float,
    _id,
    _integer,
    _object,
    _text,
    parse_datetime,
    parse_enum,
    record_parser,
)
from integrations.smartmoving.records import (
    InventoryLine,
    InventorySummary,
    JobMaterial,
    JobStop,
    JobTimes,
    OpportunityDocument,
    PremiumJob,
    PropertyType,
)

#: One clock time: "8", "8:30", "08.30", "8h30", with an optional am/pm ("a.m.", "PM").
_TIME = re.compile(r"(?<![\d:.])(\d{1,2})(?:[:.h](\d{2}))?(?:\s*([ap])\.?m?\.?(?![a-z]))?(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ArrivalWindow:
    """Local wall-clock times on the job's date (the branch's zone); `end` None for "at 9:00"."""

    start: dt.time
    end: dt.time | None


def parse_arrival_window(text: str | None) -> ArrivalWindow | None:
    """The window of "8:00 AM - 10:00 AM", "8-10am", "08:00–10:00", "7:30 to 9", "9:00 AM";
    None when no clock time can be read (the text is then shown as written)."""
    if not text:
        return None
    found: list[tuple[int, int, str | None]] = []
    for match in _TIME.finditer(text):
        hour_text, minute_text, meridiem = match.groups()
        found.append((int(hour_text), int(minute_text or 0), meridiem.lower() if meridiem else None))
        if len(found) == 2:
            break
    if not found:
        return None
    if len(found) == 2 and found[0][2] is None and found[1][2] is not None:
        # "8 - 10 am": the end's am/pm applies to the start, unless that would put it after the end
        # ("11 - 1 pm" starts at 11 am).
        hour, minute, _ = found[0]
        same = _clock(hour, minute, found[1][2])
        end = _clock(*found[1])
        found[0] = (hour, minute, found[1][2] if same is not None and end is not None and same <= end else
                    ("a" if found[1][2] == "p" else "p"))
    times = [_clock(*entry) for entry in found]
    if times[0] is None:
        return None
    return ArrivalWindow(times[0], times[1] if len(times) == 2 and times[1] != times[0] else None)


def _clock(hour: int, minute: int, meridiem: str | None) -> dt.time | None:
    if minute > 59:
        return None
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    return dt.time(hour, minute) if hour <= 23 else None


def _count(value: Any, what: str) -> int:
    """A non-negative quantity; null is 0."""
    return max(_integer(value, what), 0) if value is not None else 0


def _stop(raw: Any) -> JobStop:
    raw = _object(raw)
    stairs = raw.get("stairs")
    elevator = raw.get("hasElevator")
    kind = raw.get("propertyType")
    return JobStop(
        order=_integer(raw.get("order") or 0, "stop order"),
        is_origin=bool(raw.get("isOrigin")),
        is_destination=bool(raw.get("isDestination")),
        address=_text(raw.get("addressFullAddress")),
        unit=_text(raw.get("addressUnit")),
        property_name=_text(raw.get("propertyName")),
        property_type=None if kind in (None, {}) else parse_enum(PropertyType, kind),
        stairs=None if stairs is None else _count(stairs, "stairs"),
        has_elevator=None if elevator is None else bool(elevator),
        parking=_text(raw.get("parkingDescription")),
        notes=_text(raw.get("notes")),
    )


def _material(raw: Any) -> JobMaterial:
    raw = _object(raw)
    return JobMaterial(
        name=_text(raw.get("name")) or _text(raw.get("description")) or "Material",
        quantity=_count(raw.get("materialsQuantity"), "materials quantity"),
        packing_quantity=_count(raw.get("packingQuantity"), "packing quantity"),
        unpacking_quantity=_count(raw.get("unpackingQuantity"), "unpacking quantity"),
    )


@record_parser
def parse_premium_job(raw: Raw) -> PremiumJob:
    job_id = _id(raw)
    return PremiumJob(
        id=job_id,
        arrival_window=(_text(raw.get("arrivalWindow")) or "").strip() or None,
        times=JobTimes(
            job_id=job_id,
            start_time_utc=parse_datetime(raw.get("startTimeUtc")),
            end_time_utc=parse_datetime(raw.get("endTimeUtc")),
            completed_at_utc=parse_datetime(raw.get("completedAtUtc")),
            confirmed_at_utc=parse_datetime(raw.get("confirmedAtUtc")),
            closed_at_utc=parse_datetime(raw.get("closedAtUtc")),
        ),
        stops=tuple(sorted((_stop(s) for s in _array(raw.get("stops"))),
                           key=lambda s: (not s.is_origin, s.is_destination, s.order))),
        materials=tuple(m for m in map(_material, _array(raw.get("estimatedMaterials")))
                        if m.quantity or m.packing_quantity or m.unpacking_quantity),
    )


@record_parser
def parse_inventory(raw: Raw) -> InventorySummary:
    rooms = [_object(room) for room in _array(raw.get("rooms"))]
    items = [_object(item) for room in rooms for item in _array(room.get("items"))]
    boxes = [_object(box) for box in _array(raw.get("boxes"))]
    volume = weight = None
    for entry in (*items, *boxes):
        quantity = _count(entry.get("quantity"), "quantity")
        if (each := _float(entry.get("volume"))) is not None:
            volume = (volume or 0.0) + each * quantity
        if (each := _float(entry.get("weight"))) is not None:
            weight = (weight or 0.0) + each * quantity
    for total in (volume, weight):
        if total is not None and not math.isfinite(total):
            raise ValueError("inventory volume or weight out of range")
    return InventorySummary(
        rooms=len(rooms),
        items=_total(_count(item.get("quantity"), "quantity") for item in items),
        boxes=_total(_count(box.get("quantity"), "quantity") for box in boxes),
        volume=volume,
        weight=weight,
    )


@record_parser
def parse_documents(raw: Raw) -> tuple[OpportunityDocument, ...]:
    """`{"opportunityDocuments": [...], "jobDocuments": [...]}` (either may be null)."""
    return tuple(OpportunityDocument(id=_id(entry), title=_text(entry.get("title")) or "",
                                     job_id=_text(entry.get("jobId")) if key == "jobDocuments" else None)
                 for key in ("opportunityDocuments", "jobDocuments")
                 for entry in map(_object, _array(raw.get(key))))


#: What a room without a name, an item without a name and the boxes are called.
UNNAMED_ROOM = "Room not named"
UNNAMED_ITEM = "Item not named"
BOXES_ROOM = "Boxes"


def _words(*values: Any) -> str | None:
    """The first value with words in it, its whitespace collapsed."""
    for value in values:
        text = " ".join((_text(value) or "").split())
        if text:
            return text
    return None


def _line(raw: Any, room: str) -> InventoryLine | None:
    """A line, or None for an entry with a zero or negative count (nothing there to move)."""
    raw = _object(raw)
    quantity = raw.get("quantity")
    count = 1 if quantity is None else _integer(quantity, "quantity")
    if count < 1:
        return None
    external_id = raw.get("id")
    return InventoryLine(external_id=_words(external_id) if isinstance(external_id, str) else None, room=room,
                         name=_words(raw.get("name"), raw.get("description")) or UNNAMED_ITEM, quantity=count)


@record_parser
def parse_inventory_lines(raw: Raw) -> tuple[InventoryLine, ...]:
    """An opportunity's inventory as lines, room by room, then the boxes. Null rooms, items or
    boxes are none; empty rooms give no line; a room is named by its name, else its type."""
    lines: list[InventoryLine | None] = []
    for room in map(_object, _array(raw.get("rooms"))):
        name = _words(room.get("name"), room.get("roomType")) or UNNAMED_ROOM
        lines += [_line(item, name) for item in _array(room.get("items"))]
    lines += [_line(box, BOXES_ROOM) for box in _array(raw.get("boxes"))]
    return tuple(line for line in lines if line is not None)


def _total(counts: Iterable[int]) -> int:
    total = sum(counts)
    if total > _INT32_MAX:
        raise ValueError(f"inventory count out of range: {total}")
    return total
