"""Timesheets: each person per day and per journey — hours worked, breaks, every clock event in
the branch's time zone with its flags — within the principal's scope (`clock_event_scope`).

A clock event is flagged when it has no position, or when its position is farther than the
company's distance from its branch. Only branches carry coordinates (journeys carry their
addresses as text, no coordinates), so the distance is checked against the branch, where the
branch has them; the office's own additions carry no position and are marked as added instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ClockKind
from db.models import ClockEvent, Journey, Location, TimesheetApproval, User
from domain.access.rbac import Permission, Principal, clock_event_scope
from domain.crew_time.hours import Stamp, distance_m, journey_hours, rounded_minutes
from domain.crew_time.kinds import LABELS
from domain.crew_time.rules import TimeRules, load_rules
from domain.errors import ValidationFailed
from domain.timewindow import local_time
from domain.unit_of_work import read_session

#: The longest range one timesheet query or payroll export covers.
MAX_DAYS = 62
#: What a timesheet reads of each clock event (columns, not entities: a month is thousands of rows).
_EVENT_COLUMNS = (ClockEvent.id, ClockEvent.company_id, ClockEvent.location_id, ClockEvent.journey_id,
                  ClockEvent.user_id, ClockEvent.work_date, ClockEvent.kind, ClockEvent.at, ClockEvent.lat,
                  ClockEvent.lng, ClockEvent.recorded_by_id, ClockEvent.corrected_by_id, ClockEvent.correction_reason)


@dataclass(frozen=True, slots=True)
class SheetEvent:
    id: int
    kind: ClockKind
    label: str
    at: datetime  # in the branch's time zone
    flags: tuple[str, ...]
    correction: str | None  # the office's reason, when corrected or added


@dataclass(frozen=True, slots=True)
class SheetJourney:
    journey_id: int
    customer_name: str
    job_number: str | None
    worked_seconds: int
    break_seconds: int
    problems: tuple[str, ...]
    events: tuple[SheetEvent, ...]


@dataclass(frozen=True, slots=True)
class PersonDay:
    user_id: int
    name: str
    email: str
    work_date: date
    location_id: int
    location_name: str
    timezone: str
    journeys: tuple[SheetJourney, ...]
    worked_seconds: int
    break_seconds: int
    #: The day's worked time rounded by the company's rule.
    rounded_minutes: int
    approved_at: datetime | None
    approved_by: str | None

    @property
    def flagged(self) -> int:
        return sum(1 for j in self.journeys for e in j.events if e.flags) + sum(
            1 for j in self.journeys if j.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id, "name": self.name, "email": self.email, "work_date": self.work_date.isoformat(),
            "location_id": self.location_id, "location_name": self.location_name,
            "worked_minutes": self.worked_seconds // 60, "break_minutes": self.break_seconds // 60,
            "rounded_minutes": self.rounded_minutes, "approved": self.approved_at is not None,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "approved_by": self.approved_by, "flagged": self.flagged,
            "journeys": [{
                "journey_id": j.journey_id, "customer_name": j.customer_name, "job_number": j.job_number,
                "worked_minutes": j.worked_seconds // 60, "break_minutes": j.break_seconds // 60,
                "problems": list(j.problems),
                "events": [{"id": e.id, "kind": e.kind.value, "label": e.label, "at": e.at.isoformat(),
                            "flags": list(e.flags), "correction": e.correction} for e in j.events],
            } for j in self.journeys],
        }


def check_range(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ValidationFailed("the end of the range is before its start")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationFailed(f"a timesheet covers at most {MAX_DAYS} days")


async def list_timesheets(principal: Principal, date_from: date, date_to: date, *,
                          location_ids: tuple[int, ...] = (), user_id: int | None = None) -> list[PersonDay]:
    """Each person's days from `date_from` to `date_to` (journey days), by name then day."""
    principal.require(Permission.MANAGE_TIMESHEETS)
    check_range(date_from, date_to)
    async with read_session() as session:
        return await load_days(session, principal, date_from, date_to, location_ids=location_ids, user_id=user_id)


