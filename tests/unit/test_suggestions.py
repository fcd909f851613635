"""Suggested crews, property-style over seeded worlds: every proposal respects bookings (made
before and proposed together), days off, truck size against move size, crew size, the driver's
licence and the skills a job asks for — and every proposal is accepted by the normal assignment."""

from __future__ import annotations

import contextlib
import itertools
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from db.enums import CrewRole, LocationLinkKind, Role
from db.models import Journey, Truck, User, UserLocation, UserSkill
from domain.availability.edit import add_period
from domain.availability.skills import LICENCE_DZ, PIANO, DZ_TRUCK_FEET, move_needs, truck_feet
from domain.board.assignment import CrewChoice, assign
from domain.errors import DomainError
from domain.journeys.edit import JourneyDraft, create_journey
from domain.planner.solver import JobNeed, PersonFree, TruckFree, solve
from domain.planner.suggest import suggest_crews
from domain.unit_of_work import read_session, unit_of_work
from tests.journey_world import TZ, World, make_world

SIZES = ["Studio", "1 Bedroom", "2 Bedroom", "3 Bedroom", "4+ Bedroom", "Office", "Storage Unit"]
SEEDS = [1, 2, 3]


async def _seeded(seed: int) -> tuple[World, date, dict[int, tuple[str, str]]]:
    """A branch with 8 trucks, 14 people (some licensed, some piano movers), 24 jobs on one day,
    a few people off and a truck out of service, some jobs already crewed."""
    rng = random.Random(seed)
    world = await make_world(f"Seed {seed} Moving")
    day = world.today + timedelta(days=3)
    async with unit_of_work() as s:
        for n in range(6):
            s.add(Truck(company_id=world.company_id, location_id=world.home, number=f"S{seed}-{n}",
                        size=rng.choice(["16 ft", "20 ft", "26 ft"])))
        for n in range(12):
            drives = n < 6
            user = User(company_id=world.company_id, email=f"p{n}@seed{seed}.test", password_hash="x",
                        full_name=f"Person {n}", role=Role.DRIVER if drives else Role.MOVER)
            user.location_links = [UserLocation(location_id=world.home, kind=LocationLinkKind.ASSIGNED)]
            s.add(user)
            await s.flush()
            for skill in ((LICENCE_DZ,) if drives and rng.random() < 0.6 else ()) + (
                    (PIANO,) if rng.random() < 0.3 else ()):
                s.add(UserSkill(user_id=user.id, skill=skill))
    admin = world.principals["admin"]
    async with read_session() as s:
        people = list(await s.scalars(select(User.id).join(UserLocation, UserLocation.user_id == User.id).where(
            UserLocation.location_id == world.home, User.role.in_([Role.DRIVER, Role.MOVER]),
            User.status == "ACTIVE")))
        trucks = list(await s.scalars(select(Truck.id).where(Truck.location_id == world.home,
                                                              Truck.active.is_(True))))
    for user_id in rng.sample(people, 2):
        await add_period(admin, {"user_id": user_id, "starts_on": day, "ends_on": day, "reason": "Holiday"})
    await add_period(admin, {"truck_id": rng.choice(trucks), "starts_on": day, "ends_on": day, "reason": "Brakes"})
    words: dict[int, tuple[str, str]] = {}
    for n in range(24):
        start = rng.randrange(7 * 4, 17 * 4) * 15
        length = rng.choice([120, 180, 240, 300])
        size, notes = rng.choice(SIZES), "Piano in the hall" if rng.random() < 0.15 else None
        journey_id = await create_journey(world.principals["dispatcher"], JourneyDraft(
            location_id=world.home, journey_date=day, customer_name=f"Customer {n}",
            scheduled_start=datetime.combine(day, time(0), ZoneInfo(TZ)) + timedelta(minutes=start),
            scheduled_end=datetime.combine(day, time(0), ZoneInfo(TZ)) + timedelta(minutes=start + length)))
        async with unit_of_work() as s:
            await s.execute(update(Journey).where(Journey.id == journey_id).values(move_size=size, notes=notes))
        words[journey_id] = (size, notes or "")
    # A few jobs already have a crew (booked before the suggestions): they hold those people.
    for journey_id in rng.sample(sorted(words), 3):
        with contextlib.suppress(DomainError):  # that person may be off or booked: the job stays open
            await assign(world.principals["dispatcher"], journey_id,
                         crew=[CrewChoice(rng.choice(people), CrewRole.MOVER)])
    return world, day, words


