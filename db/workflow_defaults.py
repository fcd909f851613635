"""The default six-phase template every company starts with (data, not code branches),
and the journey status each phase puts a journey in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from db.enums import ItemKind, JourneyStatus, Phase, StepStatus

#: Journey status while a phase is the current one (DESIGN: SCHEDULED → MORNING_PREP → EN_ROUTE
#: → ONSITE → COMPLETED → AUDITED).
PHASE_STATUS: dict[Phase, JourneyStatus] = {
    Phase.CREATION: JourneyStatus.SCHEDULED,
    Phase.MORNING_PREP: JourneyStatus.MORNING_PREP,
    Phase.PICKUP: JourneyStatus.ONSITE,
    Phase.TRANSPORT: JourneyStatus.EN_ROUTE,
    Phase.DELIVERY: JourneyStatus.ONSITE,
    Phase.COMPLETION: JourneyStatus.ONSITE,
}



def initial_steps(now: datetime, started_by_id: int | None = None) -> list[dict[str, Any]]:
    """The six steps a new journey starts with (column values): CREATION in progress, the others pending."""
    return [
        {"phase": phase, "position": i, "status": StepStatus.IN_PROGRESS if i == 1 else StepStatus.PENDING,
         "started_at": now if i == 1 else None, "started_by_id": started_by_id if i == 1 else None}
        for i, phase in enumerate(Phase, start=1)
    ]


_TIRES = {"choices": ["good", "worn", "replace"]}
_PERCENT = {"min": 0, "max": 100, "unit": "%"}


def _items(phase: Phase, *rows: tuple[str, str, ItemKind, bool, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"phase": phase, "key": key, "label": label, "kind": kind, "required": required, "options": options,
         "position": i}
        for i, (key, label, kind, required, options) in enumerate(rows)
    ]


DEFAULT_TEMPLATE: list[dict[str, Any]] = [
    *_items(
        Phase.CREATION,
        ("schedule_confirmed", "Schedule confirmed", ItemKind.CHECK, True, {}),
        ("crew_briefed", "Crew and truck assigned", ItemKind.CHECK, True, {}),
    ),
    *_items(
        Phase.MORNING_PREP,
        ("fuel_level", "Fuel level", ItemKind.NUMBER, True, _PERCENT),
        ("tires", "Tire condition", ItemKind.CHOICE, True, _TIRES),
        ("lights_ok", "Lights working", ItemKind.CHECK, True, {}),
        ("brakes_ok", "Brakes checked", ItemKind.CHECK, True, {}),
        ("equipment_loaded", "Equipment and materials loaded", ItemKind.CHECK, True, {}),
        ("vehicle_photo", "Vehicle photo", ItemKind.PHOTO, True, {}),
    ),
    *_items(
        Phase.PICKUP,
        ("arrival_time", "Arrival time", ItemKind.READING, True, {"reading": "time"}),
        ("customer_verified", "Customer identity verified", ItemKind.CHECK, True, {}),
        ("walkthrough_notes", "Walkthrough / inventory notes", ItemKind.TEXT, False, {}),
        ("condition_photos", "Condition photos", ItemKind.PHOTO, True, {}),
        ("loading_done", "Loading done", ItemKind.CHECK, True, {}),
        ("pickup_signature", "Customer signature", ItemKind.SIGNATURE, True, {}),
    ),
    *_items(
        Phase.TRANSPORT,
        ("departure_time", "Departure time", ItemKind.READING, True, {"reading": "time"}),
        ("route_notes", "Route / ETA notes", ItemKind.TEXT, False, {}),
        ("position", "Position reading", ItemKind.READING, False, {"reading": "position"}),
    ),
    *_items(
        Phase.DELIVERY,
        ("delivery_arrival", "Arrival time", ItemKind.READING, True, {"reading": "time"}),
        ("unloading_done", "Unloading done", ItemKind.CHECK, True, {}),
        ("condition_check", "Condition check passed", ItemKind.CHECK, True, {}),
        ("delivery_photos", "Delivery photos", ItemKind.PHOTO, False, {}),
        ("delivery_signature", "Customer signature", ItemKind.SIGNATURE, True, {}),
    ),
    *_items(
        Phase.COMPLETION,
        ("returned_to_base", "Returned to base", ItemKind.CHECK, True, {}),
        ("equipment_returned", "Equipment returned", ItemKind.CHECK, True, {}),
        ("damage_report", "Damage / issue report", ItemKind.TEXT, False, {}),
        ("final_signature", "Final signature", ItemKind.SIGNATURE, True, {}),
    ),
]
