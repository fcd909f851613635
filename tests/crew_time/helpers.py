"""Crew-time test helpers: server time from a fake clock, taps, journeys on given days, a whole
worked day clocked from the phone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from db.enums import ClockKind, CrewRole
from db.models import CrewAssignment, Journey
from domain.crew_time.clock import ClockResult, clock
from domain.unit_of_work import unit_of_work
from tests.fake_clock import FakeClock
from tests.journey_factory import TZ, World

#: How long after the tap the server receives it (a phone on a good connection).
DELIVERY_SECONDS = 2.0


def server_clock(at: datetime) -> FakeClock:
    return FakeClock(start=at.timestamp())


def now_of(clock: FakeClock) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def local(day: date, hh_mm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hh_mm), ZoneInfo(TZ))


async def tap(world: World, who: str, kind: ClockKind, made_at: datetime, *, journey_id: int | None = None,
              whole_crew: bool = False, key: str | None = None, position: dict[str, Any] | None = None,
              delivered_after: float = DELIVERY_SECONDS) -> ClockResult:
    """A tap made on the phone at `made_at`, received `delivered_after` seconds later (fake server clock)."""
    server = server_clock(made_at)
    server.advance(delivered_after)
    body: dict[str, Any] = {"kind": kind, "whole_crew": whole_crew, "made_at": made_at, "position": position}
    if key:
        body["client_key"] = key
    return await clock(world[who], journey_id or world.journey_id, body, now=now_of(server))


async def journey_on(world: World, day: date, crew: tuple[str, ...] = ("driver", "mover"),
                     customer: str = "Grace Hopper") -> int:
    async with unit_of_work() as session:
        journey = Journey(company_id=world.company_id, location_id=world.location_id, journey_date=day,
                          customer_name=customer, truck_id=world.truck_id)
        journey.crew = [CrewAssignment(user_id=world[n].user_id, journey_date=day,
                                       role=CrewRole.DRIVER if "driver" in n else CrewRole.MOVER) for n in crew]
        session.add(journey)
        await session.flush()
        return journey.id


async def work_day(world: World, who: str, journey_id: int, day: date, start: str, end: str,
                   breaks: tuple[tuple[str, str], ...] = ()) -> None:
    """Clock a whole day from the phone: start, breaks, end (local times of `day`)."""
    await tap(world, who, ClockKind.START_OF_DAY, local(day, start), journey_id=journey_id)
    for begin, finish in breaks:
        await tap(world, who, ClockKind.BREAK_START, local(day, begin), journey_id=journey_id)
        await tap(world, who, ClockKind.BREAK_END, local(day, finish), journey_id=journey_id)
    await tap(world, who, ClockKind.END_OF_DAY, local(day, end), journey_id=journey_id)


def days_from(monday: date, count: int) -> list[date]:
    return [monday + timedelta(days=i) for i in range(count)]
