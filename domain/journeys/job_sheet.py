"""The job sheet of a synced journey: what the crew needs on site (arrival window, stops with
stairs, elevator, parking and notes, materials, volume and weight) in plain words and the branch's
24-hour time, and — only for principals with `can_view_financial_data` — the balance due.

Everything comes from `Journey.external_data` (see `domain.sync.job_fields`), read by JSON path
in SQL: the sheet's query selects the `premium` and `schedule` sections and the opportunity's
volume and weight, never the `money` section; that one is selected by `balance_of` alone, which
asks the principal first. Money cannot leak from a sheet because it is never loaded for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Journey, Location
from domain.access.rbac import Permission, Principal, journey_scope
from domain.journeys.labels import clock
from domain.sync.job_fields import ARRIVAL_WINDOW, MONEY_KEY, PREMIUM_KEY, SCHEDULE_KEY
from domain.timewindow import as_utc
from integrations.smartmoving import PropertyType

#: The `schedule` section, for read models that show a journey's time (cards, sheets).
SCHEDULE = Journey.external_data[SCHEDULE_KEY]


@dataclass(frozen=True, slots=True)
class Timing:
    """How a journey's start is known: `from_window` when it is the start of an arrival window
    (SmartMoving had no fixed start); `window` is that window as "08:00–10:00" in the branch's zone."""

    from_window: bool
    window: str | None


def timing_of(schedule: Any, timezone: str) -> Timing:
    if not isinstance(schedule, dict):
        return Timing(False, None)
    start, end = _instant(schedule.get("window_start")), _instant(schedule.get("window_end"))
    window = None
    if start is not None:
        window = f"{clock(start, timezone)}–{clock(end, timezone)}" if end else f"from {clock(start, timezone)}"
    return Timing(schedule.get("basis") == ARRIVAL_WINDOW and window is not None, window)


@dataclass(frozen=True, slots=True)
class StopSheet:
    #: "Pickup", "Stop 2", "Delivery".
    label: str
    address: str | None
    #: "Apartment · Unit 1204 · Maple Towers".
    place: str | None
    #: "No stairs", "1 flight of stairs", ...; None when SmartMoving does not say.
    stairs: str | None
    #: "Elevator" / "No elevator"; None when SmartMoving does not say.
    elevator: str | None
    parking: str | None
    notes: str | None


@dataclass(frozen=True, slots=True)
class JobSheet:
    #: "Arrival window 08:00–10:00", "Starts 08:00", "Time not set yet".
    timing: str
    arrival_window: str | None
    #: The start shown is the arrival window's, not a fixed start.
    starts_in_window: bool
    stops: tuple[StopSheet, ...]
    #: "Medium Box: 20 (5 to pack)".
    materials: tuple[str, ...]
    #: "450 cu ft", "3,150 lb".
    volume: str | None
    weight: str | None
    #: "9 items in 3 rooms, 25 boxes".
    inventory: str | None
    #: Premium details were fetched for this job.
    has_premium: bool

    @property
    def empty(self) -> bool:
        return not (self.stops or self.materials or self.volume or self.weight or self.inventory
                    or self.arrival_window)


@dataclass(frozen=True, slots=True)
class Balance:
    """Of the whole SmartMoving quote (all its jobs)."""

    total: Decimal | None
    paid: Decimal
    balance_due: Decimal | None


async def job_sheet(session: AsyncSession, principal: Principal, journey_id: int) -> JobSheet | None:
    """The journey's sheet, None when it is not in the principal's scope or has no SmartMoving data."""
    row = (await session.execute(
        select(Journey.scheduled_start, Journey.scheduled_end, Location.timezone, SCHEDULE,
               Journey.external_data[PREMIUM_KEY], Journey.external_data[("opportunity", "volume")],
               Journey.external_data[("opportunity", "weight")])
        .join(Location, Location.id == Journey.location_id)
        .where(Journey.id == journey_id, journey_scope(principal), Journey.external_data.is_not(None))
    )).first()
    if row is None:
        return None
    start, end, timezone, schedule, premium, volume, weight = row
    timing = timing_of(schedule, timezone)
    premium = premium if isinstance(premium, dict) else {}
    inventory = premium.get("inventory") if isinstance(premium.get("inventory"), dict) else None
    return JobSheet(
        timing=_timing_text(timing, start, end, timezone),
        arrival_window=timing.window,
        starts_in_window=timing.from_window,
        stops=_stops(premium.get("stops")),
        materials=tuple(_material(m) for m in premium.get("materials") or () if isinstance(m, dict)),
        volume=_amount((inventory or {}).get("volume") or volume, "cu ft"),
        weight=_amount((inventory or {}).get("weight") or weight, "lb"),
        inventory=_inventory(inventory),
        has_premium=bool(premium),
    )