async def load_days(session: AsyncSession, principal: Principal, date_from: date, date_to: date, *,
                    location_ids: tuple[int, ...] = (), user_id: int | None = None) -> list[PersonDay]:
    query = (
        select(*_EVENT_COLUMNS, User.full_name, User.email, Journey.customer_name, Journey.job_number,
               Location.name.label("location_name"), Location.timezone, Location.lat.label("branch_lat"),
               Location.lng.label("branch_lng"))
        .join(User, User.id == ClockEvent.user_id)
        .join(Journey, Journey.id == ClockEvent.journey_id)
        .join(Location, Location.id == ClockEvent.location_id)
        .where(clock_event_scope(principal), ClockEvent.work_date >= date_from, ClockEvent.work_date <= date_to)
        .order_by(User.full_name, ClockEvent.user_id, ClockEvent.work_date, ClockEvent.journey_id, ClockEvent.at,
                  ClockEvent.id)
    )
    if location_ids:
        query = query.where(ClockEvent.location_id.in_(sorted(set(location_ids))))
    if user_id is not None:
        query = query.where(ClockEvent.user_id == user_id)
    rows = (await session.execute(query)).all()
    if not rows:
        return []
    rules = await load_rules(session, rows[0].company_id)
    approvals = await _approvals(session, {(r.user_id, r.work_date) for r in rows})
    grouped: dict[tuple[int, date], list[Any]] = defaultdict(list)
    for row in rows:
        grouped[(row.user_id, row.work_date)].append(row)
    return [_person_day(day_rows, rules, approvals.get(key)) for key, day_rows in grouped.items()]


Approvals = dict[tuple[int, date], tuple[datetime, str]]


async def _approvals(session: AsyncSession, keys: set[tuple[int, date]]) -> Approvals:
    users = sorted({user for user, _day in keys})
    days = sorted({day for _user, day in keys})
    found = (await session.execute(
        select(TimesheetApproval.user_id, TimesheetApproval.work_date, TimesheetApproval.approved_at, User.full_name)
        .outerjoin(User, User.id == TimesheetApproval.approved_by_id)
        .where(TimesheetApproval.user_id.in_(users), TimesheetApproval.work_date.in_(days)))).tuples().all()
    return {(u, d): (at, name or "") for u, d, at, name in found}


def _person_day(rows: list[Any], rules: TimeRules, approval: tuple[datetime, str] | None) -> PersonDay:
    first = rows[0]
    by_journey: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_journey[row.journey_id].append(row)
    journeys = tuple(_journey(j_rows, rules) for j_rows in by_journey.values())
    worked = sum(j.worked_seconds for j in journeys)
    return PersonDay(
        user_id=first.user_id, name=first.full_name, email=first.email, work_date=first.work_date,
        location_id=first.location_id, location_name=first.location_name, timezone=first.timezone, journeys=journeys,
        worked_seconds=worked, break_seconds=sum(j.break_seconds for j in journeys),
        rounded_minutes=rounded_minutes(worked, rules.rounding_minutes),
        approved_at=local_time(approval[0], first.timezone) if approval else None,
        approved_by=approval[1] if approval else None)


def _journey(rows: list[Any], rules: TimeRules) -> SheetJourney:
    first = rows[0]
    figures = journey_hours(Stamp(r.kind, r.at) for r in rows)
    events = []
    for row in rows:
        at = local_time(row.at, row.timezone)
        assert at is not None
        events.append(SheetEvent(row.id, row.kind, LABELS[row.kind], at, event_flags(
            row, row.branch_lat, row.branch_lng, rules), row.correction_reason))
    return SheetJourney(first.journey_id, first.customer_name, first.job_number, figures.worked_seconds,
                        figures.break_seconds, figures.problems, tuple(events))


def event_flags(event: Any, branch_lat: float | None, branch_lng: float | None,
                rules: TimeRules) -> tuple[str, ...]:
    """Why a clock event (a `ClockEvent` or a row of its columns) deserves a look, in words (empty: nothing)."""
    if event.corrected_by_id is not None and event.recorded_by_id == event.corrected_by_id:
        return ("Added by the office",)
    if event.lat is None or event.lng is None:
        return ("No position",)
    if branch_lat is None or branch_lng is None:
        return ()
    far = distance_m(event.lat, event.lng, branch_lat, branch_lng)
    if far > rules.max_distance_m:
        return (f"{far / 1000:.1f} km from the branch" if far >= 1000 else f"{far:.0f} m from the branch",)
    return ()
