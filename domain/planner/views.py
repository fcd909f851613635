"""What `/planner` shows: the jobs of a day or a week at some branches of the principal's scope,
one row per truck and one per crew member, who is off, and the jobs still missing a truck or a crew.

Read in a fixed number of queries whatever the number of jobs (locations, jobs, crews, trucks,
people, periods off, skills: 7), so a week of three busy branches is one read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import and_, or_, select

from db.enums import CrewRole, JourneyStatus, LocationLinkKind, Role, UserStatus
from db.models import CrewAssignment, Journey, Truck, User, UserLocation, UserSkill
from domain.access.locations import LocationOption, visible_locations
from domain.access.rbac import Permission, Principal, journey_scope
from domain.availability.periods import Period, by_resource_day, periods_between
from domain.availability.skills import MoveNeeds, move_needs
from domain.board.resources import CREW_USER_ROLES
from domain.journeys.access import CLOSED_STATUSES
from domain.journeys.labels import journey_label
from domain.timewindow import journey_window, local_time, today_in, zone
from domain.unit_of_work import read_session

#: Branches shown when none are chosen: the first few of the scope (an admin's company has dozens).
DEFAULT_BRANCHES = 3
#: Most branches one view shows (the filter refuses more).
MAX_BRANCHES = 12


class View(Enum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class PlannerJob:
    id: int
    label: str
    customer: str
    location_id: int
    day: date
    #: Local wall-clock times in the branch's zone (a job without times takes its whole day).
    start: datetime
    end: datetime
    status: JourneyStatus
    truck_id: int | None
    #: (user id, job role), by user id.
    crew: tuple[tuple[int, CrewRole], ...]
    needs: MoveNeeds
    move_size: str | None

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def missing(self) -> str | None:
        """What the job still needs, in words; None when it has a truck and a full crew."""
        if self.closed:
            return None
        wants = [w for w, lacking in (("a truck", self.truck_id is None),
                                      (f"a crew of {self.needs.crew_size}", len(self.crew) < self.needs.crew_size))
                 if lacking]
        return " and ".join(wants) or None

    @property
    def time_label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class PlannerRow:
    """A truck or a person: a row of the planner."""

    kind: str  # "truck" | "person"
    id: int
    name: str
    #: "26 ft" for a truck; "Driver" / "Mover" for a person.
    detail: str
    location_id: int
    skills: frozenset[str] = frozenset()
    #: Day → the period keeping it off that day.
    off: dict[date, Period] = field(default_factory=dict)
    #: A driver (may take the job role DRIVER).
    drives: bool = False


@dataclass(frozen=True, slots=True)
class Planner:
    view: View
    days: tuple[date, ...]
    #: Every branch of the scope (the filter's choices) and the chosen ones.
    locations: tuple[LocationOption, ...]
    chosen: tuple[int, ...]
    trucks: tuple[PlannerRow, ...]
    people: tuple[PlannerRow, ...]
    jobs: tuple[PlannerJob, ...]
    #: The chosen branches' today (the first chosen branch's zone) and now, for the "now" line.
    today: date
    now: datetime

    @property
    def unplaced(self) -> list[PlannerJob]:
        return [job for job in self.jobs if job.missing]

    def jobs_by_truck(self) -> dict[int, list[PlannerJob]]:
        found: dict[int, list[PlannerJob]] = defaultdict(list)
        for job in self.jobs:
            if job.truck_id is not None:
                found[job.truck_id].append(job)
        return found

    def jobs_by_person(self) -> dict[int, list[PlannerJob]]:
        found: dict[int, list[PlannerJob]] = defaultdict(list)
        for job in self.jobs:
            for user_id, _role in job.crew:
                found[user_id].append(job)
        return found

    def location_name(self, location_id: int) -> str:
        return next((loc.name for loc in self.locations if loc.id == location_id), "")


def days_of(view: View, day: date) -> tuple[date, ...]:
    """The day itself, or its week from Monday."""
    if view is View.DAY:
        return (day,)
    monday = day - timedelta(days=day.weekday())
    return tuple(monday + timedelta(days=i) for i in range(7))


def choose_branches(locations: list[LocationOption], wanted: list[int] | None) -> tuple[int, ...]:
    """The wanted branches that are in scope (in scope order); none wanted: the first few."""
    ids = [loc.id for loc in locations]
    if wanted:
        chosen = tuple(i for i in ids if i in set(wanted))[:MAX_BRANCHES]
        if chosen:
            return chosen
    return tuple(ids[:DEFAULT_BRANCHES])


async def load_planner(principal: Principal, view: View, day: date | None,
                       branches: list[int] | None = None) -> Planner:
    principal.require(Permission.USE_PLANNER)
    locations = await visible_locations(principal)
    chosen = choose_branches(locations, branches)
    zones = {loc.id: loc.timezone for loc in locations}
    first_zone = zones[chosen[0]] if chosen else "UTC"
    today = today_in(first_zone)
    days = days_of(view, day or today)
    first, last = days[0], days[-1]
    async with read_session() as session:
        journey_where = and_(Journey.location_id.in_(chosen), Journey.journey_date.between(first, last),
                             Journey.status != JourneyStatus.CANCELLED, journey_scope(principal))
        rows = (await session.execute(
            select(Journey.id, Journey.data_source, Journey.job_number, Journey.customer_name, Journey.location_id,
                   Journey.journey_date, Journey.scheduled_start, Journey.scheduled_end, Journey.status,
                   Journey.truck_id, Journey.move_size, Journey.service_type, Journey.notes)
            .where(journey_where).order_by(Journey.journey_date, Journey.scheduled_start, Journey.id)
        )).all()
        crews: dict[int, list[tuple[int, CrewRole]]] = defaultdict(list)
        for journey_id, user_id, role in await session.execute(
                select(CrewAssignment.journey_id, CrewAssignment.user_id, CrewAssignment.role)
                .join(Journey, Journey.id == CrewAssignment.journey_id).where(journey_where)
                .order_by(CrewAssignment.journey_id, CrewAssignment.user_id)):
            crews[journey_id].append((user_id, role))
        truck_ids = {row.truck_id for row in rows if row.truck_id is not None}
        crew_ids = {user_id for crew in crews.values() for user_id, _ in crew}
        trucks = (await session.execute(
            select(Truck.id, Truck.number, Truck.size, Truck.location_id)
            .where(Truck.company_id == principal.company_id,
                   or_(and_(Truck.location_id.in_(chosen), Truck.active.is_(True)), Truck.id.in_(truck_ids)))
            .order_by(Truck.location_id, Truck.number)
        )).all() if chosen else []
        home = (select(UserLocation.user_id, UserLocation.location_id)
                .where(UserLocation.location_id.in_(chosen), UserLocation.kind == LocationLinkKind.ASSIGNED)
                .subquery())
        people = (await session.execute(
            select(User.id, User.full_name, User.role, home.c.location_id)
            .outerjoin(home, home.c.user_id == User.id)
            .where(User.company_id == principal.company_id, User.role.in_(CREW_USER_ROLES),
                   or_(and_(home.c.location_id.is_not(None), User.status == UserStatus.ACTIVE),
                       User.id.in_(crew_ids)))
            .order_by(User.role, User.full_name, User.id)
        )).all() if chosen else []
        person_ids = {p.id for p in people}
        periods = await periods_between(session, first, last, user_ids=person_ids, truck_ids=[t.id for t in trucks])
        skills: dict[int, set[str]] = defaultdict(set)
        for user_id, skill in await session.execute(
                select(UserSkill.user_id, UserSkill.skill).where(UserSkill.user_id.in_(sorted(person_ids)))):
            skills[user_id].add(skill)
    off = by_resource_day(periods, first, last)
    jobs = tuple(_job(row, zones.get(row.location_id, first_zone), crews.get(row.id, [])) for row in rows)
    seen: set[int] = set()
    person_rows = []
    for p in people:  # a person of two chosen branches is one row, at the first
        if p.id in seen:
            continue
        seen.add(p.id)
        person_rows.append(PlannerRow("person", p.id, p.full_name, p.role.value.capitalize(), p.location_id or 0,
                                      frozenset(skills.get(p.id, ())), _off(off, "user", p.id, days),
                                      drives=p.role is Role.DRIVER))
    return Planner(
        view=view, days=days, locations=tuple(locations), chosen=chosen,
        trucks=tuple(PlannerRow("truck", t.id, t.number, t.size or "", t.location_id,
                                off=_off(off, "truck", t.id, days)) for t in trucks),
        people=tuple(person_rows), jobs=jobs, today=today, now=datetime.now(zone(first_zone)),
    )


def _off(off: dict[tuple[str, int, date], Period], kind: str, row_id: int,
         days: tuple[date, ...]) -> dict[date, Period]:
    return {day: off[(kind, row_id, day)] for day in days if (kind, row_id, day) in off}


def _job(r: Any, timezone: str, crew: list[tuple[int, CrewRole]]) -> PlannerJob:
    """`r`: a row of the jobs query."""
    window = journey_window(r.journey_date, r.scheduled_start, r.scheduled_end, timezone)
    start, end = local_time(window.start, timezone), local_time(window.end, timezone)
    assert start is not None and end is not None
    return PlannerJob(
        id=r.id, label=journey_label(r.id, r.data_source, r.job_number), customer=r.customer_name or "(no name)",
        location_id=r.location_id, day=r.journey_date, start=start, end=end, status=r.status, truck_id=r.truck_id,
        crew=tuple(crew), needs=move_needs(r.move_size, r.service_type, r.notes), move_size=r.move_size,
    )
