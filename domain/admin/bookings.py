"""What a truck or a person is booked on from today on: asked before deactivating them, so the
admin is told which journeys lose their truck or crew member ("Olivia First (SM 1001-1), Wed 02 Dec
09:00–14:00")."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, exists, select

from db.enums import JourneyStatus
from db.models import CrewAssignment, Journey, Location, Truck, User
from domain.admin.tenancy import load_owned
from domain.journeys.labels import journey_label, window_label
from domain.timewindow import journey_window, today_in
from domain.unit_of_work import read_session
from domain.access.rbac import Principal

#: Journeys that still need their truck and crew.
OPEN = (JourneyStatus.SCHEDULED, JourneyStatus.MORNING_PREP, JourneyStatus.EN_ROUTE, JourneyStatus.ONSITE)
#: The most bookings named (the rest are counted).
MAX_NAMED = 10


async def _upcoming(holds: ColumnElement[bool], company_id: int) -> list[str]:
    query = (
        select(Journey.id, Journey.data_source, Journey.job_number, Journey.customer_name, Journey.journey_date,
               Journey.scheduled_start, Journey.scheduled_end, Location.timezone)
        .join(Location, Location.id == Journey.location_id)
        # from the day before UTC's today (a branch west of UTC may still be on it); each branch's
        # own today is applied below
        .where(holds, Journey.company_id == company_id, Journey.status.in_(OPEN),
               Journey.journey_date >= today_in("UTC") - timedelta(days=1))
        .order_by(Journey.journey_date, Journey.scheduled_start, Journey.id)
    )
    async with read_session() as session:
        rows = (await session.execute(query)).all()
    found = []
    for journey_id, source, job_number, customer, day, start, end, timezone in rows:
        if day < today_in(timezone):
            continue
        window = journey_window(day, start, end, timezone)
        found.append(f"{customer or 'no name'} ({journey_label(journey_id, source, job_number)}), "
                     f"{window_label(window, timezone)}")
    return found


async def truck_bookings_from_today(principal: Principal, truck_id: int) -> list[str]:
    """The truck's open journeys of today (its branch's today) and later, soonest first."""
    async with read_session() as session:
        truck = await load_owned(session, principal, Truck, truck_id, "truck", lock=False)
        company_id = truck.company_id
    return await _upcoming(Journey.truck_id == truck_id, company_id)


async def user_bookings_from_today(principal: Principal, user_id: int) -> list[str]:
    """The person's open journeys (on their crew) of today and later, soonest first."""
    async with read_session() as session:
        user = await load_owned(session, principal, User, user_id, "user", lock=False)
        company_id = user.company_id
    if company_id is None:
        return []
    on_crew = exists().where(CrewAssignment.journey_id == Journey.id, CrewAssignment.user_id == user_id)
    return await _upcoming(on_crew, company_id)
