"""Suggested crews as a CP-SAT model (OR-Tools): plain data in, plain data out, no database.

For every job missing its truck, its crew or both: pick a truck long enough for the move and a
crew of the size the move needs, with a driver (licensed for the truck: Class DZ from 26 ft) and
the skills the job asks for; nobody and no truck on two overlapping jobs or on a job overlapping
what they are already booked on (the caller leaves out who is off). Place as many jobs as
possible; among those plans, the one whose busiest person works the fewest minutes (even workload).
The search stops at `time_limit` seconds with the best plan found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from domain.availability.skills import LICENCE_DZ

#: Placing one more job is worth more than any change of the busiest person's minutes.
JOB_WEIGHT = 100_000


@dataclass(frozen=True, slots=True)
class JobNeed:
    id: int
    #: Minutes from the day's start (may be negative or past 1440 for other days' bookings).
    start: int
    end: int
    truck_feet: int
    crew_size: int
    skills: frozenset[str]
    needs_truck: bool
    needs_crew: bool
    #: The length of the truck it already has (when it needs only a crew), for the driver's licence.
    kept_truck_feet: int = 0


@dataclass(frozen=True, slots=True)
class TruckFree:
    id: int
    feet: int
    busy: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class PersonFree:
    id: int
    drives: bool
    skills: frozenset[str] = frozenset()
    busy: tuple[tuple[int, int], ...] = ()

    @property
    def booked_minutes(self) -> int:
        return sum(end - start for start, end in self.busy)


@dataclass(frozen=True, slots=True)
class Plan:
    #: Job id → truck id (jobs that needed one).
    trucks: dict[int, int] = field(default_factory=dict)
    #: Job id → (driver id or None, other people's ids).
    crews: dict[int, tuple[int | None, tuple[int, ...]]] = field(default_factory=dict)
    #: "OPTIMAL", "FEASIBLE", ...
    status: str = "UNKNOWN"


def _overlaps(start: int, end: int, busy: Sequence[tuple[int, int]]) -> bool:
    return any(start < b_end and b_start < end for b_start, b_end in busy)


def _fits(job: JobNeed, busy: list[tuple[int, int]]) -> bool:
    return not _overlaps(job.start, job.end, busy)


#: The orders the greedy plan tries the jobs in (the plan placing the most jobs wins): by start;
#: the most demanding first (truck length, crew size, skills); the longest first.
_ORDERS: tuple[Callable[[JobNeed], tuple[int, ...]], ...] = (
    lambda j: (j.start, j.id),
    lambda j: (-j.truck_feet, -j.crew_size, -len(j.skills), j.start, j.id),
    lambda j: (j.start - j.end, j.start, j.id),
)


def greedy(jobs: Sequence[JobNeed], trucks: Sequence[TruckFree], people: Sequence[PersonFree]) -> Plan:
    """A first plan, valid by construction: the best of a few job orders, each job taking the
    shortest free truck long enough and the least busy free people (a licensed driver first, then
    the skills asked for, then anyone). CP-SAT starts from it (a hint) and keeps it when it finds
    nothing better."""
    plans = [_greedy(sorted(jobs, key=order), trucks, people) for order in _ORDERS]
    return max(plans, key=lambda plan: len(plan.trucks) + len(plan.crews))


def _greedy(jobs: Sequence[JobNeed], trucks: Sequence[TruckFree], people: Sequence[PersonFree]) -> Plan:
    truck_busy = {t.id: list(t.busy) for t in trucks}
    person_busy = {p.id: list(p.busy) for p in people}
    worked = {p.id: p.booked_minutes for p in people}
    plan = Plan(status="GREEDY")
    for job in jobs:
        truck = None
        if job.needs_truck:
            fitting = [t for t in trucks if t.feet >= job.truck_feet and _fits(job, truck_busy[t.id])]
            truck = min(fitting, key=lambda t: (t.feet, len(truck_busy[t.id]), t.id), default=None)
            if truck is None:
                continue
        crew: list[PersonFree] = []
        if job.needs_crew:
            big = max(truck.feet if truck else 0, job.kept_truck_feet) >= 26
            free = sorted((p for p in people if _fits(job, person_busy[p.id])), key=lambda p: (worked[p.id], p.id))
            driver = next((p for p in free if p.drives and (not big or LICENCE_DZ in p.skills)), None)
            if driver is None:
                continue
            crew = [driver]
            for skill in job.skills:
                if not any(skill in p.skills for p in crew):
                    crew += [p for p in free if skill in p.skills and p not in crew][:1]
            crew += [p for p in free if p not in crew][:max(job.crew_size - len(crew), 0)]
            if len(crew) != job.crew_size or not all(any(k in p.skills for p in crew) for k in job.skills):
                continue
            plan.crews[job.id] = (driver.id, tuple(p.id for p in crew[1:]))
            for p in crew:
                person_busy[p.id].append((job.start, job.end))
                worked[p.id] += job.end - job.start
        if truck is not None:
            plan.trucks[job.id] = truck.id
            truck_busy[truck.id].append((job.start, job.end))
    return plan


def solve(jobs: Sequence[JobNeed], trucks: Sequence[TruckFree], people: Sequence[PersonFree], *,
          time_limit: float = 1.5, workers: int = 2, seed: int = 0) -> Plan:
    """The best plan found within `time_limit` seconds (the model's building included)."""
    started = time.perf_counter()
    first = greedy(jobs, trucks, people)
    model = cp_model.CpModel()
    placed = {j.id: model.new_bool_var(f"placed_{j.id}") for j in jobs}
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    truck_intervals: dict[int, list[cp_model.IntervalVar]] = {t.id: [] for t in trucks}
    person_intervals: dict[int, list[cp_model.IntervalVar]] = {p.id: [] for p in people}
    feet = {t.id: t.feet for t in trucks}
    for job in jobs:
        length = job.end - job.start
        if job.needs_truck:
            for truck in trucks:
                if truck.feet >= job.truck_feet and not _overlaps(job.start, job.end, truck.busy):
                    var = x[job.id, truck.id] = model.new_bool_var(f"x_{job.id}_{truck.id}")
                    truck_intervals[truck.id].append(model.new_optional_fixed_size_interval_var(
                        job.start, length, var, f"ti_{job.id}_{truck.id}"))
            model.add(sum(x[job.id, t.id] for t in trucks if (job.id, t.id) in x) == placed[job.id])
        if job.needs_crew:
            for person in people:
                if not _overlaps(job.start, job.end, person.busy):
                    var = y[job.id, person.id] = model.new_bool_var(f"y_{job.id}_{person.id}")
                    person_intervals[person.id].append(model.new_optional_fixed_size_interval_var(
                        job.start, length, var, f"pi_{job.id}_{person.id}"))
            crew = [(p, y[job.id, p.id]) for p in people if (job.id, p.id) in y]
            model.add(sum(v for _p, v in crew) == job.crew_size * placed[job.id])
            model.add(sum(v for p, v in crew if p.drives) >= placed[job.id])
            for skill in job.skills:
                model.add(sum(v for p, v in crew if skill in p.skills) >= placed[job.id])
            licensed = sum(v for p, v in crew if p.drives and LICENCE_DZ in p.skills)
            if job.needs_truck:
                big = [x[job.id, t] for (j, t) in x if j == job.id and feet[t] >= 26]
                if big:
                    model.add(licensed >= sum(big))
            elif job.kept_truck_feet >= 26:
                model.add(licensed >= placed[job.id])
    for intervals in (*truck_intervals.values(), *person_intervals.values()):
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    busiest = model.new_int_var(0, 7 * 1440, "busiest")
    for person in people:
        work = [(job.end - job.start) * y[job.id, person.id] for job in jobs if (job.id, person.id) in y]
        if work:
            model.add(busiest >= person.booked_minutes + sum(work))
    model.maximize(JOB_WEIGHT * sum(placed.values()) - busiest)
    _hint(model, first, jobs, placed, x, y)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit - (time.perf_counter() - started), 0.1)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return first
    found = _read(jobs, people, x, y, solver, feet, solver.status_name(status))
    return found if len(found.crews) + len(found.trucks) >= len(first.crews) + len(first.trucks) else first


