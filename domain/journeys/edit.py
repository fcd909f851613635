"""Creating, editing, cancelling and deleting journeys.

Manual journeys are fully editable by those who may edit jobs. A SmartMoving journey's customer,
addresses, date and value belong to SmartMoving: here only its internal fields (notes and
scheduled times; truck and crew via `domain.board.assignment`) change, and it is cancelled there.
Hard delete is for admins, and for manual journeys only. The input is checked by the schemas of
`domain.journeys.schemas` before any write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete

from db.enums import DataSource, JourneyStatus, Phase
from db.models import Journey, JourneyStep, Location, utcnow
from db.workflow_defaults import initial_steps
from domain.access.locations import visible_location
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.board.assignment import CrewChoice, check_crew, check_truck, overrides_for
from domain.errors import Forbidden, ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.journeys.access import ensure_open, load_journey, window_of
from domain.journeys.schemas import Cancellation, JourneyChanges, NewJourney
from domain.timewindow import as_utc, local_time, localize, today_in
from domain.unit_of_work import unit_of_work

#: A journey's window is at most this long (keeps the double-booking search bounded).
MAX_JOURNEY_HOURS = 24
#: How far from the location's today a journey may be dated.
MAX_DAYS_AHEAD = 730
MAX_DAYS_BACK = 365

#: Fields SmartMoving owns on its journeys.
CUSTOMER_FIELDS = frozenset({
    "customer_name", "customer_phone", "customer_email", "origin_address", "destination_address",
    "service_type", "move_size", "estimated_value", "confirmed", "journey_date",
})
#: Fields of this app's own (editable on every journey).
INTERNAL_FIELDS = frozenset({"notes", "scheduled_start", "scheduled_end"})
EDITABLE_FIELDS = CUSTOMER_FIELDS | INTERNAL_FIELDS
_AUDITED_FIELDS = ("location_id", "status", "truck_id", *sorted(EDITABLE_FIELDS))


@dataclass(frozen=True, slots=True)
class JourneyDraft:
    """A new manual journey, as the pages and tests write it (checked as a NewJourney). Naive
    times are wall-clock times of the location."""

    location_id: int
    journey_date: date
    customer_name: str
    customer_phone: str | None = None
    customer_email: str | None = None
    origin_address: str | None = None
    destination_address: str | None = None
    service_type: str | None = None
    move_size: str | None = None
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    notes: str | None = None
    estimated_value: Decimal | None = None
    confirmed: bool = False


def _may_set_value(principal: Principal, fields: Mapping[str, Any]) -> None:
    if "estimated_value" in fields and not principal.can(Permission.VIEW_FINANCIAL_DATA):
        raise Forbidden(f"your role ({principal.role.value}) may not set estimated values")


def _localised(fields: dict[str, Any], location: Location) -> dict[str, Any]:
    """`fields` with their times in UTC (naive ones are the location's wall-clock times)."""
    for name in ("scheduled_start", "scheduled_end"):
        if fields.get(name) is not None:
            fields[name] = as_utc(localize(fields[name], location.timezone))
    return fields


def _check_schedule(journey: Journey, location: Location) -> None:
    """The journey's date near today, its times on that local date, in order, and not too long."""
    today = today_in(location.timezone)
    if not today - timedelta(days=MAX_DAYS_BACK) <= journey.journey_date <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(
            f"journey date must be within {MAX_DAYS_BACK} days before and {MAX_DAYS_AHEAD} days after today"
        )
    start, end = as_utc(journey.scheduled_start), as_utc(journey.scheduled_end)
    if end is not None and start is None:
        raise ValidationFailed("an end time needs a start time")
    local_start = local_time(start, location.timezone)
    if local_start is not None and local_start.date() != journey.journey_date:
        raise ValidationFailed(f"the start time must be on the journey date ({journey.journey_date:%Y-%m-%d})")
    if start is not None and end is not None:
        if end <= start:
            raise ValidationFailed("the end time must be after the start time")
        if end - start > timedelta(hours=MAX_JOURNEY_HOURS):
            raise ValidationFailed(f"a journey lasts at most {MAX_JOURNEY_HOURS} hours")


def _new_steps(principal: Principal) -> list[JourneyStep]:
    return [JourneyStep(**values) for values in initial_steps(utcnow(), principal.user_id)]


def _event(kind: EventType, journey: Journey, **data: Any) -> DomainEvent:
    return DomainEvent(kind, journey.company_id, journey.location_id, journey.id,
                       user_ids=tuple(sorted(a.user_id for a in journey.crew)), data=data)


@audited_write
async def create_journey(principal: Principal, draft: JourneyDraft | NewJourney) -> int:
    """A new manual journey (SCHEDULED, progress 0, its six steps with CREATION in progress); its id."""
    principal.require(Permission.EDIT_JOBS)
    new = NewJourney.parse(asdict(draft) if isinstance(draft, JourneyDraft) else draft)
    fields = {k: v for k, v in new.model_dump(exclude_unset=True, exclude={"location_id"}).items()
              if not (k == "estimated_value" and v is None)}
    _may_set_value(principal, fields)
    async with unit_of_work() as session:
        location = await visible_location(session, principal, new.location_id)
        if not location.active:
            raise ValidationFailed(f"location {location.name} is not active")
        journey = Journey(
            company_id=location.company_id, location_id=location.id, data_source=DataSource.MANUAL,
            status=JourneyStatus.SCHEDULED, current_phase=Phase.CREATION, progress=0,
            created_by_id=principal.user_id, steps=_new_steps(principal), crew=[],
            **_localised(fields, location),
        )
        _check_schedule(journey, location)
        session.add(journey)
        await session.flush()
        audit.record(session, principal, "journey.create", "journey", journey.id,
                     new=audit.snapshot(journey, _AUDITED_FIELDS))
        events.queue(session, _event(EventType.JOURNEY_CREATED, journey, journey_date=journey.journey_date.isoformat()))
        return journey.id


def _differences(journey: Journey, cleaned: Mapping[str, Any]) -> dict[str, Any]:
    def same(name: str, value: Any) -> bool:
        current = getattr(journey, name)
        if name in ("scheduled_start", "scheduled_end"):
            current = as_utc(current)
        return bool(current == value)

    return {name: value for name, value in cleaned.items() if not same(name, value)}


@audited_write
async def update_journey(principal: Principal, journey_id: int, changes: Mapping[str, Any] | JourneyChanges) -> None:
    """Change some fields of a journey. Fields sent with their current value are ignored, so a
    form may send everything; SmartMoving-owned fields of a SmartMoving journey are refused (422).
    A new schedule is checked again for double-booking of the journey's truck and crew."""
    fields = JourneyChanges.parse(changes).model_dump(exclude_unset=True)
    async with unit_of_work() as session:
        journey, location = await load_journey(session, principal, journey_id, require=Permission.EDIT_JOBS,
                                               for_update=True, with_crew=True)
        ensure_open(journey, "edit it")
        _may_set_value(principal, fields)
        changed = _differences(journey, _localised(fields, location))
        owned = sorted(set(changed) & CUSTOMER_FIELDS)
        if journey.data_source is DataSource.SMARTMOVING and owned:
            raise ValidationFailed(
                "this journey comes from SmartMoving: its customer, addresses, date and value are changed in "
                f"SmartMoving ({', '.join(owned)}); here you may change the truck, crew, notes and scheduled times",
                details={"fields": owned},
            )
        if not changed:
            return
        old = audit.snapshot(journey, sorted(changed))
        old_window = window_of(journey, location)
        for name, value in changed.items():
            setattr(journey, name, value)
        _check_schedule(journey, location)
        window = window_of(journey, location)
        if window != old_window or "journey_date" in changed:
            for assignment in journey.crew:
                assignment.journey_date = journey.journey_date
            # Moved to another day: who is off (or out of service) that day refuses it too.
            off = overrides_for(principal, None) if "journey_date" in changed else None
            if journey.truck_id is not None:
                await check_truck(session, journey, location, journey.truck_id, window, off)
            await check_crew(session, journey, location,
                             [CrewChoice(a.user_id, a.role) for a in journey.crew], window, off,
                             frozenset(a.user_id for a in journey.crew))
        audit.record(session, principal, "journey.update", "journey", journey.id, old=old,
                     new=audit.snapshot(journey, sorted(changed)))
        events.queue(session, _event(EventType.JOURNEY_CHANGED, journey, fields=sorted(changed)))


@audited_write
async def cancel_journey(principal: Principal, journey_id: int, reason: str | None = None) -> None:
    """Cancel a manual journey (it stops blocking its truck and crew). SmartMoving jobs are
    cancelled in SmartMoving and come back cancelled with the next sync."""
    reason = Cancellation.parse({"reason": reason}).reason
    async with unit_of_work() as session:
        journey, _location = await load_journey(session, principal, journey_id, require=Permission.EDIT_JOBS,
                                                for_update=True, with_crew=True)
        ensure_open(journey, "cancel it")
        if journey.data_source is DataSource.SMARTMOVING:
            raise ValidationFailed("this journey comes from SmartMoving: cancel the job in SmartMoving")
        old_status = journey.status
        journey.status = JourneyStatus.CANCELLED
        audit.record(session, principal, "journey.cancel", "journey", journey.id,
                     old={"status": old_status}, new={"status": journey.status, "reason": reason})
        events.queue(session, _event(EventType.JOURNEY_CANCELLED, journey))


@audited_write
async def delete_journey(principal: Principal, journey_id: int) -> None:
    """Erase a manual journey with its steps, crew and records (admins only; the audit entry stays)."""
    if not principal.can(Permission.DELETE_JOURNEYS):
        raise Forbidden("only an admin may delete journeys: cancel it instead")
    async with unit_of_work() as session:
        journey, _location = await load_journey(session, principal, journey_id, require=Permission.EDIT_JOBS,
                                                for_update=True, with_crew=True)
        if journey.data_source is DataSource.SMARTMOVING:
            raise ValidationFailed("SmartMoving journeys cannot be deleted here: they come back with the next sync")
        audit.record(session, principal, "journey.delete", "journey", journey.id,
                     old=audit.snapshot(journey, _AUDITED_FIELDS))
        events.queue(session, _event(EventType.JOURNEY_CANCELLED, journey, deleted=True))
        await session.execute(delete(Journey).where(Journey.id == journey.id))