async def balance_of(session: AsyncSession, principal: Principal, journey_id: int) -> Balance | None:
    """The quote's balance, for principals with `can_view_financial_data` only (None for
    anybody else, without reading it), and None when SmartMoving gave no total."""
    if not principal.can(Permission.VIEW_FINANCIAL_DATA):
        return None
    money = await session.scalar(select(Journey.external_data[MONEY_KEY])
                                 .where(Journey.id == journey_id, journey_scope(principal)))
    if not isinstance(money, dict) or money.get("balance_due") is None:
        return None
    return Balance(_decimal(money.get("total")), _decimal(money.get("paid")) or Decimal(0),
                   _decimal(money.get("balance_due")))


def _timing_text(timing: Timing, start: datetime | None, end: datetime | None, timezone: str) -> str:
    if timing.from_window:
        return f"Arrival window {timing.window}"
    if start is None:
        return "Time not set yet"
    text = f"Starts {clock(start, timezone)}" + (f", until about {clock(end, timezone)}" if end else "")
    return text + (f" (arrival window {timing.window})" if timing.window else "")


def _stops(raw: Any) -> tuple[StopSheet, ...]:
    stops = [s for s in raw or () if isinstance(s, dict)]
    result = []
    for n, stop in enumerate(stops, 1):
        label = "Pickup" if stop.get("origin") else "Delivery" if stop.get("destination") else f"Stop {n}"
        stairs = stop.get("stairs")
        elevator = stop.get("elevator")
        result.append(StopSheet(
            label=label, address=stop.get("address"), place=_place(stop),
            stairs=None if not isinstance(stairs, int) else "No stairs" if stairs == 0
            else f"{stairs} flight{'s' if stairs > 1 else ''} of stairs",
            elevator=None if elevator is None else "Elevator" if elevator else "No elevator",
            parking=stop.get("parking"), notes=stop.get("notes")))
    return tuple(result)


def _place(stop: dict[str, Any]) -> str | None:
    """"Apartment · Unit 1204 · Maple Towers" (custom property types are not named)."""
    kind = stop.get("property_type")
    kind_name = (PropertyType(kind).name.replace("_", " ").capitalize()
                 if isinstance(kind, int) and kind in PropertyType._value2member_map_ else None)
    return " · ".join(x for x in (kind_name, stop.get("unit"), stop.get("property")) if x) or None


def _material(material: dict[str, Any]) -> str:
    """"Medium Box: 20 (5 to pack)"."""
    extras = [f"{material['packing']} to pack" if material.get("packing") else "",
              f"{material['unpacking']} to unpack" if material.get("unpacking") else ""]
    extra = ", ".join(x for x in extras if x)
    return f"{material.get('name') or 'Material'}: {material.get('quantity') or 0}" + (f" ({extra})" if extra else "")


def _inventory(inventory: dict[str, Any] | None) -> str | None:
    if not inventory:
        return None
    items, rooms, boxes = (int(inventory.get(k) or 0) for k in ("items", "rooms", "boxes"))
    parts = [f"{items} item{'s' if items != 1 else ''} in {rooms} room{'s' if rooms != 1 else ''}"] if items else []
    if boxes:
        parts.append(f"{boxes} box{'es' if boxes != 1 else ''}")
    return ", ".join(parts) or None


def _amount(value: Any, unit: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return f"{value:,.0f} {unit}"


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _instant(value: Any) -> datetime | None:
    try:
        return as_utc(datetime.fromisoformat(value)) if isinstance(value, str) else None
    except ValueError:
        return None