def _hint(model: cp_model.CpModel, plan: Plan, jobs: Sequence[JobNeed], placed: dict[int, cp_model.IntVar],
          x: dict[tuple[int, int], cp_model.IntVar], y: dict[tuple[int, int], cp_model.IntVar]) -> None:
    for job in jobs:
        done = (not job.needs_truck or job.id in plan.trucks) and (not job.needs_crew or job.id in plan.crews)
        model.add_hint(placed[job.id], done)
    for (job_id, truck_id), var in x.items():
        model.add_hint(var, plan.trucks.get(job_id) == truck_id)
    for (job_id, person_id), var in y.items():
        driver, others = plan.crews.get(job_id, (None, ()))
        model.add_hint(var, person_id == driver or person_id in others)


def _read(jobs: Sequence[JobNeed], people: Sequence[PersonFree], x: dict[tuple[int, int], cp_model.IntVar],
          y: dict[tuple[int, int], cp_model.IntVar], solver: cp_model.CpSolver, feet: dict[int, int],
          status: str) -> Plan:
    trucks = {j: t for (j, t), var in x.items() if solver.boolean_value(var)}
    crews: dict[int, tuple[int | None, tuple[int, ...]]] = {}
    for job in jobs:
        if not job.needs_crew:
            continue
        chosen = [p for p in people if (job.id, p.id) in y and solver.boolean_value(y[job.id, p.id])]
        if not chosen:
            continue
        big = max(feet.get(trucks.get(job.id, 0), 0), job.kept_truck_feet) >= 26
        drivers = [p for p in chosen if p.drives and (not big or LICENCE_DZ in p.skills)]
        driver = drivers[0].id if drivers else None
        crews[job.id] = (driver, tuple(p.id for p in chosen if p.id != driver))
    return Plan(trucks, crews, status)
