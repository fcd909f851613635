"""What a crew member's phone shows about journeys: the job sheet without any money.

These read models never carry estimated values or charges: crew roles lack
`can_view_financial_data`, and the phone needs none of it, so the fields are simply absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from db.enums import JourneyStatus, Phase
from db.models import CrewAssignment, Journey, Location, Truck, User, utcnow
from domain.access.rbac import Permission, Principal, journey_scope
from domain.board.cards import CrewMember
from domain.errors import Forbidden, NotFound
from domain.journeys.job_sheet import SCHEDULE, JobSheet, job_sheet, timing_of
from domain.timewindow import local_time, today_in
from domain.unit_of_work import read_session
from domain.workflow.access import require_row_id

#: "My journeys" covers today and tomorrow, each in its location's own timezone.
DAYS_AHEAD = 1


@dataclass(frozen=True, slots=True)
class JourneyCard:
    id: int
    journey_date: date
    #: 0 today, 1 tomorrow, ... in the location's timezone.
    days_from_today: int
    location_id: int
    location_name: str
    timezone: str
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    #: SmartMoving's arrival window ("08:00–10:00", the location's zone), when it gave one.
    arrival_window: str | None
    #: The start is the arrival window's: SmartMoving has no fixed start for the job.
    starts_in_window: bool
    status: JourneyStatus
    current_phase: Phase
    progress: int
    customer_name: str
    customer_phone: str | None
    origin_address: str | None
    destination_address: str | None
    service_type: str | None
    move_size: str | None
    job_number: str | None
    notes: str | None
    truck_number: str | None
    truck_size: str | None
    crew: tuple[CrewMember, ...]


async def _cards(session: AsyncSession, where: ColumnElement[bool]) -> list[JourneyCard]:
    rows = (await session.execute(
        select(Journey, Location.name, Location.timezone, Truck.number, Truck.size, SCHEDULE)
        .join(Location, Location.id == Journey.location_id)
        .outerjoin(Truck, Truck.id == Journey.truck_id)
        .where(where)
        .order_by(Journey.journey_date, Journey.scheduled_start, Journey.id)
        .options(defer(Journey.external_data), defer(Journey.estimated_value, raiseload=True))
    )).all()
    ids = [row[0].id for row in rows]
    crew: dict[int, list[CrewMember]] = {}
    if ids:
        members = await session.execute(
            select(CrewAssignment.journey_id, User.id, User.full_name, CrewAssignment.role)
            .join(User, User.id == CrewAssignment.user_id)
            .where(CrewAssignment.journey_id.in_(ids))
            .order_by(CrewAssignment.id)
        )
        for journey_id, user_id, name, role in members.all():
            crew.setdefault(journey_id, []).append(CrewMember(user_id, name, role))
    now = utcnow()
    cards = []
    for journey, location_name, tz_name, truck_number, truck_size, schedule in rows:
        timing = timing_of(schedule, tz_name)
        cards.append(JourneyCard(
            id=journey.id, journey_date=journey.journey_date,
            days_from_today=(journey.journey_date - today_in(tz_name, now)).days,
            location_id=journey.location_id, location_name=location_name, timezone=tz_name,
            scheduled_start=local_time(journey.scheduled_start, tz_name),
            scheduled_end=local_time(journey.scheduled_end, tz_name),
            arrival_window=timing.window, starts_in_window=timing.from_window,
            status=journey.status, current_phase=journey.current_phase, progress=journey.progress,
            customer_name=journey.customer_name, customer_phone=journey.customer_phone,
            origin_address=journey.origin_address, destination_address=journey.destination_address,
            service_type=journey.service_type, move_size=journey.move_size, job_number=journey.job_number,
            notes=journey.notes, truck_number=truck_number, truck_size=truck_size,
            crew=tuple(crew.get(journey.id, ())),
        ))
    return cards


async def my_journeys(principal: Principal) -> list[JourneyCard]:
    """The crew member's journeys today and tomorrow (each in its location's timezone)."""
    if not principal.can(Permission.USE_CREW_APP):
        raise Forbidden("this list is for drivers and movers: it shows the journeys they are assigned to")
    today = utcnow().date()
    window = (journey_scope(principal) & (Journey.journey_date >= today - timedelta(days=1))
              & (Journey.journey_date <= today + timedelta(days=DAYS_AHEAD + 1)))
    async with read_session() as session:
        cards = await _cards(session, window)
    # The SQL window is a day wider on each side; each location's own calendar decides.
    return [c for c in cards if 0 <= c.days_from_today <= DAYS_AHEAD]


async def journey_card(principal: Principal, journey_id: int) -> JourneyCard:
    require_row_id(journey_id, "journey")
    async with read_session() as session:
        cards = await _cards(session, (Journey.id == journey_id) & journey_scope(principal))
    if not cards:
        raise NotFound("journey not found")
    return cards[0]


async def journey_sheet(principal: Principal, journey_id: int) -> JobSheet | None:
    """The job sheet (arrival window, stops and access notes, materials, volume) of a journey the
    principal may see; never any money. None for journeys without SmartMoving details."""
    require_row_id(journey_id, "journey")
    async with read_session() as session:
        return await job_sheet(session, principal, journey_id)
