"""The office's side of crew time, within the principal's scope (`can_manage_timesheets`):
approving a person's day, correcting a clock event's time, adding an event someone forgot.

Corrections and additions need a reason and are audited old → new with who and why; they are the
only edits an approved day takes (clocking from the phone is refused on it). Another company's or
branch's rows are "not found"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ClockEvent, CrewAssignment, Journey, Location, TimesheetApproval, utcnow
from domain.access.rbac import Permission, Principal, clock_event_scope, journey_scope
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.crew_time.kinds import LABELS, day_bounds
from domain.crew_time.schemas import Correction, DayApproval, MissingEvent
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.timewindow import as_utc, local_time
from domain.unit_of_work import unit_of_work
from domain.workflow.access import require_row_id

_EVENT_FIELDS = ("kind", "at", "corrected_at", "correction_reason")


@audited_write
async def approve_day(principal: Principal, approval: DayApproval | dict[str, Any]) -> dict[str, Any]:
    """Approve a person's day (every clock event of theirs on that journey day, in scope)."""
    principal.require(Permission.MANAGE_TIMESHEETS)
    checked = DayApproval.parse(approval)
    async with unit_of_work() as session:
        scoped = select(func.count(), func.min(ClockEvent.company_id)).where(
            clock_event_scope(principal), ClockEvent.user_id == checked.user_id,
            ClockEvent.work_date == checked.work_date)
        count, company_id = (await session.execute(scoped)).one()
        if not count:
            raise NotFound("no timesheet of that person on that day")
        outside = await session.scalar(select(func.count()).where(
            ClockEvent.user_id == checked.user_id, ClockEvent.work_date == checked.work_date,
            ~clock_event_scope(principal)))
        if outside:
            raise Conflict("that day also has time on journeys of branches you do not manage")
        if await session.scalar(select(TimesheetApproval.id).where(
                TimesheetApproval.user_id == checked.user_id, TimesheetApproval.work_date == checked.work_date)):
            raise Conflict("that day is already approved")
        session.add(TimesheetApproval(company_id=company_id, user_id=checked.user_id, work_date=checked.work_date,
                                      approved_by_id=principal.user_id))
        audit.record(session, principal, "approve", "timesheet", f"{checked.user_id}:{checked.work_date}",
                     company_id=company_id, new={"user_id": checked.user_id, "work_date": checked.work_date,
                                                 "clock_events": count})
        _changed(session, company_id, None, None, checked.user_id)
    return {"user_id": checked.user_id, "work_date": checked.work_date.isoformat(), "approved": True}


@audited_write
async def correct_event(principal: Principal, event_id: int, correction: Correction | dict[str, Any]) -> dict[str, Any]:
    """Move a clock event to another time, with a reason (also on an approved day)."""
    principal.require(Permission.MANAGE_TIMESHEETS)
    require_row_id(event_id, "clock event")
    checked = Correction.parse(correction)
    async with unit_of_work() as session:
        found = (await session.execute(
            select(ClockEvent, Location.timezone).join(Location, Location.id == ClockEvent.location_id)
            .where(ClockEvent.id == event_id, clock_event_scope(principal)).with_for_update(of=ClockEvent))).first()
        if found is None:
            raise NotFound(f"clock event {event_id} not found")
        event, timezone = found
        at = _on_the_day(checked.at, event.work_date, timezone)
        old = audit.snapshot(event, _EVENT_FIELDS)
        approved = await _approved(session, event.user_id, event)
        event.at, event.corrected_at = at, utcnow()
        event.corrected_by_id, event.correction_reason = principal.user_id, checked.reason
        audit.record(session, principal, "correct", "clock_event", event.id, company_id=event.company_id, old=old,
                     new={**audit.snapshot(event, _EVENT_FIELDS), "user_id": event.user_id,
                          "journey_id": event.journey_id, "approved_day": approved})
        _changed(session, event.company_id, event.location_id, event.journey_id, event.user_id)
        return {"id": event.id, "kind": event.kind.value, "label": LABELS[event.kind], "at": at.isoformat(),
                "reason": checked.reason, "approved_day": approved}


@audited_write
async def add_missing_event(principal: Principal, missing: MissingEvent | dict[str, Any]) -> dict[str, Any]:
    """Add a clock event a crew member forgot (no position; marked as added by the office)."""
    principal.require(Permission.MANAGE_TIMESHEETS)
    checked = MissingEvent.parse(missing)
    async with unit_of_work() as session:
        found = (await session.execute(
            select(Journey, Location.timezone).join(Location, Location.id == Journey.location_id)
            .where(Journey.id == checked.journey_id, journey_scope(principal)))).first()
        if found is None:
            raise NotFound(f"journey {checked.journey_id} not found")
        journey, timezone = found
        on_crew = await session.scalar(select(CrewAssignment.id).where(
            CrewAssignment.journey_id == journey.id, CrewAssignment.user_id == checked.user_id))
        if on_crew is None:
            raise ValidationFailed("that person is not on this journey's crew")
        at = _on_the_day(checked.at, journey.journey_date, timezone)
        now = utcnow()
        event = ClockEvent(company_id=journey.company_id, location_id=journey.location_id, journey_id=journey.id,
                           user_id=checked.user_id, work_date=journey.journey_date, kind=checked.kind, at=at,
                           received_at=now, recorded_by_id=principal.user_id, corrected_at=now,
                           corrected_by_id=principal.user_id, correction_reason=checked.reason)
        session.add(event)
        await session.flush()
        approved = await _approved(session, checked.user_id, event)
        audit.record(session, principal, "add", "clock_event", event.id, company_id=journey.company_id, new={
            **audit.snapshot(event, _EVENT_FIELDS), "user_id": checked.user_id, "journey_id": journey.id,
            "approved_day": approved})
        _changed(session, journey.company_id, journey.location_id, journey.id, checked.user_id)
        return {"id": event.id, "kind": event.kind.value, "label": LABELS[event.kind], "at": at.isoformat(),
                "reason": checked.reason, "approved_day": approved}


def _on_the_day(value: datetime, work_date: Any, timezone: str) -> datetime:
    at = as_utc(value)
    assert at is not None
    local = local_time(at, timezone)
    assert local is not None
    first, last = day_bounds(work_date)
    if not first <= local.date() <= last:
        raise ValidationFailed("the time must be on the journey's day (or the day before or after it)")
    return at


async def _approved(session: AsyncSession, user_id: int, event: ClockEvent) -> bool:
    return await session.scalar(select(TimesheetApproval.id).where(
        TimesheetApproval.user_id == user_id, TimesheetApproval.work_date == event.work_date)) is not None


def _changed(session: AsyncSession, company_id: int, location_id: int | None, journey_id: int | None,
             user_id: int) -> None:
    events.queue(session, DomainEvent(EventType.CLOCKED, company_id, location_id, journey_id, (user_id,),
                                      {"office": True}))
