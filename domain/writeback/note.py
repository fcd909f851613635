"""The job note a completed journey leaves in SmartMoving: crew, truck, each phase's arrival and
departure in the branch's zone (24-hour), and the inventory exceptions (missing or damaged lines).

Plain text within NOTE_MAX_CHARS (the opportunity-note limit of the spec, kept for job notes too):
a long exception list ends with "… and N more" rather than being cut mid-line.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryCheck, Phase
from db.models import CrewAssignment, InventoryItem, Journey, JourneyStep, Location, Truck, User
from domain.inventory.conditions import condition_words
from domain.journeys.labels import PHASE_LABELS, clock, journey_label, plain_words, zone_words
from domain.timewindow import local_time

NOTE_MAX_CHARS = 4000
#: The first line, also how people (and tests) recognise the note in SmartMoving.
NOTE_TITLE = "C&C CRM completion summary"
_EXCEPTIONS = (DeliveryCheck.MISSING, DeliveryCheck.DAMAGED)


async def completion_note(session: AsyncSession, journey: Journey) -> str:
    """The note's text, read in the caller's transaction (the completion's own)."""
    location = await session.get_one(Location, journey.location_id)
    tz = location.timezone
    crew = (await session.execute(
        select(User.full_name, CrewAssignment.role).join(User, User.id == CrewAssignment.user_id)
        .where(CrewAssignment.journey_id == journey.id).order_by(CrewAssignment.id))).all()
    truck = await session.get(Truck, journey.truck_id) if journey.truck_id else None
    steps = {s.phase: s for s in await session.scalars(
        select(JourneyStep).where(JourneyStep.journey_id == journey.id))}
    exceptions = list(await session.scalars(
        select(InventoryItem).where(InventoryItem.journey_id == journey.id, InventoryItem.delivery.in_(_EXCEPTIONS))
        .order_by(InventoryItem.position, InventoryItem.id)))

    day = local_time(journey.actual_end or journey.scheduled_start, tz)
    lines = [f"{NOTE_TITLE} — {journey_label(journey.id, journey.data_source, journey.job_number)}"
             + (f", {day:%a %d %b %Y}" if day else "") + f" ({location.name}, {zone_words(tz)})",
             "Crew: " + (", ".join(f"{name} ({plain_words(role.value).lower()})" for name, role in crew) or "none"),
             f"Truck: {truck.number if truck else 'none'}",
             "Times (arrived – left):"]
    for phase in Phase:
        step = steps.get(phase)
        if phase is not Phase.CREATION and step is not None and step.started_at is not None:
            lines.append(f"- {PHASE_LABELS[phase]}: {clock(step.started_at, tz)} – {clock(step.completed_at, tz)}")
    if not exceptions:
        lines.append("Exceptions: none (every inventory line delivered as loaded)")
        return "\n".join(lines)
    lines.append(f"Exceptions ({len(exceptions)}):")
    return _within_limit(lines, [_exception(item) for item in exceptions])


def _exception(item: InventoryItem) -> str:
    what = "missing" if item.delivery is DeliveryCheck.MISSING else "damaged"
    codes = f" ({condition_words(item.delivery_conditions)})" if item.delivery_conditions else ""
    note = f": {item.delivery_note.strip()}" if item.delivery_note and item.delivery_note.strip() else ""
    return f"- {item.room} · {item.name} ×{item.quantity}: {what}{codes}{note}"


def _within_limit(head: list[str], items: list[str]) -> str:
    """Head and as many exception lines as fit, then how many were left out."""
    text = "\n".join(head)
    for shown, line in enumerate(items):
        rest = len(items) - shown
        tail = f"\n… and {rest - 1} more (see the completion report)" if rest > 1 else ""
        if len(text) + 1 + len(line) + len(tail) > NOTE_MAX_CHARS:
            return text + f"\n… and {rest} more (see the completion report)"
        text += "\n" + line
    return text
