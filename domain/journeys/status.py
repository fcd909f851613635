"""A journey's live status — what the journey status page shows and keeps current — and the
dispatch notes on it, the smallest journey edit a dispatcher makes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.enums import JourneyStatus, Phase
from db.models import Journey
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.journeys.access import load_journey
from domain.unit_of_work import read_session, unit_of_work

MAX_NOTES_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class JourneyProgress:
    """Read model of a journey's progress (no financial data: every role may see it)."""

    id: int
    company_id: int
    location_id: int
    journey_date: date
    customer_name: str
    status: JourneyStatus
    current_phase: Phase
    progress: int
    notes: str | None


def _progress_of(journey: Journey) -> JourneyProgress:
    return JourneyProgress(
        id=journey.id, company_id=journey.company_id, location_id=journey.location_id,
        journey_date=journey.journey_date, customer_name=journey.customer_name, status=journey.status,
        current_phase=journey.current_phase, progress=journey.progress, notes=journey.notes,
    )


async def journey_progress(principal: Principal, journey_id: int) -> JourneyProgress:
    """The journey's progress, if it is in the principal's scope (NotFound otherwise)."""
    async with read_session() as session:
        journey, _location = await load_journey(session, principal, journey_id)
        return _progress_of(journey)


@audited_write
async def update_journey_notes(principal: Principal, journey_id: int, notes: str) -> JourneyProgress:
    """Replace the journey's dispatch notes (empty clears them); audited, and announced to every
    screen showing the journey (`journey.changed`, on every instance)."""
    principal.require(Permission.EDIT_JOBS)
    cleaned = notes.strip()
    if len(cleaned) > MAX_NOTES_LENGTH:
        raise ValidationFailed(f"notes are limited to {MAX_NOTES_LENGTH} characters (got {len(cleaned)})")
    async with unit_of_work() as session:
        journey, _location = await load_journey(session, principal, journey_id, for_update=True, with_crew=True)
        old = audit.snapshot(journey, ["notes"])
        journey.notes = cleaned or None
        audit.record(session, principal, "update", "journey", journey.id, old=old,
                     new=audit.snapshot(journey, ["notes"]), company_id=journey.company_id)
        events.queue(session, DomainEvent(
            EventType.JOURNEY_CHANGED, journey.company_id, journey.location_id, journey.id,
            user_ids=tuple(c.user_id for c in journey.crew), data={"fields": ["notes"]},
        ))
        return _progress_of(journey)
