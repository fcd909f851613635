"""Figures for crew time on PostgreSQL: a tap that clocks a crew of two (row per person, audit,
event), a replayed client key, a branch's week of timesheets and a month's payroll CSV.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_hours python -m bench.crew_time

The database is dropped and recreated (never point this at real data). The month: one branch,
20 crews of two, a journey per crew per day for 31 days, 7 clock events per person and journey
(8,680 events).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from db.enums import ClockKind, CrewRole, LocationLinkKind, Role
from db.models import ClockEvent, Company, CrewAssignment, Journey, Location, User, UserLocation
from db.session import dispose_engine, init_engine
from domain.access.rbac import Principal, principal_of
from domain.crew_time.clock import clock
from domain.crew_time.payroll import export_payroll_csv
from domain.crew_time.timesheets import list_timesheets
from domain.unit_of_work import unit_of_work
from bench.workflow import _line, _recreate, _timed

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_hours"
TZ = ZoneInfo("America/Toronto")
CREWS, DAYS, FIRST = 20, 31, date(2026, 10, 1)
DAY_PLAN = ((ClockKind.START_OF_DAY, "07:00"), (ClockKind.ARRIVED_PICKUP, "08:10"),
            (ClockKind.DEPARTED_PICKUP, "10:40"), (ClockKind.BREAK_START, "11:30"), (ClockKind.BREAK_END, "12:00"),
            (ClockKind.ARRIVED_DELIVERY, "12:50"), (ClockKind.END_OF_DAY, "16:20"))


async def _seed() -> tuple[Principal, Principal, int, list[int]]:
    """The month of clocked days; the manager, a driver, the branch and that driver's spare journeys."""
    async with unit_of_work() as session:
        company = Company(name="Bench Hours Movers", timezone="America/Toronto")
        session.add(company)
        await session.flush()
        branch = Location(company_id=company.id, name="Toronto", timezone="America/Toronto", lat=43.65, lng=-79.38)
        session.add(branch)
        await session.flush()

        def person(name: str, role: Role, kind: LocationLinkKind) -> User:
            user = User(company_id=company.id, email=f"{name}@bench.test", password_hash="x", full_name=name.title(),
                        role=role)
            user.location_links = [UserLocation(location_id=branch.id, kind=kind)]
            return user

        manager = person("manager", Role.MANAGER, LocationLinkKind.MANAGED)
        crews = [(person(f"driver{i}", Role.DRIVER, LocationLinkKind.ASSIGNED),
                  person(f"mover{i}", Role.MOVER, LocationLinkKind.ASSIGNED)) for i in range(CREWS)]
        session.add_all([manager, *(u for pair in crews for u in pair)])
        await session.flush()
        for offset in range(DAYS):
            day = FIRST + timedelta(days=offset)
            for driver, mover in crews:
                journey = Journey(company_id=company.id, location_id=branch.id, journey_date=day,
                                  customer_name=f"Customer {offset}-{driver.id}")
                journey.crew = [CrewAssignment(user_id=driver.id, journey_date=day, role=CrewRole.DRIVER),
                                CrewAssignment(user_id=mover.id, journey_date=day, role=CrewRole.MOVER)]
                session.add(journey)
                await session.flush()
                session.add_all([ClockEvent(
                    company_id=company.id, location_id=branch.id, journey_id=journey.id, user_id=user.id,
                    work_date=day, kind=kind, at=datetime.combine(day, time.fromisoformat(hh_mm), TZ),
                    lat=43.651, lng=-79.381, accuracy_m=10, recorded_by_id=driver.id, client_key=uuid.uuid4().hex)
                    for user in (driver, mover) for kind, hh_mm in DAY_PLAN])
        spare_day = FIRST + timedelta(days=DAYS)
        driver, mover = crews[0]
        spares = []
        for _ in range(200):
            journey = Journey(company_id=company.id, location_id=branch.id, journey_date=spare_day,
                              customer_name="Spare")
            journey.crew = [CrewAssignment(user_id=driver.id, journey_date=spare_day, role=CrewRole.DRIVER),
                            CrewAssignment(user_id=mover.id, journey_date=spare_day, role=CrewRole.MOVER)]
            session.add(journey)
            await session.flush()
            spares.append(journey.id)
        return principal_of(manager), principal_of(driver), branch.id, spares


async def main() -> None:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    await asyncio.to_thread(_recreate, url)
    init_engine(url)
    try:
        manager, driver, branch, spares = await _seed()
        print(f"seeded {CREWS * 2} people × {DAYS} days × {len(DAY_PLAN)} events = "
              f"{CREWS * 2 * DAYS * len(DAY_PLAN):,} clock events")
        journeys = iter(spares)
        position = {"lat": 43.651, "lng": -79.381, "accuracy_m": 9}

        async def tap() -> object:
            return await clock(driver, next(journeys), {"kind": ClockKind.START_OF_DAY, "whole_crew": True,
                                                        "client_key": uuid.uuid4().hex, "position": position,
                                                        "made_at": datetime.now(UTC)})

        _line("tap: clock a crew of two (rows + audit)", await _timed(tap, 150))
        made = {"kind": ClockKind.START_OF_DAY, "whole_crew": True, "client_key": "bench-replay-key",
                "made_at": datetime.now(UTC)}
        await clock(driver, spares[-1], made)
        _line("replayed key (no write)", await _timed(lambda: clock(driver, spares[-1], made), 150))
        week = FIRST + timedelta(days=7)
        _line("timesheets: a branch's week (280 person-days)", await _timed(
            lambda: list_timesheets(manager, week, week + timedelta(days=6), location_ids=(branch,)), 20))
        _line("payroll CSV: a branch's month (40 people)", await _timed(
            lambda: export_payroll_csv(manager, branch, FIRST, FIRST + timedelta(days=DAYS - 1)), 10))
        print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    finally:
        await dispose_engine()


if __name__ == "__main__":
    asyncio.run(main())
