"""Suggested crews for a branch and a day: what the solver proposes for each job still missing a
truck or a crew, in words, ready for the dispatcher to accept (all, some or none).

Read in one session (jobs, usable trucks and people, their bookings around the day, who is off,
skills); nothing is written here: an accepted proposal goes through `domain.board.assignment.assign`
like any other assignment, so a booking made meanwhile refuses it cleanly."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db.enums import CrewRole, Role
from db.models import Journey, UserSkill
from domain.access.locations import visible_location
from domain.access.rbac import Permission, Principal, journey_scope
from domain.availability.periods import off_on
from domain.availability.skills import move_needs, skill_labels, truck_feet
from domain.board.assignment import CrewChoice
from domain.board.conflicts import Booking, crew_bookings, truck_bookings
from domain.board.resources import crew_query, trucks_query
from domain.journeys.access import CLOSED_STATUSES
from domain.journeys.labels import journey_label
from domain.planner.solver import JobNeed, PersonFree, Plan, TruckFree, solve
from domain.timewindow import Window, journey_window, local_day, local_time
from domain.unit_of_work import read_session

#: The solver's time limit: the answer comes within 2 s for a day of 100 jobs.
TIME_LIMIT_SECONDS = 1.5


@dataclass(frozen=True, slots=True)
class Proposal:
    job_id: int
    job_label: str
    customer: str
    time_label: str
    #: The truck proposed (None: the job keeps its own).
    truck_id: int | None
    truck_label: str
    #: The crew proposed (empty: the job keeps its own), the driver first.
    crew: tuple[CrewChoice, ...]
    crew_names: tuple[str, ...]

    @property
    def summary(self) -> str:
        parts = [f"Truck {self.truck_label}" if self.truck_id else "",
                 "Crew: " + ", ".join(self.crew_names) if self.crew else ""]
        return "; ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Suggestions:
    location_id: int
    location_name: str
    day: date
    proposals: tuple[Proposal, ...]
    #: (job label and customer, why it got no proposal).
    left_out: tuple[tuple[str, str], ...]
    #: The solver's verdict and time (seconds), for the bench and the curious.
    status: str
    seconds: float


def _minutes(window: Window, origin: datetime) -> tuple[int, int]:
    return (int((window.start - origin).total_seconds() // 60), int((window.end - origin).total_seconds() // 60))


def _busy(bookings: list[Booking], origin: datetime) -> tuple[tuple[int, int], ...]:
    """Every booking counts, the open jobs' own too: a job keeps the truck or crew it has (it is
    offered only what it lacks), and that truck or crew is busy for the other jobs."""
    return tuple(_minutes(b.window, origin) for b in bookings)


async def suggest_crews(principal: Principal, location_id: int, day: date, *,
                        time_limit: float = TIME_LIMIT_SECONDS) -> Suggestions:
    """Proposals for the open jobs of the branch on the day that have no truck or no crew."""
    principal.require(Permission.ASSIGN_CREW)
    async with read_session() as session:
        location = await visible_location(session, principal, location_id)
        journeys = list(await session.scalars(
            select(Journey).where(Journey.location_id == location.id, Journey.journey_date == day,
                                  Journey.status.not_in(CLOSED_STATUSES), journey_scope(principal))
            .options(selectinload(Journey.crew)).order_by(Journey.scheduled_start, Journey.id)))
        open_jobs = [j for j in journeys if j.truck_id is None or not j.crew]
        trucks = [t for t, _lent in (await session.execute(trucks_query(location.company_id, location.id, day))).all()]
        people = [u for u, _lent in (await session.execute(crew_query(location.company_id, location.id, day))).all()]
        truck_busy = await truck_bookings(session, [t.id for t in trucks], day)
        crew_busy = await crew_bookings(session, [u.id for u in people], day)
        people_off, trucks_off = await off_on(session, day, user_ids=[u.id for u in people],
                                              truck_ids=[t.id for t in trucks])
        skills: dict[int, set[str]] = {}
        for user_id, skill in await session.execute(
                select(UserSkill.user_id, UserSkill.skill).where(UserSkill.user_id.in_([u.id for u in people]))):
            skills.setdefault(user_id, set()).add(skill)
        kept_feet = {t.id: truck_feet(t.size) for t in trucks}
    origin = local_day(day, location.timezone).start
    needs, words = [], {}
    for j in open_jobs:
        window = journey_window(j.journey_date, j.scheduled_start, j.scheduled_end, location.timezone)
        wants = move_needs(j.move_size, j.service_type, j.notes)
        start, end = _minutes(window, origin)
        needs.append(JobNeed(j.id, start, end, wants.truck_feet, wants.crew_size, wants.skills,
                             needs_truck=j.truck_id is None, needs_crew=not j.crew,
                             kept_truck_feet=kept_feet.get(j.truck_id or 0, 0)))
        local = local_time(window.start, location.timezone)
        local_end = local_time(window.end, location.timezone)
        assert local is not None and local_end is not None
        words[j.id] = (journey_label(j.id, j.data_source, j.job_number), j.customer_name or "(no name)",
                       f"{local:%H:%M}–{local_end:%H:%M}", wants)
    free_trucks = [TruckFree(t.id, truck_feet(t.size), _busy(truck_busy.get(t.id, []), origin))
                   for t in trucks if t.id not in trucks_off]
    free_people = [PersonFree(u.id, u.role is Role.DRIVER, frozenset(skills.get(u.id, ())),
                              _busy(crew_busy.get(u.id, []), origin)) for u in people if u.id not in people_off]
    started = time.perf_counter()
    plan = solve(needs, free_trucks, free_people, time_limit=time_limit) if needs else Plan(status="OPTIMAL")
    seconds = time.perf_counter() - started
    names = {u.id: u.full_name for u in people}
    numbers = {t.id: t.number for t in trucks}
    proposals, left_out = [], []
    for need in needs:
        label, customer, when, move = words[need.id]
        truck = plan.trucks.get(need.id)
        crew = plan.crews.get(need.id)
        if (need.needs_truck and truck is None) or (need.needs_crew and crew is None):
            left_out.append((f"{label} · {customer}", _why(move.truck_feet, move.crew_size, move.skills)))
            continue
        choices: list[CrewChoice] = []
        if crew is not None:
            driver, others = crew
            choices = [CrewChoice(driver, CrewRole.DRIVER)] if driver else []
            choices += [CrewChoice(p, CrewRole.MOVER) for p in others]
        proposals.append(Proposal(need.id, label, customer, when, truck, numbers.get(truck or 0, ""), tuple(choices),
                                  tuple(names[c.user_id] for c in choices)))
    return Suggestions(location.id, location.name, day, tuple(proposals), tuple(left_out), plan.status, seconds)


def _why(feet: int, crew_size: int, skills: frozenset[str]) -> str:
    wanted = [f"a truck of {feet} ft or more", f"{crew_size} people with a driver"]
    wanted += [label.split(" (")[0].lower() for label in skill_labels(skills)]
    return "Not enough free at that time: " + ", ".join(wanted)