@pytest.mark.parametrize("seed", SEEDS)
async def test_every_proposal_is_valid_and_assignable(db: str, seed: int) -> None:
    world, day, words = await _seeded(seed)
    found = await suggest_crews(world.principals["dispatcher"], world.home, day, time_limit=3.0)
    assert found.status in ("OPTIMAL", "FEASIBLE", "GREEDY")
    assert found.proposals, "some jobs can be placed"
    async with read_session() as s:
        journeys = {j.id: j for j in await s.scalars(select(Journey).where(Journey.journey_date == day,
                                                                           Journey.location_id == world.home))}
        sizes = dict((await s.execute(select(Truck.id, Truck.size))).all())
        skills: dict[int, set[str]] = {}
        for user_id, skill in await s.execute(select(UserSkill.user_id, UserSkill.skill)):
            skills.setdefault(user_id, set()).add(skill)
        roles = dict((await s.execute(select(User.id, User.role))).all())
    for proposal in found.proposals:
        size, notes = words[proposal.job_id]
        needs = move_needs(size, None, notes)
        if proposal.truck_id is not None:
            assert truck_feet(sizes[proposal.truck_id]) >= needs.truck_feet
        if proposal.crew:
            assert len(proposal.crew) == needs.crew_size
            driver = [c for c in proposal.crew if c.role is CrewRole.DRIVER]
            assert len(driver) == 1 and roles[driver[0].user_id] is Role.DRIVER
            truck = proposal.truck_id or journeys[proposal.job_id].truck_id
            if truck is not None and truck_feet(sizes[truck]) >= DZ_TRUCK_FEET:
                assert LICENCE_DZ in skills.get(driver[0].user_id, set())
            for skill in needs.skills:
                assert any(skill in skills.get(c.user_id, set()) for c in proposal.crew)
    # The normal assignment checks bookings (made before, and made by the proposals accepted
    # before this one) and days off: it accepts every proposal.
    for proposal in found.proposals:
        await assign(world.principals["dispatcher"], proposal.job_id,
                     truck_id=proposal.truck_id if proposal.truck_id else journeys[proposal.job_id].truck_id,
                     crew=list(proposal.crew) if proposal.crew else None)
    again = await suggest_crews(world.principals["dispatcher"], world.home, day, time_limit=3.0)
    assert {p.job_id for p in again.proposals} & {p.job_id for p in found.proposals} == set()


def test_the_solver_never_double_books_a_hundred_jobs() -> None:
    rng = random.Random(7)
    jobs = []
    for n in range(100):
        start = rng.randrange(6 * 60, 18 * 60, 15)
        jobs.append(JobNeed(n, start, start + rng.choice([120, 180, 240]), rng.choice([16, 20, 26]),
                            rng.choice([2, 3]), frozenset(), needs_truck=True, needs_crew=True))
    trucks = [TruckFree(100 + n, rng.choice([16, 20, 26])) for n in range(30)]
    people = [PersonFree(200 + n, n < 30, frozenset({LICENCE_DZ}) if n % 2 else frozenset()) for n in range(80)]
    plan = solve(jobs, trucks, people, time_limit=5.0)
    assert plan.status in ("OPTIMAL", "FEASIBLE", "GREEDY") and plan.crews
    by_id = {j.id: j for j in jobs}
    for resource_jobs in ([*[j for j, t in plan.trucks.items() if t == truck.id]] for truck in trucks):
        _no_overlap([by_id[j] for j in resource_jobs])
    for person in people:
        on = [by_id[j] for j, (driver, others) in plan.crews.items() if person.id == driver or person.id in others]
        _no_overlap(on)
    for job_id, (driver, others) in plan.crews.items():
        assert driver is not None and len(others) + 1 == by_id[job_id].crew_size
        assert job_id in plan.trucks


def _no_overlap(jobs: list[JobNeed]) -> None:
    ordered = sorted(jobs, key=lambda j: j.start)
    for first, second in itertools.pairwise(ordered):
        assert first.end <= second.start
