"""The demo data: complete, plausible, and loaded only once."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from db.enums import DataSource, JourneyStatus, Phase, Role, StepStatus
from db.models import Company, CrewAssignment, Journey, JourneyStep, Location, Truck, User
from db.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from domain.access.signin import authenticate
from domain.timewindow import Window, journey_window
from domain.unit_of_work import read_session, unit_of_work

MODELS = (Company, Location, Truck, User, Journey, JourneyStep, CrewAssignment)


async def _counts() -> dict[str, int]:
    async with read_session() as s:
        return {m.__name__: await s.scalar(select(func.count()).select_from(m)) or 0 for m in MODELS}


async def test_seeding_twice_adds_nothing_the_second_time(demo: str) -> None:
    before = await _counts()
    async with unit_of_work() as s:
        assert await seed_demo(s, "unused-hash") is False
    assert await _counts() == before


async def test_branches_have_real_timezones_and_2_to_11_trucks(demo: str) -> None:
    async with read_session() as s:
        locations = (await s.scalars(select(Location))).all()
        trucks = Counter((await s.scalars(select(Truck.location_id))).all())
    assert len(locations) >= 40
    names = {loc.name for loc in locations}
    for city in ("Vancouver", "Calgary", "Edmonton", "Winnipeg", "Ottawa", "Halifax", "Moncton"):
        assert any(name.startswith(city) for name in names), city
    zones = available_timezones()
    for loc in locations:
        assert loc.timezone in zones and loc.timezone.startswith("America/")
        assert loc.lat is not None and 41 < loc.lat < 70 and -141 < (loc.lng or 0) < -52
        assert 2 <= trucks[loc.id] <= 11
    assert {loc.timezone for loc in locations if loc.name.startswith("Calgary")} == {"America/Edmonton"}
    assert {loc.timezone for loc in locations if loc.name.startswith("Halifax")} == {"America/Halifax"}


async def test_every_demo_account_signs_in_with_its_role(demo: str) -> None:
    for role, email in DEMO_ACCOUNTS:
        principal = await authenticate(email, DEMO_PASSWORD)
        assert principal.role is role
    async with read_session() as s:
        crew = await s.scalar(select(func.count()).select_from(User).where(User.role.in_([Role.DRIVER, Role.MOVER])))
        dispatchers = await s.scalar(select(func.count()).select_from(User).where(User.role == Role.DISPATCHER))
    assert crew >= 30
    assert dispatchers >= 2


async def test_a_week_of_journeys_in_every_status_mostly_from_smartmoving(demo: str) -> None:
    async with read_session() as s:
        journeys = (await s.scalars(select(Journey))).all()
        steps_per_journey = Counter((await s.scalars(select(JourneyStep.journey_id))).all())
        done_per_journey = Counter((await s.scalars(
            select(JourneyStep.journey_id).where(JourneyStep.status.in_([StepStatus.COMPLETED, StepStatus.APPROVED]))
        )).all())
    statuses = {j.status for j in journeys}
    assert statuses == set(JourneyStatus)
    sources = Counter(j.data_source for j in journeys)
    assert sources[DataSource.SMARTMOVING] > sources[DataSource.MANUAL] > 0
    assert len({j.journey_date for j in journeys}) >= 7
    assert all(steps_per_journey[j.id] == 6 for j in journeys)
    assert all(j.progress == round(done_per_journey[j.id] * 100 / 6) for j in journeys)


async def test_demo_driver_and_mover_are_on_todays_journeys(demo: str) -> None:
    async with read_session() as s:
        for email in ("driver@demo.ccrm", "mover@demo.ccrm"):
            user = await s.scalar(select(User).where(User.email == email))
            rows = (await s.execute(
                select(Journey.journey_date, Location.timezone)
                .join(CrewAssignment, CrewAssignment.journey_id == Journey.id)
                .join(Location, Location.id == Journey.location_id)
                .where(CrewAssignment.user_id == user.id)
            )).all()
            assert any(day == datetime.now(ZoneInfo(tz)).date() for day, tz in rows), email


async def _live_windows() -> list[tuple[Journey, Window]]:
    async with read_session() as s:
        rows = (await s.execute(
            select(Journey, Location.timezone).join(Location, Location.id == Journey.location_id)
            .where(Journey.status != JourneyStatus.CANCELLED).options(selectinload(Journey.crew))
        )).all()
    return [(j, journey_window(j.journey_date, j.scheduled_start, j.scheduled_end, tz)) for j, tz in rows]


def _double_bookings(holders: dict[int, list[tuple[Window, int]]]) -> list[tuple[int, int, int]]:
    """(holder, journey, journey) for every two overlapping windows `[start, end)` of one holder."""
    found = []
    for holder, windows in holders.items():
        windows.sort(key=lambda pair: pair[0].start)
        for (first, a), (second, b) in pairwise(windows):
            if second.start < first.end:
                found.append((holder, a, b))
    return found


async def test_demo_data_books_no_truck_or_person_twice_at_once(demo: str) -> None:
    trucks: dict[int, list[tuple[Window, int]]] = {}
    people: dict[int, list[tuple[Window, int]]] = {}
    for journey, window in await _live_windows():
        if journey.truck_id is not None:
            trucks.setdefault(journey.truck_id, []).append((window, journey.id))
        for member in journey.crew:
            people.setdefault(member.user_id, []).append((window, journey.id))
    assert sum(len(w) for w in people.values()) > 50  # the check has something to check
    assert _double_bookings(trucks) == []
    assert _double_bookings(people) == []


async def test_no_demo_journey_is_past_its_job_setup_without_a_truck_and_a_crew(demo: str) -> None:
    async with read_session() as s:
        set_up = set(await s.scalars(select(JourneyStep.journey_id).where(
            JourneyStep.phase == Phase.CREATION, JourneyStep.status.in_([StepStatus.COMPLETED, StepStatus.APPROVED]))))
    live = await _live_windows()
    past_setup = [j for j, _ in live if j.id in set_up]
    assert len(past_setup) > 50
    bare = [(j.id, j.status.value, j.truck_id, len(j.crew)) for j in past_setup if j.truck_id is None or not j.crew]
    assert bare == []
    # the phones of the demo crew have work: driver@ and mover@ on set-up journeys with a truck
    async with read_session() as s:
        driver = await s.scalar(select(User.id).where(User.email == "driver@demo.ccrm"))
    assert any(j.truck_id and driver in {m.user_id for m in j.crew} for j in past_setup)
