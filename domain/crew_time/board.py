"""What the crew phone shows of crew time on a journey: the next event to clock (the big button),
the others possible now, and the day's events of the crew, in the branch's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from db.enums import ClockKind, CrewRole, JourneyStatus
from db.models import ClockEvent, TimesheetApproval, User
from domain.access.rbac import Permission, Principal
from domain.crew_time.clock import LEADS
from domain.crew_time.kinds import LABELS, DayState
from domain.journeys.access import load_journey
from domain.timewindow import local_time
from domain.unit_of_work import read_session


@dataclass(frozen=True, slots=True)
class ClockLine:
    id: int
    user_id: int
    name: str
    kind: ClockKind
    label: str
    #: In the branch's time zone.
    at: datetime
    has_position: bool
    corrected: bool


@dataclass(frozen=True, slots=True)
class ClockBoard:
    journey_id: int
    timezone: str
    my_role: CrewRole | None
    #: Whether the viewer may clock the whole crew (driver or foreman of the journey).
    leads: bool
    #: The viewer's next event (None: the day is ended, or the viewer is not on the crew).
    next_kind: ClockKind | None
    other_kinds: tuple[ClockKind, ...]
    #: The viewer's day on this journey is approved (locked).
    approved: bool
    lines: tuple[ClockLine, ...]
    #: A cancelled journey takes no clock events.
    cancelled: bool = False


async def journey_clock(principal: Principal, journey_id: int) -> ClockBoard:
    """The clock of one of the viewer's journeys (crew only; another journey is not found)."""
    principal.require(Permission.USE_CREW_APP)
    async with read_session() as session:
        journey, location = await load_journey(session, principal, journey_id, with_crew=True)
        rows = (await session.execute(
            select(ClockEvent, User.full_name).join(User, User.id == ClockEvent.user_id)
            .where(ClockEvent.journey_id == journey_id).order_by(ClockEvent.at, ClockEvent.id))).tuples().all()
        approved = await session.scalar(select(TimesheetApproval.id).where(
            TimesheetApproval.user_id == principal.user_id, TimesheetApproval.work_date == journey.journey_date))
    role = next((a.role for a in journey.crew if a.user_id == principal.user_id), None)
    mine = DayState(row.kind for row, _name in rows if row.user_id == principal.user_id)
    cancelled = journey.status is JourneyStatus.CANCELLED
    on_crew = role is not None and approved is None and not cancelled
    lines = []
    for row, name in rows:
        at = local_time(row.at, location.timezone)
        assert at is not None
        lines.append(ClockLine(row.id, row.user_id, name, row.kind, LABELS[row.kind], at, row.lat is not None,
                               row.corrected_at is not None))
    return ClockBoard(journey_id, location.timezone, role, role in LEADS,
                      mine.next_expected() if on_crew else None, mine.also_possible() if on_crew else (),
                      approved is not None, tuple(lines), cancelled)
