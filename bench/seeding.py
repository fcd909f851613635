"""A busy location for the board benchmark and the query-count test: N jobs on one day, most with
a truck and a two-person crew (never double-booked), a dispatcher who signs in with a password."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db.enums import CrewRole, DataSource, LocationLinkKind, Phase, Role, StepStatus
from db.models import Company, CrewAssignment, Journey, JourneyStep, Location, Truck, User, UserLocation
from domain.timewindow import today_in

TZ = "America/Toronto"
#: Jobs per truck per day: four three-hour slots from 07:00.
SLOTS = 4
#: Every UNASSIGNED_EVERY-th job has no truck and no crew.
UNASSIGNED_EVERY = 10


@dataclass(frozen=True, slots=True)
class BusyLocation:
    company_id: int
    location_id: int
    dispatcher_id: int
    dispatcher_email: str
    day: date


async def seed_busy_location(session: AsyncSession, jobs: int, password_hash: str,
                             company_name: str = "Bench Moving") -> BusyLocation:
    """Insert the company, its location, ceil(jobs / SLOTS) trucks, two crew per truck and `jobs`
    journeys (each with its six steps) on the location's today."""
    company = Company(name=company_name)
    session.add(company)
    await session.flush()
    location = Location(company_id=company.id, name="Bench Branch", timezone=TZ)
    session.add(location)
    await session.flush()
    day = today_in(TZ)
    truck_count = -(-jobs // SLOTS)
    trucks = [Truck(company_id=company.id, location_id=location.id, number=f"B-{i:03d}") for i in range(truck_count)]
    link = [UserLocation(location_id=location.id, kind=LocationLinkKind.ASSIGNED)]
    dispatcher = User(company_id=company.id, email=f"dispatcher@{company.id}.bench", password_hash=password_hash,
                      full_name="Bench Dispatcher", role=Role.DISPATCHER, location_links=link)
    crew = [
        User(company_id=company.id, email=f"crew{i}@{company.id}.bench", password_hash=password_hash,
             full_name=f"Crew Member {i}", role=Role.DRIVER if i % 2 == 0 else Role.MOVER,
             location_links=[UserLocation(location_id=location.id, kind=LocationLinkKind.ASSIGNED)])
        for i in range(2 * truck_count)
    ]
    session.add_all([*trucks, dispatcher, *crew])
    await session.flush()
    tz = ZoneInfo(TZ)
    for n in range(jobs):
        slot, lane = n % SLOTS, n // SLOTS
        start = datetime.combine(day, time(7 + 3 * slot), tz)
        journey = Journey(
            company_id=company.id, location_id=location.id, journey_date=day,
            scheduled_start=start.astimezone(UTC), scheduled_end=(start + timedelta(hours=3)).astimezone(UTC),
            data_source=DataSource.SMARTMOVING if n % 3 else DataSource.MANUAL,
            external_id=f"bench-{n}" if n % 3 else None, job_number=f"{500000 + n}-1" if n % 3 else None,
            customer_name=f"Customer {n}", customer_phone="+1-416-555-0100", customer_email=f"c{n}@example.com",
            origin_address=f"{n} King St W, Toronto, ON", destination_address=f"{n} Queen St E, Toronto, ON",
            service_type="Moving", move_size="2 Bedroom", estimated_value=Decimal(1000 + n),
            steps=[JourneyStep(phase=p, position=i, status=StepStatus.IN_PROGRESS if i == 1 else StepStatus.PENDING)
                   for i, p in enumerate(Phase, start=1)],
        )
        if n % UNASSIGNED_EVERY:
            journey.truck_id = trucks[lane].id
            journey.crew = [
                CrewAssignment(user_id=crew[2 * lane].id, journey_date=day, role=CrewRole.DRIVER),
                CrewAssignment(user_id=crew[2 * lane + 1].id, journey_date=day, role=CrewRole.MOVER),
            ]
        session.add(journey)
    await session.flush()
    return BusyLocation(company.id, location.id, dispatcher.id, dispatcher.email, day)


class Statement(NamedTuple):
    sql: str
    params: Any


@contextmanager
def record_sql(engine: AsyncEngine) -> Iterator[list[Statement]]:
    """Collect the SQL statements the engine runs inside the block, with their parameters as
    they go to the driver (so they can be replayed through psycopg)."""
    statements: list[Statement] = []

    def record(_conn, _cursor, statement, params, _context, _executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(Statement(statement, params))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
